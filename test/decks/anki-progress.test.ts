/**
 * An Anki package's review log replayed as the importer's progress (`import_progress`), without a database: the
 * revlog is read per card key only when asked; each card replays to exactly the state (and logs) ts-fsrs gives when
 * the same ratings are fed to it one by one, with the member's own settings; manual, rescheduled and cram entries
 * are left out as Anki's FSRS leaves them out, a Forget starts the card again; entries out of order or in the
 * future do not break it; a package over the review cap, and a text file, are refused.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { createEmptyCard, default_w, type FSRS } from "ts-fsrs";
import { describe, expect, it } from "vitest";
import {
  type CollectionSpec,
  collectionBytes,
  type FixtureReview,
  germanCollection,
  packageBytes,
} from "../../datagen/anki-packages.ts";
import { type AnkiRevlogEntry, replayAnkiHistory } from "../../src/core/anki-replay.ts";
import { MAX_IMPORTED_REVIEWS } from "../../src/core/decks/limits.ts";
import { UserError } from "../../src/core/errors.ts";
import {
  type Card,
  DEFAULT_SCHEDULING,
  type Grade,
  type ReviewLog,
  Schedulers,
  type SchedulingSettings,
  State,
} from "../../src/core/scheduling.ts";
import { readImportFile } from "../../src/services/deck-file.ts";
import { atOnce } from "../../src/services/slices.ts";

const DAY = 86_400_000;
const MIN = 60_000;
const T0 = Date.parse("2025-06-01T09:00:00Z");
const NOW = new Date("2026-03-02T10:00:00Z");

/** A card learned, lapsed once, relearned and reviewed since; and its reverse, learned and reviewed twice. */
const HUND: FixtureReview[] = [
  { at: T0, ease: 3, type: 0, factor: 0, time: 6000 },
  { at: T0 + 10 * MIN, ease: 3, type: 0, factor: 2500 },
  { at: T0 + 3 * DAY, ease: 3 },
  { at: T0 + 10 * DAY, ease: 1, time: 70_000 },
  { at: T0 + 10 * DAY + 10 * MIN, ease: 3, type: 2 },
  { at: T0 + 20 * DAY, ease: 2 },
  { at: T0 + 50 * DAY, ease: 4 },
];
const DOG: FixtureReview[] = [
  { ord: 1, at: T0 + 1, ease: 3, type: 0, factor: 0 },
  { ord: 1, at: T0 + 2 * DAY, ease: 3 },
  { ord: 1, at: T0 + 9 * DAY, ease: 3 },
];

const spec = (schema: 11 | 18): CollectionSpec => germanCollection(schema, [...HUND, ...DOG]);

const read = (bytes: Uint8Array, progress: boolean, fileName = "German.apkg") =>
  atOnce(readImportFile({ fileName, bytes, progress }));

/** The ratings fed to ts-fsrs one by one, from an empty card at the first: what the replay must equal. */
function oneByOne(
  f: FSRS,
  ratings: readonly { at: number; grade: Grade }[],
): { card: Card; logs: ReviewLog[] } {
  let card = createEmptyCard(new Date(ratings[0]?.at ?? 0));
  const logs: ReviewLog[] = [];
  for (const r of ratings) {
    const next = f.next(card, new Date(r.at), r.grade);
    card = next.card;
    logs.push(next.log);
  }
  return { card, logs };
}

const ratingsOf = (reviews: FixtureReview[]) => reviews.map((r) => ({ at: r.at, grade: r.ease as Grade }));
const entry = (at: number, ease: number, type = 1, factor = 2500, time = 8000): AnkiRevlogEntry => ({
  id: at,
  ease,
  type,
  factor,
  time,
});

const MINE: SchedulingSettings = {
  retention: 0.85,
  maxInterval: 3650,
  learningSteps: ["5m", "1h"],
  relearningSteps: ["20m"],
  weights: default_w.map((w, k) => (k === 0 ? w * 1.5 : w)),
};

describe("GIVEN an Anki package with a review log", () => {
  for (const [entryName, schema] of [
    ["collection.anki21", 11],
    ["collection.anki21b", 18],
  ] as const) {
    it(`THEN ${entryName} (schema ${schema}) hands each card's revlog to the import by card key, only when asked`, async () => {
      const bytes = packageBytes(entryName, collectionBytes(spec(schema)));
      const file = await read(bytes, true);
      expect([...(file.history?.byKey.keys() ?? [])]).toEqual(["g-hund", "g-hund.t1"]);
      expect(file.history?.total).toBe(HUND.length + DOG.length);
      expect(file.history?.byKey.get("g-hund")?.map((e) => [e.id, e.ease, e.type])).toEqual(
        HUND.map((r) => [r.at, r.ease, r.type ?? 1]),
      );
      expect(file.history?.byKey.get("g-hund")?.[3]?.time).toBe(70_000);
      expect((await read(bytes, false)).history).toBeUndefined();
    });
  }

  for (const [name, settings] of [
    ["ts-fsrs's defaults", DEFAULT_SCHEDULING],
    ["the member's own retention, steps and weights", MINE],
  ] as const) {
    it(`THEN each card replays to exactly the state and logs ts-fsrs gives for its ratings one by one (${name})`, async () => {
      const file = await read(packageBytes("collection.anki21", collectionBytes(spec(11))), true);
      // Fuzz on, as the bot runs: ts-fsrs seeds it from the card and the review, so it replays the same.
      const f = new Schedulers({ fuzz: true }).for(settings);
      for (const [key, reviews] of [
        ["g-hund", HUND],
        ["g-hund.t1", DOG],
      ] as const) {
        const replayed = replayAnkiHistory(f, file.history?.byKey.get(key) ?? [], NOW);
        const expected = oneByOne(f, ratingsOf(reviews));
        expect(replayed.card).toEqual(expected.card);
        expect(replayed.reviews.map((r) => r.log)).toEqual(expected.logs);
        expect(replayed.future).toBe(0);
      }
      const hund = replayAnkiHistory(f, file.history?.byKey.get("g-hund") ?? [], NOW);
      expect(hund.card?.lapses).toBe(1);
      expect(hund.card?.reps).toBe(HUND.length);
      // Time spent as the bot counts it: at most a minute a card.
      expect(hund.reviews.map((r) => r.durationMs)).toEqual([6000, 8000, 8000, 60_000, 8000, 8000, 8000]);
    });
  }

  it("THEN a different scheduler gives a different state (the settings are the member's, not fixed)", async () => {
    const file = await read(packageBytes("collection.anki21", collectionBytes(spec(11))), true);
    const entries = file.history?.byKey.get("g-hund") ?? [];
    const defaults = replayAnkiHistory(new Schedulers({ fuzz: false }).for(), entries, NOW);
    const mine = replayAnkiHistory(new Schedulers({ fuzz: false }).for(MINE), entries, NOW);
    expect(mine.card?.due.getTime()).not.toBe(defaults.card?.due.getTime());
  });

  it("THEN a package with no revlog lines for its cards imports with a warning, not a refusal", async () => {
    const bare = spec(11);
    bare.notes = bare.notes.map(({ reviews: _r, ...n }) => n);
    const file = await read(packageBytes("collection.anki2", collectionBytes(bare)), true);
    expect(file.cards).toHaveLength(3);
    expect(file.history?.byKey.size).toBe(0);
    expect(file.warnings.map((w) => w.message)).toContain(
      "the package has no review history (revlog) for these cards: they start as new",
    );
  });

  it("THEN a collection without a revlog table at all is a package without history", async () => {
    const dir = mkdtempSync(join(tmpdir(), "anki-progress-"));
    try {
      const path = join(dir, "c.anki2");
      writeFileSync(path, collectionBytes(spec(11)));
      const db = new Database(path);
      db.exec("DROP TABLE revlog");
      db.close();
      const file = await read(packageBytes("collection.anki2", readFileSync(path)), true);
      expect(file.history?.total).toBe(0);
      expect(file.cards).toHaveLength(3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it(`THEN a history over ${MAX_IMPORTED_REVIEWS.toLocaleString("en-US")} reviews is refused with progress, and imports without`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "anki-progress-"));
    try {
      const path = join(dir, "c.anki2");
      writeFileSync(path, collectionBytes(spec(11)));
      const db = new Database(path);
      db.prepare(
        `WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < ?)
         INSERT INTO revlog SELECT ? + k, 3, 0, 3, 1, 1, 2500, 5000, 1 FROM n`,
      ).run(MAX_IMPORTED_REVIEWS, T0 + 100 * DAY);
      db.close();
      const bytes = packageBytes("collection.anki2", readFileSync(path));
      const refused = await read(bytes, true).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(UserError);
      expect((refused as Error).message).toBe(
        `**Nothing was imported** from \`German.apkg\`: its review history holds ${(MAX_IMPORTED_REVIEWS + HUND.length + DOG.length).toLocaleString("en-US")} reviews of these cards, and \`import_progress\` brings at most ${MAX_IMPORTED_REVIEWS.toLocaleString("en-US")}. Export fewer decks from Anki, or import it without \`import_progress\` (the cards then start as new).`,
      );
      expect((await read(bytes, false)).cards).toHaveLength(3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("THEN import_progress with a text deck is refused: it has no review log", async () => {
    const refused = await read(new TextEncoder().encode("hola,hello\n"), true, "Spanish.csv").catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(UserError);
    expect((refused as Error).message).toContain("`import_progress` brings an Anki package's review history");
  });
});

describe("GIVEN a card's revlog entries as a collection may hold them", () => {
  const f = new Schedulers({ fuzz: false }).for();
  const learnt = [entry(T0, 3, 0, 0), entry(T0 + 10 * MIN, 3, 0), entry(T0 + 4 * DAY, 3)];

  it("THEN entries out of order replay as in time order", () => {
    const shuffled = [learnt[2], learnt[0], learnt[1]] as AnkiRevlogEntry[];
    expect(replayAnkiHistory(f, shuffled, NOW)).toEqual(replayAnkiHistory(f, learnt, NOW));
  });

  it("THEN entries dated after now are left out and counted", () => {
    const later = [...learnt, entry(NOW.getTime() + DAY, 1), entry(NOW.getTime() + 2 * DAY, 1)];
    const r = replayAnkiHistory(f, later, NOW);
    expect(r.future).toBe(2);
    expect(r.card).toEqual(replayAnkiHistory(f, learnt, NOW).card);
  });

  it("THEN Set due date, rescheduled and cram entries move nothing; a filtered deck that reschedules counts", () => {
    const noise = [
      entry(T0 + 5 * DAY, 0, 4, 2500), // Set due date (manual, ease factor kept)
      entry(T0 + 6 * DAY, 0, 5, 2500), // rescheduled
      entry(T0 + 7 * DAY, 1, 3, 0), // cramming: a filtered deck without rescheduling
      entry(T0 + 8 * DAY, 9, 1), // no such button
    ];
    const r = replayAnkiHistory(f, [...learnt, ...noise], NOW);
    expect(r.card).toEqual(
      oneByOne(
        f,
        learnt.map((e) => ({ at: e.id, grade: e.ease as Grade })),
      ).card,
    );
    expect(r.reviews).toHaveLength(3);
    const rescheduling = entry(T0 + 9 * DAY, 1, 3, 2500);
    const counted = replayAnkiHistory(f, [...learnt, rescheduling], NOW);
    expect(counted.card?.lapses).toBe(1);
    expect(counted.reviews).toHaveLength(4);
  });

  it("THEN a Forget (manual, ease 0, factor 0) starts the card again: its state is that of the ratings after it", () => {
    const forget = entry(T0 + 5 * DAY, 0, 4, 0);
    const after = [entry(T0 + 6 * DAY, 3, 0, 0), entry(T0 + 6 * DAY + 10 * MIN, 4, 0)];
    const r = replayAnkiHistory(f, [...learnt, forget, ...after], NOW);
    const fresh = oneByOne(
      f,
      after.map((e) => ({ at: e.id, grade: e.ease as Grade })),
    );
    expect(r.card).toMatchObject({
      due: fresh.card.due,
      stability: fresh.card.stability,
      difficulty: fresh.card.difficulty,
      state: fresh.card.state,
      reps: fresh.card.reps,
      lapses: fresh.card.lapses,
      last_review: fresh.card.last_review,
    });
    // Every rating is the member's history, before the Forget too; the Forget itself is no review.
    expect(r.reviews.map((x) => x.log.rating)).toEqual([3, 3, 3, 3, 4]);
    // Forgotten last: the card is new again (no state).
    const reset = replayAnkiHistory(f, [...learnt, forget], NOW);
    expect(reset.card).toBeNull();
    expect(reset.reviews).toHaveLength(3);
  });

  it("THEN no rating at all (or only a Forget) leaves the card new", () => {
    expect(replayAnkiHistory(f, [], NOW)).toEqual({ card: null, reviews: [], future: 0 });
    expect(replayAnkiHistory(f, [entry(T0, 0, 4, 0)], NOW).card).toBeNull();
  });

  it("THEN a card last reviewed in Anki is due when ts-fsrs says, not before", () => {
    const r = replayAnkiHistory(f, learnt, NOW);
    expect(r.card?.state).toBe(State.Review);
    expect(r.card?.last_review?.getTime()).toBe(T0 + 4 * DAY);
    expect(r.card?.due.getTime()).toBeGreaterThan(T0 + 5 * DAY);
  });
});
