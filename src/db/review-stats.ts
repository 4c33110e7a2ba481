/**
 * The leaderboard/stats side of the single review write path: `writeReview` (src/db/reviews.ts) calls
 * `recordReviewStats` once per recorded review, inside the same transaction, so the per-day aggregates can never
 * disagree with review_logs. Boards and /stats read only these aggregates.
 *
 * This runs on every review, so its statements are drizzle prepared statements cached per connection (a handful
 * of point lookups and upserts on primary keys, tens of microseconds in all).
 */
import { and, eq, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { POINTS, type ReviewSource, reviewPoints, streakBonus } from "../core/points.ts";
import { MAX_ANSWER_MS } from "../core/scheduling.ts";
import { advanceStreak, type StreakState, studyDayNumber } from "../core/streaks.ts";
import type { Db } from "./client.ts";
import { zoneOf } from "./guilds.ts";
import { perConnection, preparedWrite, runWrites, type Values, type WriteStatement } from "./prepared.ts";
import {
  statGuildDays,
  statGuildMembers,
  statStreaks,
  statUserDays,
  statUserSlots,
  userSettings,
} from "./schema.ts";

const REVIEW_STATE = 2;
const AGAIN = 1;

/** stat_user_slots' slot of instant `ms`: its quarter hour of UTC time (src/db/schema.ts statUserSlots). */
export const SLOT_MS = 900_000;
export function statSlot(ms: number): number {
  return Math.floor(ms / SLOT_MS);
}

export interface ReviewFact {
  userId: string;
  guildId: string | null;
  source: ReviewSource;
  /** The rating given (1 = Again … 4 = Easy). */
  grade: number;
  /** When the card was shown (ms). */
  shownAt: number;
  /** When the review was recorded (ms). */
  at: number;
  /** The card's ts-fsrs state before the review (2 = Review). */
  stateBefore: number;
}

const p = (name: string) => sql.placeholder(name);
// The stored value is named with its table: inside an upsert's DO UPDATE a bare name is ambiguous to
// PostgreSQL (the row, or `excluded`).
/** `column + <placeholder>`: a running sum in an UPDATE or an upsert's DO UPDATE. */
const plus = (column: SQLiteColumn, name: string) => sql`${column} + ${p(name)}`;
/** `column + excluded.column`: an upsert adds what the INSERT tried to write. */
const plusExcluded = (column: SQLiteColumn) => sql`${column} + ${sql.raw(`excluded.${column.name}`)}`;
const excluded = (column: { name: string }) => sql.raw(`excluded.${column.name}`);

/** This connection's prepared statements for the aggregates. */
export const statements = perConnection((db) => ({
  streak: db
    .select({
      lastDay: statStreaks.lastDay,
      lastZone: statStreaks.lastZone,
      runDays: statStreaks.runDays,
      longest: statStreaks.longest,
    })
    .from(statStreaks)
    .where(eq(statStreaks.userId, p("userId")))
    .prepare(),
  userZone: db
    .select({ tz: userSettings.timezone })
    .from(userSettings)
    .where(eq(userSettings.userId, p("userId")))
    .prepare(),
  newUserDay: preparedWrite(
    db
      .insert(statUserDays)
      .values({ userId: p("userId"), day: p("day") })
      .onConflictDoNothing(),
  ),
  saveStreak: preparedWrite(
    db
      .insert(statStreaks)
      .values({
        userId: p("userId"),
        lastDay: p("lastDay"),
        lastZone: p("lastZone"),
        runDays: p("runDays"),
        longest: p("longest"),
      })
      .onConflictDoUpdate({
        target: statStreaks.userId,
        set: {
          lastDay: excluded(statStreaks.lastDay),
          lastZone: excluded(statStreaks.lastZone),
          runDays: excluded(statStreaks.runDays),
          longest: excluded(statStreaks.longest),
        },
      }),
  ),
  addUserDay: preparedWrite(
    db
      .update(statUserDays)
      .set({
        reviews: sql`${statUserDays.reviews} + 1`,
        again: plus(statUserDays.again, "again"),
        matureReviews: plus(statUserDays.matureReviews, "mature"),
        matureAgain: plus(statUserDays.matureAgain, "matureAgain"),
        points: plus(statUserDays.points, "points"),
        ms: plus(statUserDays.ms, "ms"),
      })
      .where(and(eq(statUserDays.userId, p("userId")), eq(statUserDays.day, p("day")))),
  ),
  addUserSlot: preparedWrite(
    db
      .insert(statUserSlots)
      .values({
        userId: p("userId"),
        slot: p("slot"),
        reviews: 1,
        again: p("again"),
        matureReviews: p("mature"),
        matureAgain: p("matureAgain"),
        ms: p("ms"),
      })
      .onConflictDoUpdate({
        target: [statUserSlots.userId, statUserSlots.slot],
        set: {
          reviews: sql`${statUserSlots.reviews} + 1`,
          again: plusExcluded(statUserSlots.again),
          matureReviews: plusExcluded(statUserSlots.matureReviews),
          matureAgain: plusExcluded(statUserSlots.matureAgain),
          ms: plusExcluded(statUserSlots.ms),
        },
      }),
  ),
  addGuildDay: preparedWrite(
    db
      .insert(statGuildDays)
      .values({
        guildId: p("guildId"),
        day: p("day"),
        userId: p("userId"),
        reviews: p("reviews"),
        again: p("again"),
        points: p("points"),
        ms: p("ms"),
      })
      .onConflictDoUpdate({
        target: [statGuildDays.guildId, statGuildDays.day, statGuildDays.userId],
        set: {
          reviews: plusExcluded(statGuildDays.reviews),
          again: plusExcluded(statGuildDays.again),
          points: plusExcluded(statGuildDays.points),
          ms: plusExcluded(statGuildDays.ms),
        },
      }),
  ),
  addGuildMember: preparedWrite(
    db
      .insert(statGuildMembers)
      .values({
        guildId: p("guildId"),
        userId: p("userId"),
        reviews: p("reviews"),
        again: p("again"),
        points: p("points"),
        ms: p("ms"),
      })
      .onConflictDoUpdate({
        target: [statGuildMembers.guildId, statGuildMembers.userId],
        set: {
          reviews: plusExcluded(statGuildMembers.reviews),
          again: plusExcluded(statGuildMembers.again),
          points: plusExcluded(statGuildMembers.points),
          ms: plusExcluded(statGuildMembers.ms),
        },
      }),
  ),
}));

export async function readStreak(db: Db, userId: string): Promise<StreakState | null> {
  return (await statements(db).streak.get({ userId })) ?? null;
}

/** What `recordReviewStats` reads itself when its caller has not (the member's own zone: `memberZone`, if needed). */
async function readContext(
  db: Db,
  userId: string,
  guildId: string | null,
): Promise<Omit<ReviewStatsContext, "ownZone">> {
  const serverZone = guildId === null ? undefined : await zoneOf(db, guildId); // read once: day and guild day
  return { streak: await readStreak(db, userId), serverZone };
}

/**
 * The zone a member's study days are counted in: their own `/settings timezone`, else the server's, else the
 * zone their last study day was counted in (a review outside any server), else UTC. `known`: what the caller
 * has read already (read here only when needed otherwise).
 */
export async function memberZone(
  db: Db,
  userId: string,
  guildId: string | null,
  known: Partial<ReviewStatsContext> = {},
): Promise<string> {
  const own =
    known.ownZone !== undefined ? known.ownZone : (await statements(db).userZone.get({ userId }))?.tz;
  if (own) return own;
  if (guildId) return known.serverZone ?? zoneOf(db, guildId);
  return (known.streak === undefined ? await readStreak(db, userId) : known.streak)?.lastZone ?? "UTC";
}

/** What `recordReviewStats` reads first, when its caller has read it already (reviews.ts, in one statement). */
export interface ReviewStatsContext {
  streak: StreakState | null;
  /** The member's own `/settings timezone`, null when unset. */
  ownZone: string | null;
  /** The server's zone (`zoneOf`); undefined outside a server. */
  serverZone: string | undefined;
  /**
   * The member's latest study day in `stat_user_days` (null: none), read under the review's lock; undefined when
   * the caller did not read it.
   */
  lastUserDay?: number | null;
}

/**
 * Whether a review on `day` opens a study day, from the member's latest one: certainly when it is before `day` (or
 * there is none), certainly not when it is `day`; unknown after a zone change moved the local date back.
 */
function opensDay(lastUserDay: number | null | undefined, day: number): boolean | undefined {
  if (lastUserDay === undefined) return undefined;
  if (lastUserDay === null || lastUserDay < day) return true;
  return lastUserDay === day ? false : undefined;
}

/** What one review added to the aggregates: what undoing it takes away again (review-undos.ts). */
export interface ReviewCounted {
  points: number;
  /** The member's study day and UTC slot it was counted on, and the server's day (null outside a server). */
  day: number;
  slot: number;
  guildDay: number | null;
  ms: number;
  again: number;
  mature: number;
  matureAgain: number;
  /** The streak before the review, when the review opened a study day and moved it on (null: there was none). */
  streakBefore?: StreakState | null;
}

/**
 * Adds one review to the aggregates. Must run inside the review's transaction. Returns the points earned.
 * `before`: the review's own writes (its state and log line), sent with the first of these (`runWrites`);
 * `after`: writes made from what was counted (the undo record), sent with the last.
 */
export async function recordReviewStats(
  db: Db,
  r: ReviewFact,
  known?: ReviewStatsContext,
  before: [WriteStatement, Values][] = [],
  after?: (counted: ReviewCounted) => [WriteStatement, Values][],
): Promise<number> {
  const st = statements(db);
  const ms = Math.min(MAX_ANSWER_MS, Math.max(0, r.at - r.shownAt));
  const again = r.grade === AGAIN ? 1 : 0;
  const mature = r.stateBefore === REVIEW_STATE ? 1 : 0;
  let points = reviewPoints({ source: r.source, rating: r.grade, durationMs: ms });

  const { userId } = r;
  const context = known ?? (await readContext(db, userId, r.guildId));
  const { streak, serverZone } = context;
  const zone = await memberZone(db, userId, r.guildId, context);
  const day = studyDayNumber(r.at, zone);
  const counts = { again, mature, matureAgain: mature & again, ms };
  const slot = statSlot(r.at);
  const guildDay = r.guildId !== null && serverZone !== undefined ? studyDayNumber(r.at, serverZone) : null;
  let streakBefore: { streakBefore?: StreakState | null } = {};
  // The day's aggregate writes, once the points are known.
  const aggregates = (): [WriteStatement, Values][] => {
    const out: [WriteStatement, Values][] = [
      [st.addUserDay, { ...counts, points, userId, day }],
      [st.addUserSlot, { ...counts, userId, slot }],
    ];
    if (r.guildId !== null && guildDay !== null) {
      const add = { guildId: r.guildId, userId, reviews: 1, again, points, ms };
      out.push([st.addGuildDay, { ...add, day: guildDay }]);
      out.push([st.addGuildMember, add]);
    }
    if (after) out.push(...after({ points, day, slot, guildDay, ...counts, ...streakBefore }));
    return out;
  };
  /** The first review of this study day: the streak moves on, and may earn its daily bonus. */
  const advance = (): [WriteStatement, Values] => {
    const next = advanceStreak(streak, day, r.at, zone);
    points += streakBonus(next.runDays);
    streakBefore = { streakBefore: streak };
    return [st.saveStreak, { userId, ...next }];
  };
  const opens = opensDay(context.lastUserDay, day);
  if (opens !== undefined) {
    // Known in advance: every write in one batch (one round trip on PostgreSQL). The insert of the day's row
    // must agree, which it does under the member's lock.
    const head: [WriteStatement, Values][] = [...before, [st.newUserDay, { userId, day }]];
    if (opens) head.push(advance());
    const changes = await runWrites(db, [...head, ...aggregates()]);
    if ((changes[before.length] ?? 0) > 0 !== opens)
      throw new Error(`stat_user_days of ${userId} changed under the review's lock (day ${day})`);
    return points;
  }
  // Two batches (one round trip each on PostgreSQL): the second's points depend on whether the first found a
  // new study day.
  const first = await runWrites(db, [...before, [st.newUserDay, { userId, day }]]);
  const writes: [WriteStatement, Values][] = [];
  if ((first[first.length - 1] ?? 0) > 0) writes.push(advance());
  await runWrites(db, [...writes, ...aggregates()]);
  return points;
}

/**
 * Points for answers to the question of the day that were NOT recorded as a review.
 *
 * A quiz answer recorded through `recordReview` with source "quiz" (the member studies that deck) already earns
 * its +2 there (above). For an answer that was not (the member does not study the deck, or
 * `recordReview` returned false), the quiz calls this once, in the answer's transaction:
 *
 *   if (!reviewed) awardQuizPoints(deps.db, { guildId, userId, at: now.getTime(), correct });
 *
 * so every correct answer is worth the same +2. Such an answer is not a review: it adds no review and does not
 * count as a study day for the streak. Right or wrong, it makes the member a member of the server: their
 * `stat_guild_members` row is created if missing (0 points for a wrong answer), which is what the daily post's
 * due summary counts as the server's members (`serverMembers`).
 */
export async function awardQuizPoints(
  db: Db,
  a: { guildId: string | null; userId: string; at: number; correct: boolean },
): Promise<number> {
  if (a.guildId === null) return 0;
  const points = a.correct ? POINTS.quizCorrect : 0;
  await awardGuildPoints(db, { guildId: a.guildId, userId: a.userId, at: a.at, points });
  return points;
}

/**
 * Leaderboard points that are no review: a quiz answer's (above), a review party's (db/parties.ts, when a round
 * closes). Added to the server's day and member totals the boards read; the member row is made even for 0 points.
 */
export async function awardGuildPoints(
  db: Db,
  a: { guildId: string; userId: string; at: number; points: number },
): Promise<void> {
  const st = statements(db);
  const add = { guildId: a.guildId, userId: a.userId, reviews: 0, again: 0, points: a.points, ms: 0 };
  if (a.points > 0)
    await st.addGuildDay.run({ ...add, day: studyDayNumber(a.at, await zoneOf(db, a.guildId)) });
  await st.addGuildMember.run(add);
}
