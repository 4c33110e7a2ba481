/**
 * Study-day streaks, pure. A day counts when the member reviewed at least one card during that local study day
 * (04:00 rollover, as Anki). Days are numbered (days since 1970-01-01 of the local date) and fixed at write time in
 * the zone in force then, so a later timezone change never moves history.
 *
 * The streak is kept incrementally as each new study day is first seen (`advanceStreak`). A timezone change can
 * make the local date jump by a day (east) or fall back by a day (west); either way the streak neither breaks
 * nor grows by more than that one day:
 * - jump forward: the review is "the next day" in the old zone, so the run continues (the skipped date is not counted);
 * - fall back: a date not studied yet before the last one counts inside the run (that is the one day that changed).
 */
import { addDays, type LocalDate, studyDay, studyDayStart, zoneOffset } from "./time.ts";

const DAY_MS = 86_400_000;

export function dayNumber(d: LocalDate): number {
  return Math.round(Date.UTC(d.year, d.month - 1, d.day) / DAY_MS);
}

export function dayFromNumber(n: number): LocalDate {
  const t = new Date(n * DAY_MS);
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

/**
 * Per zone, the last study day looked up, with its [start, end) in UTC ms: every rating asks for its member's and
 * its server's day, nearly always the same day as the last time, and the zone maths costs more than the rest of
 * the aggregates' work. Kept only for a day whose UTC offset does not change inside it, where local time runs
 * with UTC and every instant of [start, end) is that day; a day with a DST change is computed every time. Pure
 * (a zone's rules are fixed for the process), at most one entry per valid zone name.
 * Other processes: keyed by zone name only, never by member or server (their zones are read from the database on
 * every call), so no write by any process can make an entry wrong.
 */
const lastDay = new Map<string, { start: number; end: number; day: number }>();

/** The local study day (04:00 rollover) of instant `ms` in `zone`, as a day number. */
export function studyDayNumber(ms: number, zone: string): number {
  const hit = lastDay.get(zone);
  if (hit !== undefined && ms >= hit.start && ms < hit.end) return hit.day;
  const d = studyDay(ms, zone);
  const day = dayNumber(d);
  const start = studyDayStart(d, zone);
  const end = studyDayStart(addDays(d, 1), zone);
  if (ms >= start && ms < end && zoneOffset(start, zone) === zoneOffset(end - 1, zone))
    lastDay.set(zone, { start, end, day });
  return day;
}

/** 0 = Monday … 6 = Sunday (1970-01-01, day 0, was a Thursday). */
export function weekday(day: number): number {
  return (((day + 3) % 7) + 7) % 7;
}

export interface StreakState {
  /** Latest study day of the current run. */
  lastDay: number;
  /** The zone `lastDay` was computed in. */
  lastZone: string;
  /** Study days counted in the current run. */
  runDays: number;
  /** Longest run ever, including the current one. */
  longest: number;
}

/** A timezone change moves the local date by at most two days (UTC+14 → UTC−12 with the 04:00 rollover). */
const MAX_ZONE_SHIFT_DAYS = 2;

/**
 * The streak after the member studies on a day not studied before: `day` computed at instant `at` in `zone`.
 * Call it only for a new day (the caller knows from its per-day table).
 */
export function advanceStreak(prev: StreakState | null, day: number, at: number, zone: string): StreakState {
  if (!prev) return { lastDay: day, lastZone: zone, runDays: 1, longest: 1 };
  if (day < prev.lastDay) {
    // Local date fell back after a zone change: this not-yet-studied date sits inside the run.
    // Anything further back is a clock oddity (imported history, a clock set back): it leaves the run alone.
    if (day < prev.lastDay - MAX_ZONE_SHIFT_DAYS) return prev;
    const runDays = prev.runDays + 1;
    return { ...prev, lastZone: zone, runDays, longest: Math.max(prev.longest, runDays) };
  }
  const next =
    day === prev.lastDay + 1 ||
    (zone !== prev.lastZone && studyDayNumber(at, prev.lastZone) <= prev.lastDay + 1);
  const runDays = next ? prev.runDays + 1 : 1;
  return { lastDay: day, lastZone: zone, runDays, longest: Math.max(prev.longest, runDays) };
}

/**
 * The current streak at instant `now` for a member whose zone is now `zone`: the run, while its last day is today
 * or yesterday (not having studied yet today does not break it), else 0.
 */
export function currentStreak(s: StreakState | null, now: number, zone: string): number {
  if (!s) return 0;
  const alive =
    s.lastDay >= studyDayNumber(now, zone) - 1 || s.lastDay >= studyDayNumber(now, s.lastZone) - 1;
  return alive ? s.runDays : 0;
}

/** Reference definition from a set of study days in one zone: current run (ending today or yesterday) and longest. */
export function streaksFromDays(days: Iterable<number>, today: number): { current: number; longest: number } {
  const sorted = [...new Set(days)].sort((a, b) => a - b);
  let longest = 0;
  let run = 0;
  let prev = Number.NaN;
  for (const d of sorted) {
    run = d === prev + 1 ? run + 1 : 1;
    longest = Math.max(longest, run);
    prev = d;
  }
  const current = sorted.length > 0 && prev >= today - 1 ? run : 0;
  return { current, longest };
}
