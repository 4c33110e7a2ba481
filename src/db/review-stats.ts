/**
 * The leaderboard/stats side of the single review write path: `writeReview` (src/db/reviews.ts) calls
 * `recordReviewStats` once per recorded review, inside the same transaction, so the per-day aggregates can never
 * disagree with review_logs. Boards and /stats read only these aggregates.
 *
 * This runs on every review, so its statements are prepared once per connection (a handful of point lookups and
 * upserts on primary keys, tens of microseconds in all).
 */
import { POINTS, type ReviewSource, reviewPoints, streakBonus } from "../core/points.ts";
import { MAX_ANSWER_MS } from "../core/scheduling.ts";
import { advanceStreak, type StreakState, studyDayNumber } from "../core/streaks.ts";
import type { Db } from "./client.ts";
import { zoneOf } from "./guilds.ts";
import { preparedOnce } from "./prepared.ts";

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

const SQL = {
  streak: "SELECT last_day, last_zone, run_days, longest FROM stat_streaks WHERE user_id = ?",
  userZone: "SELECT timezone AS tz FROM user_settings WHERE user_id = ?",
  newUserDay: "INSERT OR IGNORE INTO stat_user_days (user_id, day) VALUES (?, ?)",
  saveStreak: `INSERT INTO stat_streaks (user_id, last_day, last_zone, run_days, longest) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (user_id) DO UPDATE SET last_day = excluded.last_day, last_zone = excluded.last_zone,
      run_days = excluded.run_days, longest = excluded.longest`,
  addUserDay: `UPDATE stat_user_days SET reviews = reviews + 1, again = again + ?,
      review_state_reviews = review_state_reviews + ?, review_state_again = review_state_again + ?,
      points = points + ?, ms = ms + ?
    WHERE user_id = ? AND day = ?`,
  addUserSlot: `INSERT INTO stat_user_slots (user_id, slot, reviews, again, review_state_reviews, review_state_again, ms)
    VALUES (?, ?, 1, ?, ?, ?, ?)
    ON CONFLICT (user_id, slot) DO UPDATE SET reviews = reviews + 1, again = again + excluded.again,
      review_state_reviews = review_state_reviews + excluded.review_state_reviews,
      review_state_again = review_state_again + excluded.review_state_again, ms = ms + excluded.ms`,
  addGuildDay: `INSERT INTO stat_guild_days (guild_id, day, user_id, reviews, again, points, ms) VALUES (?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (guild_id, day, user_id) DO UPDATE SET reviews = reviews + excluded.reviews,
      again = again + excluded.again, points = points + excluded.points, ms = ms + excluded.ms`,
  addGuildMember: `INSERT INTO stat_guild_members (guild_id, user_id, reviews, again, points, ms) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (guild_id, user_id) DO UPDATE SET reviews = reviews + excluded.reviews,
      again = again + excluded.again, points = points + excluded.points, ms = ms + excluded.ms`,
} as const;

/** This connection's prepared statements for the aggregates. */
export const statements = preparedOnce(SQL);

export function readStreak(db: Db, userId: string): StreakState | null {
  const row = statements(db).streak.get(userId) as
    | { last_day: number; last_zone: string; run_days: number; longest: number }
    | undefined;
  return row
    ? { lastDay: row.last_day, lastZone: row.last_zone, runDays: row.run_days, longest: row.longest }
    : null;
}

/** The server's timezone (UTC until one is set). */
export function serverZone(db: Db, guildId: string): string {
  return zoneOf(db, guildId);
}

/**
 * The zone a member's study days are counted in: their own `/settings timezone`, else the server's, else the
 * zone their last study day was counted in (a review outside any server), else UTC.
 */
export function memberZone(
  db: Db,
  userId: string,
  guildId: string | null,
  streak?: StreakState | null,
): string {
  const own = (statements(db).userZone.get(userId) as { tz: string | null } | undefined)?.tz;
  if (own) return own;
  if (guildId) return serverZone(db, guildId);
  return (streak === undefined ? readStreak(db, userId) : streak)?.lastZone ?? "UTC";
}

/** Adds one review to the aggregates. Must run inside the review's transaction. Returns the points earned. */
export function recordReviewStats(db: Db, r: ReviewFact): number {
  const st = statements(db);
  const ms = Math.min(MAX_ANSWER_MS, Math.max(0, r.at - r.shownAt));
  const again = r.grade === AGAIN ? 1 : 0;
  const mature = r.stateBefore === REVIEW_STATE ? 1 : 0;
  let points = reviewPoints({ source: r.source, rating: r.grade, durationMs: ms });

  const streak = readStreak(db, r.userId);
  const zone = memberZone(db, r.userId, r.guildId, streak);
  const day = studyDayNumber(r.at, zone);
  if (st.newUserDay.run(r.userId, day).changes > 0) {
    // The first review of this study day: the streak moves on, and may earn its daily bonus.
    const next = advanceStreak(streak, day, r.at, zone);
    points += streakBonus(next.runDays);
    st.saveStreak.run(r.userId, next.lastDay, next.lastZone, next.runDays, next.longest);
  }
  st.addUserDay.run(again, mature, mature & again, points, ms, r.userId, day);
  st.addUserSlot.run(r.userId, statSlot(r.at), again, mature, mature & again, ms);

  if (r.guildId !== null) {
    const guildDay = studyDayNumber(r.at, serverZone(db, r.guildId));
    st.addGuildDay.run(r.guildId, guildDay, r.userId, 1, again, points, ms);
    st.addGuildMember.run(r.guildId, r.userId, 1, again, points, ms);
  }
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
export function awardQuizPoints(
  db: Db,
  a: { guildId: string | null; userId: string; at: number; correct: boolean },
): number {
  if (a.guildId === null) return 0;
  const points = a.correct ? POINTS.quizCorrect : 0;
  const st = statements(db);
  if (points > 0)
    st.addGuildDay.run(a.guildId, studyDayNumber(a.at, zoneOf(db, a.guildId)), a.userId, 0, 0, points, 0);
  st.addGuildMember.run(a.guildId, a.userId, 0, 0, points, 0);
  return points;
}
