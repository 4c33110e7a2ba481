/**
 * /leaderboard for one server, read from the per-day aggregates (never from review_logs).
 * Windows are whole study days of the server's timezone (04:00 rollover): today; week = today and the 6 days
 * before it; month = today and the 29 before it; all = everything since the member first studied here.
 *
 * Shape (a 5,000-member server has ~3,000 per-day rows a day, ~90k in a month): past days are summed with the
 * server's members driving one range seek each on the covering index stat_guild_days (guild_id, user_id, day,
 * reviews, again, points), so the sums come out in member order with no sort and no table lookups (every
 * stat_guild_days row has its stat_guild_members row: both are written together, services/stats-record.ts and
 * services/points.ts); today's rows are one primary-key range. Hidden members are one small set read per call and
 * left out in JS; only the top 10 and the caller's rank are worked out (`rankTop`), not a full sort. Statements are
 * prepared once per connection.
 *
 * The past days of a window (every day but today) no longer change once the day is over (reviews and quiz
 * points are always added to the current study day), so for big servers their per-member sums are kept per
 * connection for a few minutes, keyed by server and day range: each call then adds today's rows, read fresh, so a
 * review shows on the board at once. The key moves with the study day, hiding and unhiding apply at once
 * (visibility is applied after the cache), and the age limit bounds what could still change a past day behind
 * the cache's back (`rebuildStats`, a server's timezone moved back and forth within a day, another process
 * writing the same file): see `BOARD_CACHE`. At the benchmark's target size a board costs 5–8 ms with the past
 * days cached; filling the cache costs ~17 ms more for a week and ~25 ms for a month.
 */
import type Database from "better-sqlite3";
import { type Ranked, rankTop } from "../core/ranking.ts";
import { currentStreak, studyDayNumber } from "../core/streaks.ts";
import type { Db } from "../db/client.ts";
import { preparedOnce } from "../db/prepared.ts";
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

/** [user_id, reviews, again, points] */
type Totals = [string, number, number, number];
/** [user_id, last_day, last_zone, run_days, longest, timezone, leaderboard_visible] */
type StreakRow = [string, number, string, number, number, string | null, number | null];

const SQL = {
  /** Members of this server hidden from boards (usually a handful). */
  hidden: `
    SELECT m.user_id FROM stat_guild_members m JOIN user_settings us ON us.user_id = m.user_id
    WHERE m.guild_id = ? AND us.leaderboard_visible = 0`,
  /** Per-member sums over days [from, to]: one seek per member (CROSS JOIN keeps members as the outer loop). */
  window: `
    SELECT m.user_id, sum(t.reviews), sum(t.again), sum(t.points)
    FROM stat_guild_members m CROSS JOIN stat_guild_days t
      ON t.guild_id = m.guild_id AND t.user_id = m.user_id AND t.day BETWEEN ? AND ?
    WHERE m.guild_id = ? GROUP BY m.user_id`,
  /**
   * One day's rows (today's, read on every call): a range of the primary key. Named, because the covering index
   * above would otherwise win on guild_id alone and walk the server's whole history.
   */
  day: `
    SELECT user_id, reviews, again, points FROM stat_guild_days INDEXED BY sqlite_autoindex_stat_guild_days_1
    WHERE guild_id = ? AND day = ?`,
  allTime: "SELECT user_id, reviews, again, points FROM stat_guild_members WHERE guild_id = ?",
  streaks: `
    SELECT m.user_id, s.last_day, s.last_zone, s.run_days, s.longest, us.timezone, us.leaderboard_visible
    FROM stat_guild_members m JOIN stat_streaks s ON s.user_id = m.user_id
      LEFT JOIN user_settings us ON us.user_id = m.user_id
    WHERE m.guild_id = ?`,
} as const;

/** This connection's leaderboard statements (prepared on first use; rows as arrays, `hidden` as user ids). */
export const statements = preparedOnce(SQL, (k, stmt) => (k === "hidden" ? stmt.pluck() : stmt.raw()));

/**
 * The cache of past-day sums. Only windows with at least `minMembers` members are kept (a small server's sums cost
 * less than a millisecond), at most `maxEntries` of them (least recently used out), each for `ttlMs` of the
 * bot's clock. Tests may change these.
 */
export const BOARD_CACHE = { minMembers: 500, maxEntries: 16, ttlMs: 10 * 60_000 };

interface PastSums {
  at: number;
  totals: Map<string, Totals>;
}
const pastCache = new WeakMap<Database.Database, Map<string, PastSums>>();

/** Forgets this connection's cached past-day sums (after rewriting aggregates, e.g. `rebuildStats`). */
export function forgetBoards(db: Db): void {
  pastCache.delete(db.$client);
}

/** Per-member sums over past days [from, to] of a server, from the cache when fresh. */
function pastSums(db: Db, guildId: string, from: number, to: number, now: number): Map<string, Totals> {
  let cache = pastCache.get(db.$client);
  if (!cache) {
    cache = new Map();
    pastCache.set(db.$client, cache);
  }
  const key = `${guildId}|${from}|${to}`;
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    const age = now - hit.at;
    if (age >= 0 && age < BOARD_CACHE.ttlMs) {
      cache.set(key, hit); // most recently used last
      return hit.totals;
    }
  }
  const totals = new Map<string, Totals>();
  for (const r of statements(db).window.all(from, to, guildId) as Totals[]) totals.set(r[0], r);
  if (totals.size >= BOARD_CACHE.minMembers && BOARD_CACHE.maxEntries > 0) {
    cache.set(key, { at: now, totals });
    for (const k of cache.keys()) {
      if (cache.size <= BOARD_CACHE.maxEntries) break;
      cache.delete(k);
    }
  }
  return totals;
}

/**
 * Calls `fn` once per member with their reviews, Again ratings and points in the window (null = all time), hidden
 * members included.
 */
function eachTotal(
  db: Db,
  guildId: string,
  window: { from: number; to: number } | null,
  now: number,
  fn: (userId: string, reviews: number, again: number, points: number) => void,
): void {
  const st = statements(db);
  if (!window) {
    for (const r of st.allTime.all(guildId) as Totals[]) fn(r[0], r[1], r[2], r[3]);
    return;
  }
  const today = st.day.all(guildId, window.to) as Totals[];
  if (window.from === window.to) {
    for (const r of today) fn(r[0], r[1], r[2], r[3]);
    return;
  }
  const past = pastSums(db, guildId, window.from, window.to - 1, now);
  const todayOf = new Map<string, Totals>();
  for (const r of today) todayOf.set(r[0], r);
  for (const p of past.values()) {
    const t = todayOf.get(p[0]);
    if (t) fn(p[0], p[1] + t[1], p[2] + t[2], p[3] + t[3]);
    else fn(p[0], p[1], p[2], p[3]);
  }
  for (const t of today) if (!past.has(t[0])) fn(t[0], t[1], t[2], t[3]);
}

function hiddenMembers(db: Db, guildId: string): Set<string> {
  return new Set(statements(db).hidden.all(guildId) as string[]);
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

  const entries: BoardEntry[] = [];
  let myReviews = 0;
  let meHidden = false;
  if (q.metric === "streak") {
    // A streak belongs to the member, not the window: "all" ranks longest streaks, other periods current ones.
    // Whether a run is still alive depends only on (zone, last zone, last day): worked out once per distinct one.
    const alive = new Map<string, boolean>();
    for (const r of statements(db).streaks.all(q.guildId) as StreakRow[]) {
      const [userId, lastDay, lastZone, runDays, longest, tz, visible] = r;
      if (visible === 0) {
        if (userId === q.userId) meHidden = true;
        continue;
      }
      let score = longest;
      if (q.period !== "all") {
        const memberZone = tz ?? zone;
        const key = `${memberZone}|${lastZone}|${lastDay}`;
        let ok = alive.get(key);
        if (ok === undefined) {
          ok = currentStreak({ lastDay, lastZone, runDays: 1, longest: 1 }, now, memberZone) > 0;
          alive.set(key, ok);
        }
        score = ok ? runDays : 0;
      }
      if (score > 0) entries.push({ userId, score, reviews: 0, rank: 0 });
    }
  } else {
    const hidden = hiddenMembers(db, q.guildId);
    meHidden = hidden.has(q.userId);
    const metric = q.metric;
    eachTotal(db, q.guildId, window, now, (userId, reviews, again, points) => {
      if (hidden.has(userId)) return;
      if (userId === q.userId) myReviews = reviews;
      // Reviews and accuracy rank members who reviewed; points also those whose only points came from the quiz.
      if (metric === "reviews") {
        if (reviews > 0) entries.push({ userId, reviews, rank: 0, score: reviews });
      } else if (metric === "points") {
        if (reviews > 0 || points > 0) entries.push({ userId, reviews, rank: 0, score: points });
      } else if (reviews >= ACCURACY_MIN_REVIEWS)
        entries.push({
          userId,
          reviews,
          rank: 0,
          score: Math.round((1000 * (reviews - again)) / reviews), // per-mille, so shown ties are real ties
          tiebreak: reviews,
        });
    });
  }
  const { top, ranked, mine } = rankTop(entries, TOP_N, q.userId);
  let me: MyStanding;
  if (mine) me = { kind: "ranked", entry: mine };
  else if (meHidden || isHidden(db, q.userId)) me = { kind: "hidden" };
  else if (q.metric === "accuracy" && myReviews > 0) me = { kind: "too-few", reviews: myReviews };
  else me = { kind: "none" };
  return { period: q.period, metric: q.metric, top, ranked, me, window, zone };
}
