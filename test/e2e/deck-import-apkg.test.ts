/**
 * `/deck import` of an Anki package through the emulator, on both engines: the deck and its cards (reversed and
 * cloze included) appear, `/study` shows them; a re-import of the same package keeps every card's progress (keys
 * from the notes' guids); an export to Anki's text and back keeps the cards; a hostile package changes nothing.
 */
import { sql } from "drizzle-orm";
import { zipSync } from "fflate";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BASIC, CLOZE, collectionBytes, packageBytes, REVERSED } from "../../datagen/anki-packages.ts";
import type { StoredMessage } from "../../src/emulator/index.ts";
import { sqlRow, sqlRows } from "../helpers/sql-template.ts";
import { E2E_ENGINES, startWorld, type World } from "./harness.ts";

const PACKAGE = packageBytes(
  "collection.anki21",
  collectionBytes({
    schema: 11,
    noteTypes: [BASIC, REVERSED, CLOZE],
    decks: { 1: "German" },
    notes: [
      {
        id: 1,
        guid: "g-hund",
        mid: REVERSED.id,
        fields: ["der Hund", "the dog"],
        ords: [0, 1],
        tags: ["animals"],
      },
      { id: 2, guid: "g-haus", mid: BASIC.id, fields: ["das Haus", "the house"], ords: [0] },
      {
        id: 3,
        guid: "g-cloze",
        mid: CLOZE.id,
        fields: ["{{c1::Berlin}} is in {{c2::Germany}}", ""],
        ords: [0, 1],
      },
    ],
  }),
);

describe.each(E2E_ENGINES)("%s", (engine) => {
  let w: World;
  beforeEach(async () => {
    w = await startWorld({ engine, start: "2026-03-02T10:00:00Z" });
  });
  afterEach(() => w.stop());

  const text = (m: StoredMessage | undefined) => JSON.stringify([m?.content, m?.embeds]);
  const importFile = (name: string, data: Uint8Array) =>
    w.emu.runCommand({
      user: w.bob,
      channel: w.channel,
      command: "deck import",
      options: { file: { name, contentType: "application/octet-stream", data: Buffer.from(data) } } as never,
    });
  const cards = (deckId: string) =>
    sqlRows<{ key: string; front: string; back: string }>(
      w.bot.deps.db,
      sql`SELECT key, front, back FROM cards WHERE deck_id = ${deckId} AND retired_at IS NULL ORDER BY position`,
    );

  it("GIVEN an .apkg THEN bob's personal deck has its five cards, /study shows them, and a re-import keeps his progress", async () => {
    const r = await importFile("German.apkg", PACKAGE);
    const embed = r.message?.embeds[0];
    expect(embed?.title).toBe("Imported: German");
    expect(embed?.description).toContain("Format: **Anki package** · **5** cards");
    const deck = await sqlRow<{ id: string }>(w.bot.deps.db, sql`SELECT id FROM decks WHERE name = 'German'`);
    expect((await cards(deck?.id ?? "")).map((c) => [c.key, c.front, c.back])).toEqual([
      ["g-hund", "der Hund", "the dog"],
      ["g-hund.t1", "the dog", "der Hund"],
      ["g-haus", "das Haus", "the house"],
      ["g-cloze.c1", "[…] is in Germany", "**Berlin** is in Germany"],
      ["g-cloze.c2", "Berlin is in […]", "Berlin is in **Germany**"],
    ]);
    const s = await w.emu.runCommand({
      user: w.bob,
      channel: w.channel,
      command: "study",
      options: { deck: deck?.id },
    });
    expect(text(s.message)).toContain("der Hund");
    const shown = await w.emu.click({ user: w.bob, message: s.message!, label: "Show answer" });
    await w.emu.click({ user: w.bob, message: shown.message!, label: "Good" });
    const again = await importFile("German.apkg", PACKAGE);
    expect(again.message?.embeds[0]?.description).toContain("0 new, 5 kept with their progress, 0 retired");
    const states = await sqlRows(w.bot.deps.db, sql`SELECT 1 FROM card_states WHERE user_id = ${w.bob.id}`);
    expect(states).toHaveLength(1);
    // Exported as Anki's text and imported back: the same cards.
    const exported = await w.emu.runCommand({
      user: w.bob,
      channel: w.channel,
      command: "deck export",
      options: { deck: deck?.id, format: "anki" },
    });
    const att = exported.message?.attachments[0];
    const back = await w.emu.runCommand({
      user: w.bob,
      channel: w.channel,
      command: "deck import",
      options: {
        file: { name: att?.filename ?? "x", data: att?.data ?? Buffer.alloc(0) },
        name: "German copy",
      } as never,
    });
    expect(back.message?.embeds[0]?.description).toContain("**5** cards");
    const copy = await sqlRow<{ id: string }>(
      w.bot.deps.db,
      sql`SELECT id FROM decks WHERE name = 'German copy'`,
    );
    expect((await cards(copy?.id ?? "")).map((c) => [c.front, c.back])).toEqual(
      (await cards(deck?.id ?? "")).map((c) => [c.front, c.back]),
    );
    expect(w.emu.rejections).toEqual([]);
  });

  it("GIVEN a zip bomb named .apkg THEN it is refused with a reason and nothing is written", async () => {
    const bomb = zipSync({ "collection.anki2": new Uint8Array(65 * 1024 * 1024) }, { level: 9 });
    const r = await importFile("bomb.apkg", bomb);
    expect(r.message?.content).toContain(
      "**Nothing was imported** from `bomb.apkg`: its collection unpacks to more than 64 MiB",
    );
    const n = await sqlRow<{ n: number }>(
      w.bot.deps.db,
      sql`SELECT count(*) AS n FROM decks WHERE source <> 'file'`,
    );
    expect(Number(n?.n)).toBe(0);
  });
});
