/**
 * The leaderboard/stats aggregates for a seeded history, computed the way `recordReviewStats`
 * (services/stats-record.ts) maintains them one review at a time — same points, same streak rule — so a seeded
 * database looks like one that grew through the bot. Seeded members and servers all count days in UTC (no
 * member timezone, server timezone UTC), so the study day is plain arithmetic.
 */
import { reviewPoints, streakBonus } from "../../src/core/points.ts";
import { advanceStreak, type StreakState } from "../../src/core/streaks.ts";
import { statSlot } from "../../src/db/review-stats.ts";
import { DAY_MS, HOUR_MS } from "./history.ts";

const ROLLOVER_MS = 4 * HOUR_MS;
const AGAIN = 1;
const REVIEW_STATE = 2;

/** Study day (04:00 rollover) of `ms` in UTC, as days since 1970-01-01. */
export function utcStudyDay(ms: number): number {
  return Math.floor((ms - ROLLOVER_MS) / DAY_MS);
}

export interface AggReview {
  at: number;
  rating: number;
  /** ts-fsrs state before the review. */
  stateBefore: number;
  durationMs: number;
  source: "study" | "daily";
  guildId: string | null;
}

export interface DayTotals {
  reviews: number;
  again: number;
  matureReviews: number;
  matureAgain: number;
  points: number;
  ms: number;
}

export interface GuildTotals {
  reviews: number;
  again: number;
  points: number;
  ms: number;
}

/** One member's aggregates; feed reviews in time order. */
export class MemberAggregates {
  streak: StreakState | null = null;
  readonly days = new Map<number, DayTotals>();
  /** stat_user_slots: per quarter hour of UTC time (points unused). */
  readonly slots = new Map<number, DayTotals>();
  /** Key: `${guildId}|${day}`. */
  readonly guildDays = new Map<string, GuildTotals>();
  readonly guilds = new Map<string, GuildTotals>();

  add(r: AggReview): void {
    const again = r.rating === AGAIN ? 1 : 0;
    const mature = r.stateBefore === REVIEW_STATE ? 1 : 0;
    let points = reviewPoints({ source: r.source, rating: r.rating, durationMs: r.durationMs });
    const day = utcStudyDay(r.at);
    let d = this.days.get(day);
    if (!d) {
      const next = advanceStreak(this.streak, day, r.at, "UTC");
      points += streakBonus(next.runDays);
      this.streak = next;
      d = { reviews: 0, again: 0, matureReviews: 0, matureAgain: 0, points: 0, ms: 0 };
      this.days.set(day, d);
    }
    const slot = statSlot(r.at);
    let q = this.slots.get(slot);
    if (!q) {
      q = { reviews: 0, again: 0, matureReviews: 0, matureAgain: 0, points: 0, ms: 0 };
      this.slots.set(slot, q);
    }
    for (const t of [d, q]) {
      t.reviews++;
      t.again += again;
      t.matureReviews += mature;
      t.matureAgain += mature & again;
      t.points += points;
      t.ms += r.durationMs;
    }
    if (r.guildId !== null) {
      const key = `${r.guildId}|${day}`;
      let gd = this.guildDays.get(key);
      if (!gd) {
        gd = { reviews: 0, again: 0, points: 0, ms: 0 };
        this.guildDays.set(key, gd);
      }
      let gm = this.guilds.get(r.guildId);
      if (!gm) {
        gm = { reviews: 0, again: 0, points: 0, ms: 0 };
        this.guilds.set(r.guildId, gm);
      }
      for (const t of [gd, gm]) {
        t.reviews++;
        t.again += again;
        t.points += points;
        t.ms += r.durationMs;
      }
    }
  }
}
