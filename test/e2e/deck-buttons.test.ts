/**
 * /deck buttons (an import's question, a removal's confirm) against crafted clicks: a modified client sends any
 * custom_id, including one that names the clicker (so the id's own owner check passes), against a message that is
 * someone else's. Discord still sends that message as it stores it, so the bot can tell and must refuse before it
 * reads the message's file or edits it.
 */
import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { StoredMessage } from "../../src/emulator/index.ts";
import { sqlRow, sqlRows } from "../helpers/sql-template.ts";
import { E2E_ENGINES, startWorld, type World } from "./harness.ts";

describe.each(E2E_ENGINES)("%s", (engine) => {
  let w: World;
  beforeEach(async () => {
    w = await startWorld({ engine, decks: [] });
  });
  afterEach(async () => {
    await w?.stop();
  });

  const db = () => w.bot.deps.db;
  const text = (m: StoredMessage | undefined) => JSON.stringify([m?.content, m?.embeds]);
  const csv = (name: string, rows: string) => ({ name, data: Buffer.from(rows, "utf8") });
  const b36 = (id: string) => BigInt(id).toString(36);
  const idOf = (m: StoredMessage, label: string) => {
    const rows = m.components as { components: { label: string; custom_id: string }[] }[];
    const b = rows.flatMap((r) => r.components).find((c) => c.label.startsWith(label));
    if (!b) throw new Error(`no button ${label}`);
    return b.custom_id;
  };
  /** The same button's id as if the bot had made it for `user`. */
  const asIf = (customId: string, user: World["bob"]) =>
    customId.replace(/^(dk:[a-z]+:)[0-9a-z]+/, `$1${b36(user.id)}`);
  const decksOf = (userId: string) =>
    sqlRows<{ name: string }>(db(), sql`SELECT name FROM decks WHERE owner_id = ${userId} ORDER BY name`);

  async function importAs(user: World["bob"], file: ReturnType<typeof csv>) {
    return w.emu.runCommand({ user, channel: w.channel, command: "deck import", options: { file } });
  }

  /** A member's personal deck with one card studied, then a file that would retire it: the question. */
  async function questionOf(user: World["bob"], name: string, first: string, second: string) {
    await importAs(user, csv(`${name}.csv`, first));
    const view = await w.emu.runCommand({ user, channel: w.channel, command: "study" });
    const shown = await w.emu.click({ user, message: view.message!, label: "Show answer" });
    await w.emu.click({ user, message: shown.message!, label: "Good" });
    const ask = await importAs(user, csv(`${name}.csv`, second));
    expect(ask.message?.embeds[0]?.title).toBe(`Update ${name}?`);
    return ask.message!;
  }

  describe("GIVEN alice's import question, and bob's own question with its valid fingerprints", () => {
    it("WHEN bob sends his own 'Import as a new deck' id against her question THEN refused: her file is not imported as his, her message is untouched", async () => {
      const his = await questionOf(w.bob, "bobdeck", "bob q,bob a\n", "bob other q,bob other a\n");
      const hers = await questionOf(
        w.alice,
        "secrets",
        "alice q,alice a\n",
        "alice secret q,alice secret a\n",
      );
      const before = text(hers);
      const edits = hers.history.length; // the deferred reply's loading state
      const r = await w.emu.click({
        user: w.bob,
        message: hers,
        label: "Import as a new deck",
        forged: true,
        craftedId: idOf(his, "Import as a new deck"),
      });
      expect(r.ephemeral).toBe(true);
      expect(text(r.messages.at(-1) ?? r.message)).toContain("someone else's");
      expect(JSON.stringify(r.messages)).not.toContain("alice secret");
      expect(await decksOf(w.bob.id)).toEqual([{ name: "bobdeck" }]);
      expect(text(hers)).toBe(before);
      expect(hers.history).toHaveLength(edits);
      expect(hers.attachments.map((a) => a.filename)).toEqual(["import.deck"]);
    });

    it("WHEN bob sends a Cancel id naming himself against her question THEN refused and her question keeps its file and buttons", async () => {
      const hers = await questionOf(
        w.alice,
        "secrets",
        "alice q,alice a\n",
        "alice secret q,alice secret a\n",
      );
      const before = text(hers);
      const edits = hers.history.length;
      const r = await w.emu.click({
        user: w.bob,
        message: hers,
        label: "Cancel",
        forged: true,
        craftedId: asIf(idOf(hers, "Cancel"), w.bob),
      });
      expect(r.ephemeral).toBe(true);
      expect(text(r.messages.at(-1) ?? r.message)).toContain("someone else's");
      expect(text(hers)).toBe(before);
      expect(hers.history).toHaveLength(edits);
      expect(hers.attachments.map((a) => a.filename)).toEqual(["import.deck"]);
    });
  });

  describe("GIVEN alice's /deck remove confirm", () => {
    it("WHEN bob sends a Cancel id naming himself against it THEN refused and her confirm is untouched", async () => {
      await importAs(w.alice, csv("secrets.csv", "alice q,alice a\n"));
      const deckId = (
        await sqlRow<{ id: string }>(db(), sql`SELECT id FROM decks WHERE owner_id = ${w.alice.id}`)
      )?.id;
      const ask = await w.emu.runCommand({
        user: w.alice,
        channel: w.channel,
        command: "deck remove",
        options: { deck: deckId ?? "" },
      });
      const hers = ask.message!;
      const before = text(hers);
      const r = await w.emu.click({
        user: w.bob,
        message: hers,
        label: "Cancel",
        forged: true,
        craftedId: asIf(idOf(hers, "Cancel"), w.bob),
      });
      expect(r.ephemeral).toBe(true);
      expect(text(r.messages.at(-1) ?? r.message)).toContain("someone else's");
      expect(text(hers)).toBe(before);
      expect(hers.history).toEqual([]);
    });
  });

  describe("GIVEN two import questions of alice's, one about each of her studied decks", () => {
    it("WHEN she sends the first question's Update id against the second THEN refused: the second file does not go into the first deck", async () => {
      for (const name of ["xdeck", "ydeck"]) {
        await importAs(w.alice, csv(`${name}.csv`, `${name} q,${name} a\n`));
        const deck =
          (await sqlRow<{ id: string }>(db(), sql`SELECT id FROM decks WHERE name = ${name}`))?.id ?? "";
        const view = await w.emu.runCommand({
          user: w.alice,
          channel: w.channel,
          command: "study",
          options: { deck },
        });
        const shown = await w.emu.click({ user: w.alice, message: view.message!, label: "Show answer" });
        await w.emu.click({ user: w.alice, message: shown.message!, label: "Good" });
      }
      // Each question: one studied card retired, in the same state of her decks (so the same fingerprint).
      const first = (await importAs(w.alice, csv("xdeck.csv", "x new q,x new a\n"))).message!;
      const second = (await importAs(w.alice, csv("ydeck.csv", "y new q,y new a\n"))).message!;
      expect(second.embeds[0]?.title).toBe("Update ydeck?");
      const cards = () => sqlRows(db(), sql`SELECT deck_id, front, retired_at FROM cards ORDER BY id`);
      const before = await cards();
      const r = await w.emu.click({
        user: w.alice,
        message: second,
        label: "Update it",
        craftedId: idOf(first, "Update it"),
      });
      expect(r.ephemeral).toBe(true);
      expect(text(r.messages.at(-1) ?? r.message)).toContain("Nothing was imported");
      expect(await cards()).toEqual(before);
      expect(second.attachments.map((a) => a.filename)).toEqual(["import.deck"]);
    });
  });
});
