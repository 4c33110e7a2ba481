/**
 * `import_progress` on both engines: an Anki package's review log written as the importer's card states (exactly
 * ts-fsrs's, with their own settings) and review history (source "import") in the import's transaction, counted in
 * their /stats history and nowhere else (no points, no server totals, no streak), rebuilt the same from
 * review_logs; a card they studied here keeps its schedule; refusals write nothing; a 5,000-card deck with 30
 * reviews a card is written in bulk.
 */
import { createEmptyCard, default_w, type FSRS } from "ts-fsrs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  BASIC,
  collectionBytes,
  type FixtureReview,
  germanCollection,
  packageBytes,
} from "../../datagen/anki-packages.ts";
import { querySql } from "../../datagen/raw-sql.ts";
import { UserError } from "../../src/core/errors.ts";
import { type Card, type Grade, type ReviewLog, State } from "../../src/core/scheduling.ts";
import { getState, rowToCard } from "../../src/db/card-states.ts";
import { sessionTotals } from "../../src/db/review-logs.ts";
import { latestReview } from "../../src/db/review-undos.ts";
import { readScheduling, writeSettings } from "../../src/db/user-settings.ts";
import {
  type ImportOutcome,
  type ImportReport,
  type ImportRequest,
  importDeck,
  PROGRESS_PERSONAL_ONLY,
} from "../../src/services/deck-import.ts";
import { getStats } from "../../src/services/stats.ts";
import { rebuildStats } from "../../src/services/stats-rebuild.ts";
import { engineDeps } from "../helpers/deps.ts";
import { ENGINES } from "../helpers/engines.ts";
import { recordReview } from "../helpers/reviews.ts";

const BOB = "200000000000000001";
const GUILD = "100000000000000001";
const DAY = 86_400_000;
const MIN = 60_000;
const NOW = Date.parse("2026-03-02T08:00:00Z");
const T0 = NOW - 120 * DAY;

const HUND: FixtureReview[] = [
  { at: T0, ease: 3, type: 0, factor: 0, time: 6000 },
  { at: T0 + 10 * MIN, ease: 3, type: 0 },
  { at: T0 + 3 * DAY, ease: 3 },
  { at: T0 + 10 * DAY, ease: 1, time: 90_000 },
  { at: T0 + 10 * DAY + 10 * MIN, ease: 3, type: 2 },
  { at: T0 + 30 * DAY, ease: 3 },
  { at: T0 + 80 * DAY, ease: 4 },
];
const DOG: FixtureReview[] = [
  { ord: 1, at: T0 + 1, ease: 3, type: 0, factor: 0 },
  { ord: 1, at: T0 + 2 * DAY, ease: 3 },
  { ord: 1, at: T0 + 9 * DAY, ease: 2 },
];

const GERMAN = packageBytes("collection.anki21", collectionBytes(germanCollection(11, [...HUND, ...DOG])));
const REVIEWS = HUND.length + DOG.length;

/** The ratings fed to ts-fsrs one by one from an empty card: what the stored state must be. */
function oneByOne(f: FSRS, reviews: readonly FixtureReview[]): { card: Card; logs: ReviewLog[] } {
  let card = createEmptyCard(new Date(reviews[0]?.at ?? 0));
  const logs: ReviewLog[] = [];
  for (const r of reviews) {
    const next = f.next(card, new Date(r.at), r.ease as Grade);
    card = next.card;
    logs.push(next.log);
  }
  return { card, logs };
}

describe.each(ENGINES)("%s", (engine) => {
  let deps: Awaited<ReturnType<typeof engineDeps>>;
  beforeEach(async () => {
    deps = await engineDeps(engine);
  });
  afterEach(() => deps.close());

  const req = (over: Partial<ImportRequest> = {}): ImportRequest => ({
    userId: BOB,
    guildId: GUILD,
    canManageServer: false,
    fileName: "German.apkg",
    bytes: GERMAN,
    scope: "personal",
    progress: true,
    ...over,
  });
  function imported(o: ImportOutcome): ImportReport {
    if (o.kind !== "imported") throw new Error(`expected an import, got ${o.kind}`);
    return o;
  }
  const count = async (table: string, where = "") =>
    Number((await querySql<{ n: number }>(deps.db, `SELECT count(*) AS n FROM ${table} ${where}`))[0]?.n);
  const cardId = async (deckId: string, key: string) =>
    Number(
      (
        await querySql<{ id: number }>(deps.db, "SELECT id FROM cards WHERE deck_id = ? AND key = ?", [
          deckId,
          key,
        ])
      )[0]?.id,
    );
  const logsOf = (id: number) =>
    querySql<Record<string, number | string | null>>(
      deps.db,
      `SELECT rating, state, due, stability, difficulty, scheduled_days, learning_steps, review, duration_ms,
        source, guild_id FROM review_logs WHERE user_id = ? AND card_id = ? ORDER BY review`,
      [BOB, id],
    );
  const TABLES = [
    "decks",
    "cards",
    "subscriptions",
    "card_states",
    "review_logs",
    "stat_user_slots",
    "stat_user_days",
    "stat_streaks",
    "stat_guild_days",
    "stat_guild_members",
  ];
  const counts = async () => Promise.all(TABLES.map((t) => count(t)));

  it("GIVEN a package with a review log THEN the member's states are exactly ts-fsrs's for its ratings with their own settings, and its reviews their history", async () => {
    await writeSettings(deps.db, BOB, {
      retention: 0.85,
      learningSteps: "5m 1h",
      relearningSteps: "20m",
      fsrsWeights: JSON.stringify(default_w.map((w, k) => (k === 1 ? w * 2 : w))),
    });
    const report = imported(await importDeck(deps, req()));
    expect(report.progress).toEqual({ cards: 2, reviews: REVIEWS, kept: 0 });
    const f = deps.schedulers.for(await readScheduling(deps.db, BOB));
    for (const [key, reviews] of [
      ["g-hund", HUND],
      ["g-hund.t1", DOG],
    ] as const) {
      const id = await cardId(report.deckId, key);
      const expected = oneByOne(f, reviews);
      const row = await getState(deps.db, BOB, id);
      expect(row && rowToCard(row)).toEqual(expected.card);
      expect(row?.deckId).toBe(report.deckId);
      expect(await logsOf(id)).toEqual(
        expected.logs.map((l, k) => ({
          rating: l.rating,
          state: l.state,
          due: l.due.getTime(),
          stability: l.stability,
          difficulty: l.difficulty,
          scheduled_days: l.scheduled_days,
          learning_steps: l.learning_steps,
          review: l.review.getTime(),
          duration_ms: Math.min(60_000, reviews[k]?.time ?? 8000),
          source: "import",
          guild_id: null,
        })),
      );
    }
    // The card Anki never reviewed is new: no state.
    expect(await getState(deps.db, BOB, await cardId(report.deckId, "g-haus"))).toBeUndefined();
    // The member's /stats history has them: a slot per review here (each in its own quarter hour or sharing one).
    const slots = await querySql<{ n: number; mature: number }>(
      deps.db,
      "SELECT sum(reviews) AS n, sum(review_state_reviews) AS mature FROM stat_user_slots WHERE user_id = ?",
      [BOB],
    );
    expect(Number(slots[0]?.n)).toBe(REVIEWS);
    const reviewState = [...oneByOne(f, HUND).logs, ...oneByOne(f, DOG).logs].filter(
      (l) => l.state === State.Review,
    ).length;
    expect(Number(slots[0]?.mature)).toBe(reviewState);
    const stats = await getStats(deps, { viewerId: BOB, targetId: BOB, guildId: GUILD });
    expect(stats.heatmap.counts.reduce((a, b) => a + b, 0)).toBe(REVIEWS);
    // Nothing else: no points or study days (streak), no server's totals.
    expect(stats.streak).toEqual({ current: 0, longest: 0 });
    for (const table of ["stat_user_days", "stat_streaks", "stat_guild_days", "stat_guild_members"])
      expect(await count(table), table).toBe(0);
  });

  it("GIVEN a card the member studied here THEN a re-import with progress keeps its state, and a second one repeats nothing", async () => {
    const first = imported(await importDeck(deps, req({ progress: false })));
    expect(first.progress).toBeUndefined();
    expect(await count("review_logs")).toBe(0);
    const hund = await cardId(first.deckId, "g-hund");
    const rated = await recordReview(deps, {
      userId: BOB,
      guildId: GUILD,
      cardId: hund,
      grade: 3,
      source: "study",
      shownAt: NOW - 5000,
      version: 0,
    });
    expect(rated).toBe(true);
    const mine = await getState(deps.db, BOB, hund);
    const again = imported(await importDeck(deps, req()));
    expect(again.deckId).toBe(first.deckId);
    expect(again.progress).toEqual({ cards: 1, reviews: DOG.length, kept: 1 });
    expect(await getState(deps.db, BOB, hund)).toEqual(mine);
    expect(await count("review_logs", `WHERE card_id = ${hund}`)).toBe(1);
    const logs = await count("review_logs");
    const third = imported(await importDeck(deps, req()));
    expect(third.progress).toEqual({ cards: 0, reviews: 0, kept: 2 });
    expect(await count("review_logs")).toBe(logs);
  });

  it("GIVEN a card reset (Forget) in Anki after its ratings THEN a re-import repeats none of its history", async () => {
    const forgot = packageBytes(
      "collection.anki21",
      collectionBytes(
        germanCollection(11, [
          { at: NOW - 30 * DAY, ease: 3, type: 0 },
          { at: NOW - 27 * DAY, ease: 3, type: 1 },
          { at: NOW - 20 * DAY, ease: 0, type: 4, factor: 0 }, // Forget: the card is new again
        ]),
      ),
    );
    const first = imported(await importDeck(deps, req({ bytes: forgot })));
    const hund = await cardId(first.deckId, "g-hund");
    const logs = await count("review_logs", `WHERE card_id = ${hund}`);
    expect(logs).toBeGreaterThan(0);
    expect(await getState(deps.db, BOB, hund)).toBeUndefined();
    const slots = await querySql<{ n: number }>(deps.db, "SELECT sum(reviews) AS n FROM stat_user_slots");
    for (let k = 0; k < 2; k++) {
      const again = imported(await importDeck(deps, req({ bytes: forgot })));
      expect(again.progress?.reviews).toBe(0);
    }
    expect(await count("review_logs", `WHERE card_id = ${hund}`)).toBe(logs);
    expect(await querySql<{ n: number }>(deps.db, "SELECT sum(reviews) AS n FROM stat_user_slots")).toEqual(
      slots,
    );
  });

  it("GIVEN imported and studied reviews THEN a rebuild of the aggregates from review_logs gives the same /stats history", async () => {
    const report = imported(await importDeck(deps, req()));
    await recordReview(deps, {
      userId: BOB,
      guildId: GUILD,
      cardId: await cardId(report.deckId, "g-haus"),
      grade: 3,
      source: "study",
      shownAt: NOW - 5000,
      version: 0,
    });
    const snapshot = () =>
      Promise.all(
        ["stat_user_slots", "stat_user_days", "stat_streaks", "stat_guild_days", "stat_guild_members"].map(
          (t) => querySql(deps.db, `SELECT * FROM ${t} ORDER BY 1, 2`),
        ),
      );
    const before = await snapshot();
    expect(before[2]).toHaveLength(1); // the bot's own review made a streak
    expect(await rebuildStats(deps.db)).toBe(REVIEWS + 1);
    expect(await snapshot()).toEqual(before);
  });

  it("GIVEN a review made in Anki after the member's last rating here THEN Undo and the session's summary still see only the rating", async () => {
    const first = imported(await importDeck(deps, req({ progress: false })));
    const haus = await cardId(first.deckId, "g-haus");
    const sessionStart = NOW - 20 * MIN;
    deps.clock.set(new Date(NOW - 10 * MIN));
    await recordReview(deps, {
      userId: BOB,
      guildId: GUILD,
      cardId: haus,
      grade: 3,
      source: "study",
      shownAt: NOW - 10 * MIN - 5000,
      version: 0,
    });
    deps.clock.set(new Date(NOW));
    const later = packageBytes(
      "collection.anki21",
      collectionBytes(germanCollection(11, [{ at: NOW - MIN, ease: 3, type: 0, factor: 0 }])),
    );
    expect(imported(await importDeck(deps, req({ bytes: later }))).progress?.reviews).toBe(1);
    expect((await latestReview(deps.db, BOB))?.cardId).toBe(haus);
    expect((await sessionTotals(deps.db, BOB, sessionStart)).reviewed).toBe(1);
  });

  it("GIVEN import_progress where it cannot go THEN it is refused and nothing is written", async () => {
    const server = imported(
      await importDeck(deps, req({ scope: "server", canManageServer: true, progress: false })),
    );
    const before = await counts();
    const refusal = async (r: ImportRequest) => {
      const e = await importDeck(deps, r).catch((err: unknown) => err);
      expect(e).toBeInstanceOf(UserError);
      return (e as Error).message;
    };
    expect(await refusal(req({ scope: "server", canManageServer: true }))).toBe(PROGRESS_PERSONAL_ONLY);
    // The `deck` option naming a server deck: the unit of work refuses it before it writes.
    expect(await refusal(req({ deckId: server.deckId, canManageServer: true }))).toBe(PROGRESS_PERSONAL_ONLY);
    expect(
      await refusal(req({ fileName: "Spanish.csv", bytes: new TextEncoder().encode("hola,hello\n") })),
    ).toContain("a text deck has none");
    expect(await counts()).toEqual(before);
  });

  it("GIVEN a 5,000-card deck with 30 reviews a card THEN its progress is written in bulk, in one import", async () => {
    const notes = Array.from({ length: 5_000 }, (_, k) => ({
      id: k + 1,
      guid: `n${k}`,
      mid: BASIC.id,
      fields: [`question ${k}`, `answer ${k}`],
      ords: [0],
      // Unique instants (revlog ids): card k's reviews every 3 days from its own offset.
      reviews: Array.from({ length: 30 }, (_, r) => ({
        at: NOW - 200 * DAY + r * 3 * DAY + k * 1000,
        ease: r % 9 === 4 ? 1 : 3,
        type: r === 0 ? 0 : 1,
      })),
    }));
    const big = packageBytes("collection.anki21", collectionBytes({ schema: 11, noteTypes: [BASIC], notes }));
    const t0 = performance.now();
    const report = imported(await importDeck(deps, req({ bytes: big, fileName: "Big.apkg" })));
    const ms = performance.now() - t0;
    expect(report.progress).toEqual({ cards: 5_000, reviews: 150_000, kept: 0 });
    expect(await count("card_states")).toBe(5_000);
    expect(await count("review_logs", "WHERE source = 'import'")).toBe(150_000);
    // Minutes one statement a line; seconds in bulk (parsing and ts-fsrs included), even on a busy machine.
    expect(ms).toBeLessThan(60_000);
  }, 120_000);
});
