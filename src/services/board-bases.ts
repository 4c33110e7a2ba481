/**
 * The leaderboard's kept bases (services/leaderboard.ts says what a base is): per connection, with no expiry. They
 * stay right when other processes write because they depend only on days before the window, at least six days
 * old, and the bot only ever writes the current study day (reviews, quiz points, and the Undo of a review less
 * than a day old: db/review-undos.ts; a timezone change moves the day number by a day or two at most). When the
 * study day rolls over, a kept base moves forward by adding the rows
 * of the day(s) that left the window, one primary-key range each. Writers of past days (`rebuildStats`) call
 * `forgetBoards`, which reaches only their own connection: the bot never runs a rebuild, and one run by hand must
 * run with every bot process stopped (or be followed by their restart), or other processes keep stale bases.
 *
 * Which windows are kept comes from `deps.boards` (default `BOARD_CACHE_DEFAULTS`): tests pass their own.
 */
import type { Db } from "../db/client.ts";
import { dayRows, type MemberTotals, totalsBefore } from "../db/stat-boards.ts";
import type { Deps } from "./deps.ts";
import type { Period } from "./leaderboard.ts";

/**
 * Kept bases: only for windows of servers with at least `minMembers` bases (a small server's cost less than a
 * millisecond to read), at most `maxEntries` of them (least recently used out).
 */
export interface BoardCacheOptions {
  minMembers: number;
  maxEntries: number;
}

export const BOARD_CACHE_DEFAULTS: Readonly<BoardCacheOptions> = Object.freeze({
  minMembers: 200,
  maxEntries: 32,
});

/** How far a kept base may move forward by adding days (beyond: read again). */
const MAX_MOVE_DAYS = 7;

interface Base {
  guildId: string;
  period: Period;
  from: number;
  /** user id → running totals before `from`. */
  totals: Map<string, MemberTotals>;
}

/** Per connection (its Db): key `guild|period` → base, least recently used first. */
const kept = new WeakMap<Db, Map<string, Base>>();

export function boardOptions(deps: Pick<Deps, "boards">): Readonly<BoardCacheOptions> {
  return deps.boards ?? BOARD_CACHE_DEFAULTS;
}

/** Forgets this connection's kept bases (after rewriting past days' aggregates, e.g. `rebuildStats`). */
export function forgetBoards(db: Db): void {
  kept.delete(db);
}

/** The kept bases: server, period and first day of their window (tests, the benchmark, `advanceBoards`). */
export function keptBases(db: Db): { guildId: string; period: Period; from: number }[] {
  return [...(kept.get(db)?.values() ?? [])].map(({ guildId, period, from }) => ({ guildId, period, from }));
}

/** Adds `rows` to `totals`, in place. */
export function addRows(totals: Map<string, MemberTotals>, rows: MemberTotals[]): void {
  for (const r of rows) {
    const t = totals.get(r[0]);
    totals.set(r[0], t ? [r[0], t[1] + r[1], t[2] + r[2], t[3] + r[3]] : r);
  }
}

/** Members' bases for the window of `period` starting on day `from`, kept or moved forward when possible. */
export async function baseOf(
  deps: Pick<Deps, "db" | "boards">,
  guildId: string,
  period: Period,
  from: number,
): Promise<Map<string, MemberTotals>> {
  const { db } = deps;
  const key = `${guildId}|${period}`;
  const old = kept.get(db)?.get(key);
  kept.get(db)?.delete(key); // taken out while it is worked on; put back last (most recently used)
  let base: Base;
  if (old && old.from === from) base = old;
  else if (old && old.from < from && from - old.from <= MAX_MOVE_DAYS) {
    // The study day rolled over: the days that left the window join the base.
    addRows(old.totals, await dayRows(db, guildId, old.from, from - 1));
    base = { ...old, from };
  } else {
    const totals = new Map<string, MemberTotals>();
    for (const r of await totalsBefore(db, guildId, from)) totals.set(r[0], r);
    base = { guildId, period, from, totals };
  }
  const { minMembers, maxEntries } = boardOptions(deps);
  if (base.totals.size >= minMembers && maxEntries > 0) {
    let cache = kept.get(db);
    if (!cache) {
      cache = new Map();
      kept.set(db, cache);
    }
    cache.set(key, base);
    for (const k of cache.keys()) {
      if (cache.size <= maxEntries) break;
      cache.delete(k);
    }
  }
  return base.totals;
}
