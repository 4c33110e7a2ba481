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
 * The reads are src/db/stat-boards.ts (prepared once per connection).
 *
 * Bases of big servers are kept per connection and need no expiry (services/board-bases.ts says why that stays
 * right; `deps.boards` says which are kept). When the study day rolls over, the minute job moves kept bases
 * forward in the background (`advanceBoards`), so the day's first board does not pay for it, and at start it
 * keeps the biggest servers' bases (`warmBoards`). Writers of past days (`rebuildStats`) call `forgetBoards`.
 */
import { type Ranked, rankTop } from "../core/ranking.ts";
import { currentStreak, studyDayNumber } from "../core/streaks.ts";
import { serverZone } from "../db/guilds.ts";
import { holdsGuild, type ShardFilter } from "../db/quiz-configs.ts";
import {
  allTimeTotals,
  biggestServers,
  dayRows,
  hiddenMembers,
  type MemberTotals,
  memberStreaks,
} from "../db/stat-boards.ts";
import { addRows, baseOf, boardOptions, keptBases } from "./board-bases.ts";
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

export { forgetBoards, keptBases } from "./board-bases.ts";

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

const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The first day of `period`'s window for a server at `now`. */
async function windowStart(deps: Pick<Deps, "db" | "clock">, guildId: string, period: "week" | "month") {
  const now = deps.clock.now().getTime();
  return studyDayNumber(now, await serverZone(deps.db, guildId)) - WINDOW_DAYS[period] + 1;
}

/**
 * Keeps bases for the week and month boards of the biggest servers (as many as the cache holds), yielding to the
 * event loop between them, so the first boards after a start are not the slow ones. The minute job runs it once at
 * start (one pass over stat_guild_members to find them). A shard process warms the biggest of its own servers
 * (`shards`): the others' boards are asked of other processes. Returns how many bases it read.
 */
export async function warmBoards(
  deps: Pick<Deps, "db" | "clock" | "boards">,
  shards: ShardFilter = null,
): Promise<number> {
  const { minMembers, maxEntries } = boardOptions(deps);
  const servers = Math.floor(maxEntries / 2);
  // The biggest across every shard, as many per shard held as one process warms, then this process's own.
  const ranked = await biggestServers(deps.db, Math.max(1, minMembers), servers * (shards?.shardCount ?? 1));
  const ids = ranked.filter((id) => holdsGuild(shards, id)).slice(0, servers);
  let read = 0;
  for (const guildId of ids)
    for (const period of ["week", "month"] as const) {
      await baseOf(deps, guildId, period, await windowStart(deps, guildId, period));
      read++;
      await breathe();
    }
  return read;
}

/**
 * Moves every kept base whose window has moved on (its server's study day rolled over) forward now, yielding to
 * the event loop between servers. Returns how many moved. The minute job runs it after the quiz tick.
 */
export async function advanceBoards(deps: Pick<Deps, "db" | "clock" | "boards">): Promise<number> {
  let moved = 0;
  for (const k of keptBases(deps.db)) {
    if (k.period !== "week" && k.period !== "month") continue;
    const from = await windowStart(deps, k.guildId, k.period);
    if (from === k.from) continue;
    await baseOf(deps, k.guildId, k.period, from);
    moved++;
    await breathe();
  }
  return moved;
}

/**
 * Calls `fn` with the reviews, Again ratings and points in the window (null = all time) of each member, hidden
 * members included; members with nothing in the window may be left out.
 */
async function eachTotal(
  deps: Pick<Deps, "db" | "boards">,
  guildId: string,
  period: Period,
  window: { from: number; to: number } | null,
  fn: (userId: string, reviews: number, again: number, points: number) => void,
): Promise<void> {
  const { db } = deps;
  if (window && window.from === window.to) {
    // Today, and any later day (only after the server's timezone moved west: a member may then have two rows).
    const today = new Map<string, MemberTotals>();
    addRows(today, await dayRows(db, guildId, window.from, Number.MAX_SAFE_INTEGER));
    for (const r of today.values()) fn(r[0], r[1], r[2], r[3]);
    return;
  }
  const base = window ? await baseOf(deps, guildId, period, window.from) : null;
  for (const r of await allTimeTotals(db, guildId)) {
    const b = base?.get(r[0]);
    if (b) fn(r[0], r[1] - b[1], r[2] - b[2], r[3] - b[3]);
    else fn(r[0], r[1], r[2], r[3]);
  }
}

export async function leaderboard(
  deps: Pick<Deps, "db" | "clock" | "boards">,
  q: { guildId: string; userId: string; period: Period; metric: Metric },
): Promise<Leaderboard> {
  const { db } = deps;
  const now = deps.clock.now().getTime();
  const zone = await serverZone(db, q.guildId);
  const today = studyDayNumber(now, zone);
  const window = q.period === "all" ? null : { from: today - WINDOW_DAYS[q.period] + 1, to: today };

  const entries: BoardEntry[] = [];
  let myReviews = 0;
  let meHidden = false;
  if (q.metric === "streak") {
    // A streak belongs to the member, not the window: "all" ranks longest streaks, other periods current ones.
    // Whether a run is still alive depends only on (zone, last zone, last day): worked out once per distinct one.
    const alive = new Map<string, boolean>();
    for (const [userId, lastDay, lastZone, runDays, longest, timezone, visible] of await memberStreaks(
      db,
      q.guildId,
    )) {
      if (visible === 0) {
        if (userId === q.userId) meHidden = true;
        continue;
      }
      let score = longest;
      if (q.period !== "all") {
        const memberZone = timezone ?? zone;
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
    const hidden = await hiddenMembers(db, q.guildId);
    meHidden = hidden.has(q.userId);
    const metric = q.metric;
    await eachTotal(deps, q.guildId, q.period, window, (userId, reviews, again, points) => {
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
  else if (meHidden || (await isHidden(db, q.userId))) me = { kind: "hidden" };
  else if (q.metric === "accuracy" && myReviews > 0) me = { kind: "too-few", reviews: myReviews };
  else me = { kind: "none" };
  return { period: q.period, metric: q.metric, top, ranked, userId: q.userId, me, window, zone };
}
