/**
 * /leaderboard for one server, read from the per-day aggregates (never from review_logs).
 * Windows are whole study days of the server's timezone (04:00 rollover): today; week = today and the 6 days
 * before it; month = today and the 29 before it; all = everything since the member first studied here.
 *
 * Shape (a 5,000-member server has ~3,000 per-day rows a day, ~90k in a month): a window's sums are never added
 * up. A member's sums from the window's first day on are their all-time totals (stat_guild_members, read fresh on
 * every call, so a review shows at once) minus their "base": the running totals of their last day before the
 * window (stat_guild_days.cum_*, kept by triggers, see db/schema.ts), one index seek per member on the covering
 * index stat_guild_days_cum_idx. Today alone is one primary-key range. Hidden members are one small set read per
 * call and left out in JS; only the top 10 and the caller's rank are worked out (`rankTop`), not a full sort.
 * Statements are prepared once per connection.
 *
 * Bases of big servers are kept per connection (`BASE_CACHE`) and need no expiry: they depend only on days before
 * the window, at least six days old, and the bot only ever writes the current study day (reviews and quiz points;
 * a timezone change moves the day number by a day or two at most). When the study day rolls over, a kept base
 * moves forward by adding the rows of the day(s) that left the window, one primary-key range each: the minute job
 * does that in the background (`advanceBoards`), so the day's first board does not pay for it, and at start it
 * keeps the biggest servers' bases (`warmBoards`). Writers of past days (`rebuildStats`) call `forgetBoards`.
 */
import { type Ranked, rankTop } from "../core/ranking.ts";
import { currentStreak, studyDayNumber } from "../core/streaks.ts";
import type { Db } from "../db/client.ts";
import { zoneOf } from "../db/guilds.ts";
import { preparedOnce } from "../db/prepared.ts";
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
  /** Who asked: the board is public, so the standing line names them (without a ping). */
  userId: string;
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
  /**
   * Each member's base for a window starting on day `from`: the running totals of their last day before it
   * (members with none have a base of 0 and are not listed). CROSS JOIN keeps members as the outer loop.
   */
  base: `
    SELECT m.user_id, t.cum_reviews, t.cum_again, t.cum_points
    FROM stat_guild_members m CROSS JOIN stat_guild_days t INDEXED BY stat_guild_days_cum_idx
      ON t.guild_id = m.guild_id AND t.user_id = m.user_id AND t.day = (
        SELECT max(x.day) FROM stat_guild_days x INDEXED BY stat_guild_days_cum_idx
        WHERE x.guild_id = m.guild_id AND x.user_id = m.user_id AND x.day < ?)
    WHERE m.guild_id = ?`,
  /**
   * The rows of days [from, to] (today's, and the days a kept base moves over): a range of the primary key.
   * Named, because the covering index above would otherwise win on guild_id alone and walk the server's history.
   */
  days: `
    SELECT user_id, reviews, again, points FROM stat_guild_days INDEXED BY sqlite_autoindex_stat_guild_days_1
    WHERE guild_id = ? AND day BETWEEN ? AND ?`,
  allTime: "SELECT user_id, reviews, again, points FROM stat_guild_members WHERE guild_id = ?",
  /** The servers with the most members (at least ?), most first: whose boards `warmBoards` prepares at start. */
  biggest: `
    SELECT guild_id FROM stat_guild_members GROUP BY guild_id HAVING count(*) >= ? ORDER BY count(*) DESC LIMIT ?`,
  streaks: `
    SELECT m.user_id, s.last_day, s.last_zone, s.run_days, s.longest, us.timezone, us.leaderboard_visible
    FROM stat_guild_members m JOIN stat_streaks s ON s.user_id = m.user_id
      LEFT JOIN user_settings us ON us.user_id = m.user_id
    WHERE m.guild_id = ?`,
} as const;

/** This connection's leaderboard statements (prepared on first use; rows as arrays, `hidden` as user ids). */
export const statements = preparedOnce(SQL, (k, stmt) =>
  k === "hidden" || k === "biggest" ? stmt.pluck() : stmt.raw(),
);

/**
 * Kept bases: only for windows of servers with at least `minMembers` bases (a small server's cost less than a
 * millisecond to read), at most `maxEntries` of them (least recently used out). Tests may change these.
 */
export const BASE_CACHE = { minMembers: 200, maxEntries: 32 };

interface Base {
  guildId: string;
  period: Period;
  from: number;
  /** user id → [user id, reviews, again, points] running totals before `from`. */
  totals: Map<string, Totals>;
}
const baseCache = new WeakMap<object, Map<string, Base>>();

/** Forgets this connection's kept bases (after rewriting past days' aggregates, e.g. `rebuildStats`). */
export function forgetBoards(db: Db): void {
  baseCache.delete(db.$client);
}

function readBase(db: Db, guildId: string, from: number): Map<string, Totals> {
  const totals = new Map<string, Totals>();
  for (const r of statements(db).base.all(from, guildId) as Totals[]) totals.set(r[0], r);
  return totals;
}

/** Adds the rows of days [from, to] to `totals`, in place. */
function addDays(db: Db, guildId: string, from: number, to: number, totals: Map<string, Totals>): void {
  for (const r of statements(db).days.all(guildId, from, to) as Totals[]) {
    const t = totals.get(r[0]);
    totals.set(r[0], t ? [r[0], t[1] + r[1], t[2] + r[2], t[3] + r[3]] : r);
  }
}

/** Members' bases for the window of `period` starting on day `from`, kept or moved forward when possible. */
function baseOf(db: Db, guildId: string, period: Period, from: number): Map<string, Totals> {
  let cache = baseCache.get(db.$client);
  if (!cache) {
    cache = new Map();
    baseCache.set(db.$client, cache);
  }
  const key = `${guildId}|${period}`;
  const kept = cache.get(key);
  cache.delete(key);
  let base: Base;
  if (kept && kept.from === from) base = kept;
  else if (kept && kept.from < from && from - kept.from <= WINDOW_DAYS.week) {
    // The study day rolled over: the days that left the window join the base.
    addDays(db, guildId, kept.from, from - 1, kept.totals);
    base = { ...kept, from };
  } else base = { guildId, period, from, totals: readBase(db, guildId, from) };
  if (base.totals.size >= BASE_CACHE.minMembers && BASE_CACHE.maxEntries > 0) {
    cache.set(key, base); // most recently used last
    for (const k of cache.keys()) {
      if (cache.size <= BASE_CACHE.maxEntries) break;
      cache.delete(k);
    }
  }
  return base.totals;
}

/** The kept bases: server, period and first day of their window (tests, the benchmark). */
export function keptBases(db: Db): { guildId: string; period: Period; from: number }[] {
  return [...(baseCache.get(db.$client)?.values() ?? [])].map(({ guildId, period, from }) => ({
    guildId,
    period,
    from,
  }));
}

const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The first day of `period`'s window for a server at `now`. */
function windowStart(deps: Pick<Deps, "db" | "clock">, guildId: string, period: "week" | "month"): number {
  const now = deps.clock.now().getTime();
  return studyDayNumber(now, zoneOf(deps.db, guildId)) - WINDOW_DAYS[period] + 1;
}

/**
 * Keeps bases for the week and month boards of the biggest servers (as many as the cache holds), yielding to the
 * event loop between them, so the first boards after a start are not the slow ones. The minute job runs it once at
 * start (one pass over stat_guild_members to find them). Returns how many bases it read.
 */
export async function warmBoards(deps: Pick<Deps, "db" | "clock">): Promise<number> {
  const servers = Math.floor(BASE_CACHE.maxEntries / 2);
  const ids = statements(deps.db).biggest.all(Math.max(1, BASE_CACHE.minMembers), servers) as string[];
  let read = 0;
  for (const guildId of ids)
    for (const period of ["week", "month"] as const) {
      baseOf(deps.db, guildId, period, windowStart(deps, guildId, period));
      read++;
      await breathe();
    }
  return read;
}

/**
 * Moves every kept base whose window has moved on (its server's study day rolled over) forward now, yielding to
 * the event loop between servers. Returns how many moved. The minute job runs it after the quiz tick.
 */
export async function advanceBoards(deps: Pick<Deps, "db" | "clock">): Promise<number> {
  let moved = 0;
  for (const kept of keptBases(deps.db)) {
    if (kept.period !== "week" && kept.period !== "month") continue;
    const from = windowStart(deps, kept.guildId, kept.period);
    if (from === kept.from) continue;
    baseOf(deps.db, kept.guildId, kept.period, from);
    moved++;
    await breathe();
  }
  return moved;
}

/**
 * Calls `fn` with the reviews, Again ratings and points in the window (null = all time) of each member, hidden
 * members included; members with nothing in the window may be left out.
 */
function eachTotal(
  db: Db,
  guildId: string,
  period: Period,
  window: { from: number; to: number } | null,
  fn: (userId: string, reviews: number, again: number, points: number) => void,
): void {
  const st = statements(db);
  if (window && window.from === window.to) {
    // Today, and any later day (only after the server's timezone moved west: a member may then have two rows).
    const today = new Map<string, Totals>();
    addDays(db, guildId, window.from, Number.MAX_SAFE_INTEGER, today);
    for (const r of today.values()) fn(r[0], r[1], r[2], r[3]);
    return;
  }
  const base = window ? baseOf(db, guildId, period, window.from) : null;
  for (const r of st.allTime.all(guildId) as Totals[]) {
    const b = base?.get(r[0]);
    if (b) fn(r[0], r[1] - b[1], r[2] - b[2], r[3] - b[3]);
    else fn(r[0], r[1], r[2], r[3]);
  }
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
  const zone = zoneOf(db, q.guildId);
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
    eachTotal(db, q.guildId, q.period, window, (userId, reviews, again, points) => {
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
  return { period: q.period, metric: q.metric, top, ranked, userId: q.userId, me, window, zone };
}
