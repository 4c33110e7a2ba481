/**
 * `/card add` through the emulator, on both engines: a modal (question, answer, tags) adds a card at the end of one
 * of the member's decks, and it comes up in their next session; decks they may not change, a question the deck
 * already has and an empty side are refused before or after the modal, and nothing is written.
 */
import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { StoredMessage } from "../../src/emulator/index.ts";
import { sqlRow, sqlRows } from "../helpers/sql-template.ts";
import { E2E_ENGINES, startWorld, type World } from "./harness.ts";

describe.each(E2E_ENGINES)("%s", (engine) => {
  let w: World;
  let deckId: string;
  const text = (m: StoredMessage | undefined) => JSON.stringify([m?.content, m?.embeds]);
  const cards = () =>
    sqlRows<{ key: string; front: string; back: string; tags: string; position: number }>(
      w.bot.deps.db,
      sql`SELECT key, front, back, tags, position FROM cards WHERE deck_id = ${deckId} AND retired_at IS NULL ORDER BY position`,
    );
  const add = (user: World["bob"], deck: string) =>
    w.emu.runCommand({ user, channel: w.channel, command: "card add", options: { deck } });

  beforeEach(async () => {
    w = await startWorld({ engine, start: "2026-03-02T10:00:00Z" });
    await w.emu.runCommand({
      user: w.bob,
      channel: w.channel,
      command: "deck import",
      options: { file: { name: "Spanish.csv", data: Buffer.from("front,back\nhola,hello\n") } } as never,
    });
    deckId =
      (await sqlRow<{ id: string }>(w.bot.deps.db, sql`SELECT id FROM decks WHERE name = 'Spanish'`))?.id ??
      "";
  });
  afterEach(() => w.stop());

  it("GIVEN bob's deck WHEN he adds a card through the modal THEN it is the deck's last card and comes up in his next session", async () => {
    const opened = await add(w.bob, deckId);
    expect(opened.modal?.title).toBe("New card · Spanish");
    const done = await w.emu.submitModal({
      user: w.bob,
      interaction: opened,
      values: { front: "  gracias  ", back: "thank you", tags: "polite, basics" },
    });
    expect(done.ephemeral).toBe(true);
    expect(done.message?.content).toContain("Added to **Spanish**");
    const all = await cards();
    expect(all.map((c) => [c.front, c.back, c.position])).toEqual([
      ["hola", "hello", 0],
      ["gracias", "thank you", 1],
    ]);
    expect(JSON.parse(all[1]?.tags ?? "[]")).toEqual(["polite", "basics"]);
    const s = await w.emu.runCommand({
      user: w.bob,
      channel: w.channel,
      command: "study",
      options: { deck: deckId },
    });
    expect(text(s.message)).toContain("hola");
    const shown = await w.emu.click({ user: w.bob, message: s.message!, label: "Show answer" });
    const next = await w.emu.click({ user: w.bob, message: shown.message!, label: "Good" });
    expect(text(next.message)).toContain("gracias");
    expect(w.emu.rejections).toEqual([]);
  });

  it("GIVEN decks bob may not change, a question the deck has, or an empty answer THEN a clear refusal and nothing written", async () => {
    const others = await add(w.alice, deckId);
    expect(others.modal).toBeUndefined();
    expect(others.message?.content).toContain(`There is no deck \`${deckId}\` here`);
    const shipped = await add(w.bob, "pytorch");
    expect(shipped.message?.content).toContain("ships with the bot");
    const opened = await add(w.bob, deckId);
    const twice = await w.emu.submitModal({
      user: w.bob,
      interaction: opened,
      values: { front: "hola", back: "hi" },
    });
    expect(twice.message?.content).toContain("already has a card with this question, so nothing was added");
    const again = await add(w.bob, deckId);
    const empty = await w.emu.submitModal({
      user: w.bob,
      interaction: again,
      values: { front: "adiós", back: "   " },
    });
    expect(empty.message?.content).toContain("The card was not added: it has an empty answer");
    expect((await cards()).map((c) => c.front)).toEqual(["hola"]);
  });
});
