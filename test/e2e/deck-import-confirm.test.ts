/**
 * An import that would retire studied cards, or that finds its deck only by a name in other capitals, asks
 * first (issue 11, item 2): the user's Brainscape deck "Pytorch Flashcards", studied, then the Anki export of
 * the shipped "PyTorch Flashcards". Nothing changes in the database until the confirm, and a cancelled, stale,
 * repeated or foreign confirm changes nothing either. Each test gets its own world and builds what it asks
 * about (the studied deck, the export), so any one runs alone.
 */
import { readFileSync } from "node:fs";
import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { InteractionResult, StoredMessage } from "../../src/emulator/index.ts";
import { sqlRow, sqlRows } from "../helpers/sql-template.ts";
import { E2E_ENGINES, REPO_DECKS, startWorld, type World } from "./harness.ts";

describe.each(E2E_ENGINES)("%s", (engine) => {
  let w: World;
  beforeEach(async () => {
    w = await startWorld({ engine, decksDir: REPO_DECKS });
  });
  afterEach(async () => {
    await w?.stop();
  });

  const BRAINSCAPE = readFileSync(
    new URL("../fixtures/decks/pytorch-flashcards.brainscape.txt", import.meta.url),
    "utf8",
  );
  const db = () => w.bot.deps.db;
  const file = (name: string, data: Buffer | string) => ({
    name,
    contentType: "text/plain",
    data: typeof data === "string" ? Buffer.from(data, "utf8") : data,
  });
  const text = (m: StoredMessage | undefined) => JSON.stringify([m?.content, m?.embeds]);
  /** The message an answer ended on: the updated one, or the last follow-up (a polite refusal). */
  const answerOf = (r: InteractionResult) => r.messages.at(-1) ?? r.message;

  /** Everything an import could change: decks, cards (and whether retired), states, subscriptions. */
  const snapshot = async () => ({
    decks: await sqlRows(db(), sql`SELECT id, name, owner_id, retired_at, updated_at FROM decks ORDER BY id`),
    cards: await sqlRows(db(), sql`SELECT id, deck_id, key, front, retired_at FROM cards ORDER BY id`),
    states: await sqlRows(
      db(),
      sql`SELECT user_id, card_id, reps, due FROM card_states ORDER BY user_id, card_id`,
    ),
    subs: await sqlRows(db(), sql`SELECT user_id, deck_id FROM subscriptions ORDER BY user_id, deck_id`),
  });
  const personalDecks = (userId: string) =>
    sqlRows<{ id: string; name: string; active: number; retired: number }>(
      db(),
      sql`
    SELECT d.id, d.name,
      (SELECT count(*) FROM cards c WHERE c.deck_id = d.id AND c.retired_at IS NULL) AS active,
      (SELECT count(*) FROM cards c WHERE c.deck_id = d.id AND c.retired_at IS NOT NULL) AS retired
    FROM decks d WHERE d.owner_id = ${userId} AND d.retired_at IS NULL ORDER BY d.updated_at, d.id`,
    );

  async function importAs(user: World["bob"], f: ReturnType<typeof file>) {
    return w.emu.runCommand({ user, channel: w.channel, command: "deck import", options: { file: f } });
  }

  /** Reviews `n` cards of the deck (Show answer, Good). */
  async function study(user: World["bob"], deckId: string, n: number) {
    let view = await w.emu.runCommand({
      user,
      channel: w.channel,
      command: "study",
      options: { deck: deckId },
    });
    for (let k = 0; k < n; k++) {
      const shown = await w.emu.click({ user, message: view.message!, label: "Show answer" });
      view = await w.emu.click({ user, message: shown.message!, label: "Good" });
    }
  }

  /** The shipped deck as its Anki export: its deck name is "PyTorch Flashcards". */
  async function shippedAnkiExport(user: World["bob"]) {
    const r = await w.emu.runCommand({
      user,
      channel: w.channel,
      command: "deck export",
      options: { deck: "pytorch", format: "anki" },
    });
    const att = r.message?.attachments[0];
    expect(text(r.message)).toContain("PyTorch Flashcards");
    return file(att?.filename ?? "x", att?.data ?? Buffer.alloc(0));
  }

  describe("GIVEN bob's studied Brainscape deck 'Pytorch Flashcards' and the shipped deck's Anki export 'PyTorch Flashcards'", () => {
    let deckId = "";
    let anki: ReturnType<typeof file>;

    beforeEach(async () => {
      const first = await importAs(w.bob, file("pytorch-flashcards.brainscape.txt", BRAINSCAPE));
      expect(first.message?.embeds[0]?.title).toBe("Imported: Pytorch Flashcards");
      deckId = (await personalDecks(w.bob.id))[0]?.id ?? "";
      await study(w.bob, deckId, 2);
      anki = await shippedAnkiExport(w.bob);
    });

    it("WHEN he imports the export THEN he is asked first: what would be retired and how much was studied; nothing changed", async () => {
      const before = await snapshot();
      const ask = await importAs(w.bob, anki);
      expect(ask.ephemeral).toBe(true);
      const embed = ask.message?.embeds[0];
      expect(embed?.title).toBe("Update Pytorch Flashcards?");
      expect(embed?.description).toContain("only by name, in other capitals");
      expect(embed?.description).toContain(
        "add 81 new, keep 0 with their progress, and **retire 81 cards**, **2 of them with study progress**",
      );
      expect(embed?.description).toContain("**Nothing has changed yet.**");
      const labels = ask.message?.components[0]?.components.map((b: { label: string }) => b.label);
      expect(labels).toEqual(["Update it: retire 81 cards", "Import as a new deck", "Cancel"]);
      expect(ask.message?.attachments.map((a) => a.filename)).toEqual(["import.deck"]);
      expect(ask.message?.pings).toEqual([]);
      expect(await snapshot()).toEqual(before);
    });

    it("WHEN he cancels THEN nothing was imported; the old buttons, clicked again, change nothing", async () => {
      const before = await snapshot();
      const ask = await importAs(w.bob, anki);
      const cancelled = await w.emu.click({ user: w.bob, message: ask.message!, label: "Cancel" });
      expect(cancelled.message?.content).toBe("Nothing was imported.");
      expect(cancelled.message?.components).toEqual([]);
      expect(cancelled.message?.attachments).toEqual([]);
      const late = await w.emu.click({ user: w.bob, message: ask.message!, label: "Update it", stale: true });
      expect(text(answerOf(late))).toContain("already answered");
      expect(await snapshot()).toEqual(before);
    });

    it("WHEN alice forges a click on his confirm THEN refused, nothing changes", async () => {
      const before = await snapshot();
      const ask = await importAs(w.bob, anki);
      const forged = await w.emu.click({
        user: w.alice,
        message: ask.message!,
        label: "Update it",
        forged: true,
      });
      expect(forged.ephemeral).toBe(true);
      expect(text(answerOf(forged))).toContain("belongs to someone else's command");
      expect(await snapshot()).toEqual(before);
      await w.emu.click({ user: w.bob, message: ask.message!, label: "Cancel" });
    });

    it("WHEN he studies once more before confirming THEN the confirm is out of date and changes nothing", async () => {
      const ask = await importAs(w.bob, anki);
      await study(w.bob, deckId, 1);
      const before = await snapshot();
      const stale = await w.emu.click({ user: w.bob, message: ask.message!, label: "Update it" });
      expect(stale.ephemeral).toBe(true);
      expect(text(answerOf(stale))).toContain("This question is out of date");
      expect(text(answerOf(stale))).toContain("Nothing was imported.");
      expect(await snapshot()).toEqual(before);
      await w.emu.click({ user: w.bob, message: ask.message!, label: "Cancel" });
    });

    it("WHEN he confirms THEN the deck is updated as stated; a double click changes nothing more", async () => {
      await study(w.bob, deckId, 1); // a third studied card: the question counts the progress as it is now
      const ask = await importAs(w.bob, anki);
      expect(text(ask.message)).toContain("**3 of them with study progress**");
      const done = await w.emu.click({ user: w.bob, message: ask.message!, label: "Update it" });
      expect(done.message?.embeds[0]?.title).toBe("Updated: Pytorch Flashcards");
      expect(done.message?.embeds[0]?.description).toContain(
        "Format: **Anki notes in plain text** · **81** cards: 81 new, 0 kept with their progress, 81 retired",
      );
      expect(done.message?.attachments).toEqual([]);
      expect(await personalDecks(w.bob.id)).toEqual([
        { id: deckId, name: "Pytorch Flashcards", active: 81, retired: 81 },
      ]);
      // The studied cards are retired, not deleted: their states and history stay for stats.
      expect(
        await sqlRow(db(), sql`SELECT count(*) AS n FROM card_states WHERE user_id = ${w.bob.id}`),
      ).toEqual({
        n: 3,
      });

      const after = await snapshot();
      const again = await w.emu.click({
        user: w.bob,
        message: ask.message!,
        label: "Update it",
        stale: true,
      });
      expect(text(answerOf(again))).toContain("already answered");
      expect(await snapshot()).toEqual(after);
    });
  });

  describe("GIVEN alice's studied Brainscape deck and the same Anki export", () => {
    it("WHEN she imports it as a new deck THEN her deck is untouched; two clicks at once make one deck; the next import of the file updates the new deck without asking", async () => {
      await importAs(w.alice, file("pytorch-flashcards.brainscape.txt", BRAINSCAPE));
      const [old] = await personalDecks(w.alice.id);
      await study(w.alice, old?.id ?? "", 1);
      const anki = await shippedAnkiExport(w.alice);
      const ask = await importAs(w.alice, anki);
      expect(ask.message?.embeds[0]?.title).toBe("Update Pytorch Flashcards?");

      // Two clicks that arrive together (a double click before the first answer): one import, one "out of date".
      const clicks = await Promise.all([
        w.emu.click({ user: w.alice, message: ask.message!, label: "Import as a new deck" }),
        w.emu.click({ user: w.alice, message: ask.message!, label: "Import as a new deck" }),
      ]);
      const answers = clicks.map((c) => text(c.messages.at(-1) ?? c.message));
      expect(answers.filter((a) => a.includes("Imported: PyTorch Flashcards"))).toHaveLength(1);
      expect(answers.filter((a) => a.includes("This question is out of date"))).toHaveLength(1);
      // The question now shows the import, not the refusal of the second click.
      expect(ask.message?.embeds[0]?.title).toBe("Imported: PyTorch Flashcards");
      const decks = await personalDecks(w.alice.id);
      expect(decks.map(({ name, active, retired }) => ({ name, active, retired }))).toEqual([
        { name: "Pytorch Flashcards", active: 81, retired: 0 },
        { name: "PyTorch Flashcards", active: 81, retired: 0 },
      ]);
      expect(
        await sqlRow(
          db(),
          sql`SELECT count(*) AS n FROM card_states cs JOIN cards c ON c.id = cs.card_id
        WHERE cs.user_id = ${w.alice.id} AND c.deck_id = ${old?.id} AND c.retired_at IS NULL`,
        ),
      ).toEqual({ n: 1 });

      const again = await importAs(w.alice, anki);
      expect(again.message?.embeds[0]?.title).toBe("Updated: PyTorch Flashcards");
      expect(again.message?.embeds[0]?.description).toContain(
        "0 new, 81 kept with their progress, 0 retired",
      );
      expect(await personalDecks(w.alice.id)).toHaveLength(2);
    });
  });
});
