/**
 * /leaderboard for one server, read from the per-day aggregates (never from review_logs).
 * Windows are whole study days of the server's timezone (04:00 rollover): today; week = today and the 6 days
 * before it; month = today and the 29 before it; all = everything since the member first studied here.
 */
import { sql } from "drizzle-orm";
import { type Ranked, rank } from "../core/ranking.ts";
import { currentStreak, studyDayNumber } from "../core/streaks.ts";
import type { Db } from "../db/client.ts";
import { guildTimezone } from "../db/study-queries.ts";
import type { Deps } from "./deps.ts";
import { isHidden } from "./settings.ts";

export const PERIODS = ["today", "week", "month", "all"] as const;
export const METRICS = ["reviews", "points", "streak", "accuracy"] as const;
export type Period = (typeof PERIODS)[number];
export type Metric = (typeof METRICS)[number];

/** Days in each rolling window, today included. */
export const WINDOW_DAYS: Record<Exclude<Period, "all">, number> = { today: 1, week: 7, month: 30 };
/** Reviews needed in the window to be ranked by accuracy. */
export const ACCURACY_MIN_REVIEWS = 20;
export const TOP_N = 10;

export interface BoardEntry extends Ranked {
  /** Reviews in the window (accuracy's denominator). */
  reviews: number;
}

export type MyStanding =
  | { kind: "ranked"; entry: BoardEntry }
  | { kind: "hidden" }
  | { kind: "none" } // nothing in this window
  | { kind: "too-few"; reviews: number }; // accuracy: below the minimum

export interface Leaderboard {
  period: Period;
  metric: Metric;
  /** The first TOP_N entries, best first. */
  top: BoardEntry[];
  ranked: number;
  me: MyStanding;
  /** First and last study day of the window (day numbers), server time; null for "all". */
  window: { from: number; to: number } | null;
  zone: string;
}

interface Totals {
  user_id: string;
  reviews: number;
  again: number;
  points: number;
}

const visible = sql`COALESCE((SELECT us.leaderboard_visible FROM user_settings us WHERE us.user_id = t.user_id), 1) = 1`;

function windowTotals(db: Db, guildId: string, from: number, to: number): Totals[] {
  return db.all<Totals>(sql`
    SELECT t.user_id, sum(t.reviews) AS reviews, sum(t.again) AS again, sum(t.points) AS points
    FROM stat_guild_days t
    WHERE t.guild_id = ${guildId} AND t.day BETWEEN ${from} AND ${to} AND ${visible}
    GROUP BY t.user_id`);
}

function allTimeTotals(db: Db, guildId: string): Totals[] {
  return db.all<Totals>(sql`
    SELECT t.user_id, t.reviews, t.again, t.points FROM stat_guild_members t
    WHERE t.guild_id = ${guildId} AND ${visible}`);
}

interface StreakRow {
  user_id: string;
  last_day: number;
  last_zone: string;
  run_days: number;
  longest: number;
  tz: string | null;
}

function memberStreaks(db: Db, guildId: string): StreakRow[] {
  return db.all<StreakRow>(sql`
    SELECT t.user_id, s.last_day, s.last_zone, s.run_days, s.longest,
      (SELECT us.timezone FROM user_settings us WHERE us.user_id = t.user_id) AS tz
    FROM stat_guild_members t JOIN stat_streaks s ON s.user_id = t.user_id
    WHERE t.guild_id = ${guildId} AND ${visible}`);
}

export function leaderboard(
  deps: Deps,
  q: { guildId: string; userId: string; period: Period; metric: Metric },
): Leaderboard {
  const { db } = deps;
  const now = deps.clock.now().getTime();
  const zone = guildTimezone(db, q.guildId);
  const today = studyDayNumber(now, zone);
  const window = q.period === "all" ? null : { from: today - WINDOW_DAYS[q.period] + 1, to: today };

  let entries: BoardEntry[];
  let myReviews = 0;
  if (q.metric === "streak") {
    // A streak belongs to the member, not the window: "all" ranks longest streaks, other periods current ones.
    entries = memberStreaks(db, q.guildId).map((r) => {
      const s = { lastDay: r.last_day, lastZone: r.last_zone, runDays: r.run_days, longest: r.longest };
      const score = q.period === "all" ? s.longest : currentStreak(s, now, r.tz ?? zone);
      return { userId: r.user_id, score, reviews: 0, rank: 0 };
    });
    entries = entries.filter((e) => e.score > 0);
  } else {
    const totals = window
      ? windowTotals(db, q.guildId, window.from, window.to)
      : allTimeTotals(db, q.guildId);
    myReviews = totals.find((t) => t.user_id === q.userId)?.reviews ?? 0;
    // Reviews and accuracy rank members who reviewed; points also those whose only points came from the quiz.
    const eligible = totals.filter((t) =>
      q.metric === "accuracy"
        ? t.reviews >= ACCURACY_MIN_REVIEWS
        : q.metric === "reviews"
          ? t.reviews > 0
          : t.reviews > 0 || t.points > 0,
    );
    entries = eligible.map((t) => ({
      userId: t.user_id,
      reviews: t.reviews,
      rank: 0,
      score:
        q.metric === "reviews"
          ? t.reviews
          : q.metric === "points"
            ? t.points
            : Math.round((1000 * (t.reviews - t.again)) / t.reviews), // per-mille, so shown ties are real ties
      tiebreak: q.metric === "accuracy" ? t.reviews : undefined,
    }));
  }
  const ranked = rank(entries);
  const mine = ranked.find((e) => e.userId === q.userId);
  let me: MyStanding;
  if (mine) me = { kind: "ranked", entry: mine };
  else if (isHidden(db, q.userId)) me = { kind: "hidden" };
  else if (q.metric === "accuracy" && myReviews > 0) me = { kind: "too-few", reviews: myReviews };
  else me = { kind: "none" };
  return {
    period: q.period,
    metric: q.metric,
    top: ranked.slice(0, TOP_N),
    ranked: ranked.length,
    me,
    window,
    zone,
  };
}
