/**
 * Time-zone arithmetic on the runtime's tz database (no table of our own). All instants are UTC epoch ms.
 * Local time → UTC goes through Temporal (temporal-polyfill), which knows each zone's transitions; UTC → local
 * stays on a cached Intl.DateTimeFormat, 2-3× faster than the polyfill and on the path of every rating
 * (`studyDay` via streaks.ts).
 */
import { Temporal } from "temporal-polyfill";

export interface LocalParts {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** One formatter per zone; pure (the runtime's zone data), so other processes' writes never matter to it. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(zone, f);
  }
  return f;
}

/** True for names Intl knows (IANA zones and "UTC"). */
export function isValidTimeZone(zone: string): boolean {
  if (!zone || zone.length > 64) return false;
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/**
 * The zone's name as the runtime spells it, or null when Intl does not know it: `europe/berlin` → `Europe/Berlin`,
 * `utc` → `UTC`. A name of the runtime's list (what autocomplete offers) keeps that spelling; another name Intl
 * accepts (an alias such as `US/Pacific`) becomes the zone Intl resolves it to.
 */
export function canonicalTimeZone(input: string): string | null {
  const zone = input.trim();
  if (!isValidTimeZone(zone)) return null;
  zoneByLowerName ??= new Map(allTimeZones().map((z) => [z.toLowerCase(), z]));
  return zoneByLowerName.get(zone.toLowerCase()) ?? formatter(zone).resolvedOptions().timeZone;
}
/** The runtime's zone names, built once: not data any process writes. */
let zoneByLowerName: Map<string, string> | null = null;

let zoneList: string[] | null = null;
/** All IANA zone names this runtime knows, plus UTC. */
export function allTimeZones(): string[] {
  zoneList ??= ["UTC", ...Intl.supportedValuesOf("timeZone").filter((z) => z !== "UTC")];
  return zoneList;
}

export function localParts(ms: number, zone: string): LocalParts {
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(new Date(ms))) {
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year ?? 1970,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** Offset of `zone` from UTC at instant `ms`, in ms (Berlin winter: +3_600_000). */
export function zoneOffset(ms: number, zone: string): number {
  const p = localParts(ms, zone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - (ms - (ms % 1000));
}

/**
 * The UTC instant at which the wall clock in `zone` shows the given local time.
 * A wall time skipped by a spring-forward change resolves to the first valid minute after it (the transition
 * itself: 02:30 on a night that jumps from 02:00 to 03:00 is 03:00); an ambiguous one (autumn, the hour shown
 * twice) resolves to the earlier instant. Fields out of range roll over as in `Date.UTC` (hour 24 is the next day).
 */
export function zonedTimeToUtc(
  local: { year: number; month: number; day: number; hour: number; minute: number },
  zone: string,
): number {
  const w = new Date(Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute));
  const wall = new Temporal.PlainDateTime(
    w.getUTCFullYear(),
    w.getUTCMonth() + 1,
    w.getUTCDate(),
    w.getUTCHours(),
    w.getUTCMinutes(),
  );
  // "earlier": the first of two instants for a repeated time; for a skipped one, an instant before the gap.
  const at = wall.toZonedDateTime(zone, { disambiguation: "earlier" });
  if (Temporal.PlainDateTime.compare(at.toPlainDateTime(), wall) === 0) return at.epochMilliseconds;
  return (at.getTimeZoneTransition("next") ?? wall.toZonedDateTime(zone)).epochMilliseconds;
}

export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

export function addDays(d: LocalDate, n: number): LocalDate {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day + n));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

export function formatLocalDate(d: LocalDate): string {
  return `${d.year}-${String(d.month).padStart(2, "0")}-${String(d.day).padStart(2, "0")}`;
}

/** Study-day boundary hour, as Anki: a day runs from 04:00 to 04:00 local time. */
export const DAY_ROLLOVER_HOUR = 4;

/** The study day (local date) that instant `ms` belongs to, with days starting at `rolloverHour` local. */
export function studyDay(ms: number, zone: string, rolloverHour = DAY_ROLLOVER_HOUR): LocalDate {
  const p = localParts(ms, zone);
  const d = { year: p.year, month: p.month, day: p.day };
  return p.hour < rolloverHour ? addDays(d, -1) : d;
}

/** UTC instant at which study day `d` starts (its local rollover hour). */
export function studyDayStart(d: LocalDate, zone: string, rolloverHour = DAY_ROLLOVER_HOUR): number {
  return zonedTimeToUtc({ ...d, hour: rolloverHour, minute: 0 }, zone);
}

/** [start, end) of the study day containing `ms`. */
export function studyDayBounds(ms: number, zone: string, rolloverHour = DAY_ROLLOVER_HOUR): [number, number] {
  const d = studyDay(ms, zone, rolloverHour);
  return [studyDayStart(d, zone, rolloverHour), studyDayStart(addDays(d, 1), zone, rolloverHour)];
}

/** Next study days' starts by zone and study day: pure (the runtime's zone data), so no process can make one stale. */
const nextStarts = new Map<string, number>();

/**
 * When the study day after the one holding `ms` starts: `studyDayBounds(ms, zone)[1]`, its zone conversion
 * remembered (~60 µs in the polyfill, on the path of a rating that buries siblings).
 */
export function nextStudyDayStart(ms: number, zone: string, rolloverHour = DAY_ROLLOVER_HOUR): number {
  const next = addDays(studyDay(ms, zone, rolloverHour), 1);
  const key = `${zone} ${rolloverHour} ${formatLocalDate(next)}`;
  let start = nextStarts.get(key);
  if (start === undefined) {
    if (nextStarts.size >= 4096) nextStarts.clear();
    start = studyDayStart(next, zone, rolloverHour);
    nextStarts.set(key, start);
  }
  return start;
}
