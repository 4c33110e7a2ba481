/**
 * `/deck import import_progress:true` of an Anki package through the emulator, on both engines: bob keeps his Anki
 * schedule — a card reviewed yesterday with a long interval is not due, an overdue one is, a card Anki never
 * showed him is new — and his Anki reviews are in /stats. An update that asks first carries the package itself
 * (named for the deck: Spanish.apkg) and its buttons the flag, so the confirm brings the progress too. Asked for a server deck or with a
 * text file, it is refused and nothing is written.
 */
import { sql } from "drizzle-orm";
import { createEmptyCard } from "ts-fsrs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  BASIC,
  collectionBytes,
  type FixtureNote,
  type FixtureReview,
  packageBytes,
} from "../../datagen/anki-packages.ts";
import type { Grade } from "../../src/core/scheduling.ts";
import type { InteractionResult, StoredMessage } from "../../src/emulator/index.ts";
import { sqlRow, sqlRows } from "../helpers/sql-template.ts";
import { E2E_ENGINES, startWorld, type World } from "./harness.ts";

const START = "2026-03-02T10:00:00Z";
const NOW = Date.parse(START);
const DAY = 86_400_000;
const MIN = 60_000;

/** Learned 300 days ago and reviewed well since, last yesterday: months to go. */
const RECENT: FixtureReview[] = [
  { at: NOW - 300 * DAY, ease: 3, type: 0, factor: 0 },
  { at: NOW - 300 * DAY + 10 * MIN, ease: 3, type: 0 },
  { at: NOW - 290 * DAY, ease: 3 },
  { at: NOW - 260 * DAY, ease: 3 },
  { at: NOW - 180 * DAY, ease: 3 },
  { at: NOW - DAY, ease: 3 },
];
/** Learned 200 days ago, reviewed once: long overdue. */
const OVERDUE: FixtureReview[] = [
  { at: NOW - 200 * DAY + 1, ease: 3, type: 0, factor: 0 },
  { at: NOW - 200 * DAY + 10 * MIN + 1, ease: 3, type: 0 },
  { at: NOW - 195 * DAY, ease: 3 },
];

const note = (id: number, guid: string, front: string, back: string, reviews: FixtureReview[] = []) =>
  ({ id, guid, mid: BASIC.id, fields: [front, back], ords: [0], reviews }) satisfies FixtureNote;
const pkg = (notes: FixtureNote[]) =>
  packageBytes(
    "collection.anki21",
    collectionBytes({ schema: 11, noteTypes: [BASIC], decks: { 1: "Spanish" }, notes }),
  );
const SPANISH = pkg([
  note(1, "s-recent", "el perro", "the dog", RECENT),
  note(2, "s-overdue", "el gato", "the cat", OVERDUE),
  note(3, "s-new", "la casa", "the house"),
]);

describe.each(E2E_ENGINES)("%s", (engine) => {
  let w: World;
  beforeEach(async () => {
    w = await startWorld({ engine, start: START });
  });
  afterEach(() => w.stop());

  const db = () => w.bot.deps.db;
  const text = (m: StoredMessage | undefined) => JSON.stringify([m?.content, m?.embeds]);
  const answerOf = (r: InteractionResult) => r.messages.at(-1) ?? r.message;
  const importFile = (name: string, data: Uint8Array, options: Record<string, unknown> = {}) =>
    w.emu.runCommand({
      user: w.bob,
      channel: w.channel,
      command: "deck import",
      options: {
        file: { name, contentType: "application/octet-stream", data: Buffer.from(data) },
        ...options,
      } as never,
    });
  const deckNamed = async (name: string) =>
    (await sqlRow<{ id: string }>(db(), sql`SELECT id FROM decks WHERE name = ${name}`))?.id ?? "";
  const stateOf = (deckId: string, key: string) =>
    sqlRow<{ due: number; reps: number; lapses: number; state: number }>(
      db(),
      sql`SELECT s.due, s.reps, s.lapses, s.state FROM card_states s JOIN cards c ON c.id = s.card_id
        WHERE s.user_id = ${w.bob.id} AND c.deck_id = ${deckId} AND c.key = ${key}`,
    );
  /** Where ts-fsrs (the bot's own scheduler, bob's default settings) puts a card after these ratings. */
  const dueAfter = (reviews: FixtureReview[]) => {
    const f = w.bot.deps.schedulers.for();
    let card = createEmptyCard(new Date(reviews[0]?.at ?? 0));
    for (const r of reviews) card = f.next(card, new Date(r.at), r.ease as Grade).card;
    return card.due.getTime();
  };
  const hasButton = (m: StoredMessage | undefined, label: string) =>
    (m?.components ?? []).some((row: { components: { label?: string }[] }) =>
      row.components.some((b) => b.label === label),
    );
  /** A /study session to its end, every card rated Easy: the fronts it showed, in order. */
  async function studyAll(deckId: string): Promise<string[]> {
    let view = await w.emu.runCommand({
      user: w.bob,
      channel: w.channel,
      command: "study",
      options: { deck: deckId },
    });
    const fronts: string[] = [];
    for (let k = 0; k < 10 && hasButton(view.message, "Show answer"); k++) {
      fronts.push(text(view.message));
      const shown = await w.emu.click({ user: w.bob, message: view.message!, label: "Show answer" });
      view = await w.emu.click({ user: w.bob, message: shown.message!, label: "Easy" });
    }
    expect(hasButton(view.message, "Show answer")).toBe(false);
    return fronts;
  }

  it("GIVEN his Anki package WHEN bob imports it with import_progress THEN /study follows his Anki schedule and /stats has his history", async () => {
    const r = await importFile("Spanish.apkg", SPANISH, { import_progress: true });
    const embed = r.message?.embeds[0];
    expect(embed?.title).toBe("Imported: Spanish");
    expect(embed?.description).toContain(
      `Anki progress: **2 cards** on their Anki schedule, ${RECENT.length + OVERDUE.length} reviews in your history.`,
    );
    const deckId = await deckNamed("Spanish");
    expect((await stateOf(deckId, "s-recent"))?.due).toBe(dueAfter(RECENT));
    expect(dueAfter(RECENT)).toBeGreaterThan(NOW + 30 * DAY);
    expect((await stateOf(deckId, "s-overdue"))?.due).toBe(dueAfter(OVERDUE));
    expect(dueAfter(OVERDUE)).toBeLessThan(NOW);
    expect(await stateOf(deckId, "s-new")).toBeUndefined();

    const opening = await w.emu.runCommand({
      user: w.bob,
      channel: w.channel,
      command: "study",
      options: { deck: deckId },
    });
    expect(opening.message?.embeds[0]?.footer?.text).toMatch(/^1 due · /);
    const fronts = await studyAll(deckId);
    expect(fronts).toEqual([expect.stringContaining("el gato"), expect.stringContaining("la casa")]);
    expect(fronts.join("\n")).not.toContain("el perro");

    const stats = await w.emu.runCommand({ user: w.bob, channel: w.channel, command: "stats" });
    const reviews = stats.message?.embeds[0]?.fields?.find((f: { name: string }) => f.name === "Reviews");
    // Yesterday's Anki review and today's two here; the streak is the bot's own days.
    expect(reviews?.value).toContain("30 days **3**");
    expect(text(stats.message)).toContain("Current **1 day**");
    const board = await sqlRow<{ n: number }>(
      db(),
      sql`SELECT count(*) AS n FROM review_logs WHERE source = 'import' AND guild_id IS NOT NULL`,
    );
    expect(Number(board?.n)).toBe(0);
    expect(w.emu.rejections).toEqual([]);
  });

  it("GIVEN an update that retires a studied card WHEN he imports the new package with progress THEN the question carries the package and the confirm brings the progress", async () => {
    const first = pkg([note(1, "s-old", "el perro", "the dog"), note(2, "s-overdue", "el gato", "the cat")]);
    await importFile("Spanish.apkg", first);
    const deckId = await deckNamed("Spanish");
    const studied = await studyAll(deckId);
    expect(studied).toHaveLength(2);
    const next = pkg([
      note(2, "s-overdue", "el gato", "the cat", OVERDUE),
      note(3, "s-new", "la casa", "the house", RECENT),
    ]);
    const ask = await importFile("Spanish.apkg", next, { import_progress: true });
    expect(ask.message?.embeds[0]?.title).toBe("Update Spanish?");
    expect(ask.message?.embeds[0]?.description).toContain("with your Anki progress");
    const attached = ask.message?.attachments ?? [];
    // Named for the deck it would import as: "Import as a new deck" takes that name.
    expect(attached.map((a) => a.filename)).toEqual(["Spanish.apkg"]);
    expect(Buffer.compare(attached[0]?.data ?? Buffer.alloc(0), Buffer.from(next))).toBe(0);
    const ids = (ask.message?.components[0]?.components ?? []).map((b: { custom_id: string }) => b.custom_id);
    expect(ids.slice(0, 2).every((id: string) => id.endsWith(":p"))).toBe(true);
    expect(await stateOf(deckId, "s-new")).toBeUndefined();

    const done = await w.emu.click({ user: w.bob, message: ask.message!, label: "Update it" });
    const reply = answerOf(done);
    expect(reply?.embeds[0]?.title).toBe("Updated: Spanish");
    // The card he studied here keeps its schedule; the new one comes with its Anki history.
    expect(reply?.embeds[0]?.description).toContain(
      `Anki progress: **1 card** on their Anki schedule, ${RECENT.length} reviews in your history · 1 card kept the schedule it has here.`,
    );
    expect((await stateOf(deckId, "s-new"))?.due).toBe(dueAfter(RECENT));
    expect((await stateOf(deckId, "s-overdue"))?.reps).toBe(1);
    const retired = await sqlRows(
      db(),
      sql`SELECT key FROM cards WHERE deck_id = ${deckId} AND retired_at IS NOT NULL`,
    );
    expect(retired).toEqual([{ key: "s-old" }]);
    expect(w.emu.rejections).toEqual([]);
  });

  it("GIVEN import_progress for a server deck or with a text file THEN refused with a reason, nothing written", async () => {
    const before = await sqlRows(db(), sql`SELECT id FROM decks WHERE source = 'import'`);
    const server = await w.emu.runCommand({
      user: w.alice,
      channel: w.channel,
      command: "deck import",
      options: {
        file: { name: "Spanish.apkg", data: Buffer.from(SPANISH) },
        scope: "server",
        import_progress: true,
      } as never,
    });
    expect(text(answerOf(server))).toContain("it is for a personal deck only (`scope: personal`)");
    const csv = await importFile("Spanish.csv", new TextEncoder().encode("hola,hello\n"), {
      import_progress: true,
    });
    expect(text(answerOf(csv))).toContain("a text deck has none");
    expect(await sqlRows(db(), sql`SELECT id FROM decks WHERE source = 'import'`)).toEqual(before);
    expect(await sqlRows(db(), sql`SELECT 1 FROM review_logs`)).toEqual([]);
  });
});
