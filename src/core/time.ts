/** Time-zone arithmetic on top of Intl (no tz database of our own). All instants are UTC epoch ms. */

export interface LocalParts {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
}

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
 * A wall time skipped by a spring-forward change resolves to the first valid minute after it;
 * an ambiguous one (autumn) resolves to the earlier instant.
 */
export function zonedTimeToUtc(
  local: { year: number; month: number; day: number; hour: number; minute: number },
  zone: string,
): number {
  const wall = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute);
  // Try both offsets around the guess; keep those that map back to the wanted wall time.
  const candidates = new Set<number>();
  for (const probe of [wall - 86_400_000, wall, wall + 86_400_000])
    candidates.add(wall - zoneOffset(probe, zone));
  const exact = [...candidates].filter((t) => wallMs(t, zone) === wall).sort((a, b) => a - b);
  if (exact[0] !== undefined) return exact[0];
  // Skipped wall time: walk forward minute by minute to the first wall time that exists.
  for (let step = 1; step <= 180; step++) {
    const w = wall + step * 60_000;
    for (const probe of [w - 86_400_000, w + 86_400_000]) {
      const t = w - zoneOffset(probe, zone);
      if (wallMs(t, zone) === w) return t;
    }
  }
  return wall - zoneOffset(wall, zone);
}

function wallMs(t: number, zone: string): number {
  const p = localParts(t, zone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
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
