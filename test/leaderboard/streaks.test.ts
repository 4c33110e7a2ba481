import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  advanceStreak,
  currentStreak,
  dayFromNumber,
  dayNumber,
  type StreakState,
  streaksFromDays,
  studyDayNumber,
  weekday,
} from "../../src/core/streaks.ts";
import { zonedTimeToUtc } from "../../src/core/time.ts";

const HOUR = 3_600_000;
const at = (iso: string) => Date.parse(iso);
const local = (zone: string, y: number, mo: number, d: number, h: number, mi = 0) =>
  zonedTimeToUtc({ year: y, month: mo, day: d, hour: h, minute: mi }, zone);

/** Feeds reviews (instant, zone) through the write-time rule: only a day not seen before advances the streak. */
function play(reviews: [number, string][]): { state: StreakState | null; days: Set<number> } {
  let state: StreakState | null = null;
  const days = new Set<number>();
  for (const [t, zone] of reviews) {
    const d = studyDayNumber(t, zone);
    if (days.has(d)) continue;
    days.add(d);
    state = advanceStreak(state, d, t, zone);
  }
  return { state, days };
}

describe("GIVEN day numbers", () => {
  it("THEN they round-trip to dates and know the weekday", () => {
    expect(dayNumber({ year: 1970, month: 1, day: 1 })).toBe(0);
    expect(dayFromNumber(dayNumber({ year: 2026, month: 3, day: 29 }))).toEqual({
      year: 2026,
      month: 3,
      day: 29,
    });
    expect(weekday(dayNumber({ year: 2026, month: 3, day: 2 }))).toBe(0); // a Monday
    expect(weekday(dayNumber({ year: 2026, month: 3, day: 8 }))).toBe(6); // a Sunday
  });
});

describe("GIVEN the 04:00 rollover", () => {
  const zone = "Europe/Berlin";
  it("THEN 00:30 local still belongs to the previous study day, 04:00 starts the next", () => {
    const mon = studyDayNumber(local(zone, 2026, 3, 2, 12), zone);
    expect(studyDayNumber(local(zone, 2026, 3, 3, 0, 30), zone)).toBe(mon);
    expect(studyDayNumber(local(zone, 2026, 3, 3, 3, 59), zone)).toBe(mon);
    expect(studyDayNumber(local(zone, 2026, 3, 3, 4, 0), zone)).toBe(mon + 1);
  });

  it("THEN studying at 23:00 and again at 01:00 is ONE day (no two-day streak from one night)", () => {
    const { state } = play([
      [local(zone, 2026, 3, 2, 23), zone],
      [local(zone, 2026, 3, 3, 1), zone],
    ]);
    expect(state?.runDays).toBe(1);
  });

  it("THEN 03:59 then 04:01 the same night is two days in a row", () => {
    const { state } = play([
      [local(zone, 2026, 3, 3, 3, 59), zone],
      [local(zone, 2026, 3, 3, 4, 1), zone],
    ]);
    expect(state?.runDays).toBe(2);
  });
});

describe("GIVEN daily study across DST changes", () => {
  for (const [zone, y, m, d] of [
    ["Europe/Berlin", 2026, 3, 25], // spring forward on the 29th
    ["Europe/Berlin", 2026, 10, 20], // fall back on the 25th
    ["America/New_York", 2026, 3, 4], // spring forward on the 8th
    ["America/New_York", 2026, 10, 28], // fall back on Nov 1st
    ["Australia/Lord_Howe", 2026, 4, 1], // half-hour DST shift
  ] as const) {
    it(`THEN ${zone} from ${y}-${m}-${d}: every day counts once, including the 23 h and 25 h days`, () => {
      const reviews: [number, string][] = [];
      for (let k = 0; k < 10; k++) {
        const day = dayFromNumber(dayNumber({ year: y, month: m, day: d }) + k);
        // Just after the rollover, and at 03:30 the night after (still the same study day).
        reviews.push([local(zone, day.year, day.month, day.day, 4, 5), zone]);
        const next = dayFromNumber(dayNumber(day) + 1);
        reviews.push([local(zone, next.year, next.month, next.day, 3, 30), zone]);
      }
      const { state, days } = play(reviews);
      expect(days.size).toBe(10);
      expect(state?.runDays).toBe(10);
      expect(state?.longest).toBe(10);
      const last = reviews.at(-1)?.[0] ?? 0;
      expect(currentStreak(state, last + 20 * HOUR, zone)).toBe(10);
    });
  }

  it("THEN the study day at the same UTC instant shifts by the DST hour (04:00 local, not 04:00 UTC)", () => {
    const zone = "America/New_York";
    // 2026-03-08 is spring-forward day: 04:00 EDT = 08:00 UTC; the day before it was 09:00 UTC.
    expect(studyDayNumber(at("2026-03-08T07:59:00Z"), zone)).toBe(
      dayNumber({ year: 2026, month: 3, day: 7 }),
    );
    expect(studyDayNumber(at("2026-03-08T08:00:00Z"), zone)).toBe(
      dayNumber({ year: 2026, month: 3, day: 8 }),
    );
    expect(studyDayNumber(at("2026-03-07T08:59:00Z"), zone)).toBe(
      dayNumber({ year: 2026, month: 3, day: 6 }),
    );
  });
});

describe("GIVEN the current streak at a later instant", () => {
  const zone = "UTC";
  const base = at("2026-03-02T10:00:00Z");
  const { state } = play([0, 1, 2].map((k) => [base + k * 24 * HOUR, zone] as [number, string]));

  it("THEN it survives a day not studied yet, and breaks the day after", () => {
    expect(state?.runDays).toBe(3);
    expect(currentStreak(state, base + 3 * 24 * HOUR, zone)).toBe(3); // day 4, not studied yet
    expect(currentStreak(state, at("2026-03-06T03:59:00Z"), zone)).toBe(3); // still day 4 (before 04:00)
    expect(currentStreak(state, at("2026-03-06T04:00:00Z"), zone)).toBe(0); // day 5: day 4 was missed
    expect(currentStreak(null, base, zone)).toBe(0);
  });

  it("THEN a gap restarts the run but keeps the longest", () => {
    const next = advanceStreak(state, (state?.lastDay ?? 0) + 2, base + 4 * 24 * HOUR, zone);
    expect(next.runDays).toBe(1);
    expect(next.longest).toBe(3);
  });
});

describe("GIVEN a member who changes timezone", () => {
  it("THEN moving east (the date jumps ahead) neither breaks the streak nor counts the skipped date", () => {
    // Studies daily at 22:00 UTC in UTC, then moves to Tokyo (+9): 22:00 UTC is 07:00 the NEXT local day there.
    const reviews: [number, string][] = [];
    for (let k = 0; k < 5; k++) reviews.push([at("2026-03-02T22:00:00Z") + k * 24 * HOUR, "UTC"]);
    for (let k = 5; k < 10; k++) reviews.push([at("2026-03-02T22:00:00Z") + k * 24 * HOUR, "Asia/Tokyo"]);
    const { state, days } = play(reviews);
    expect(days.size).toBe(10); // one date skipped in the set…
    expect(state?.runDays).toBe(10); // …but the run goes on, counting the ten days studied
    expect(currentStreak(state, (reviews.at(-1)?.[0] ?? 0) + 12 * HOUR, "Asia/Tokyo")).toBe(10);
  });

  it("THEN the streak stays alive right after moving east, before the first review in the new zone", () => {
    const { state } = play([[at("2026-03-02T22:00:00Z"), "UTC"]]);
    // Next evening 21:00 UTC = Tokyo 06:00 two dates later; yesterday in the old zone is still the last day.
    expect(currentStreak(state, at("2026-03-03T21:00:00Z"), "Asia/Tokyo")).toBe(1);
  });

  it("THEN moving west (the date falls back) does not break it and grows it by at most the one date", () => {
    const reviews: [number, string][] = [];
    // Daily at 01:00 UTC in Tokyo (10:00 local), then Los Angeles (−8): 01:00 UTC is 17:00 the PREVIOUS date.
    for (let k = 0; k < 5; k++) reviews.push([at("2026-03-02T01:00:00Z") + k * 24 * HOUR, "Asia/Tokyo"]);
    for (let k = 5; k < 10; k++)
      reviews.push([at("2026-03-02T01:00:00Z") + k * 24 * HOUR, "America/Los_Angeles"]);
    const { state } = play(reviews);
    // Ten days studied; the date that repeats (Tokyo's and LA's 6th March) counts once: 9, unbroken.
    expect(state?.runDays).toBe(9);
    expect(currentStreak(state, (reviews.at(-1)?.[0] ?? 0) + 6 * HOUR, "America/Los_Angeles")).toBe(
      state?.runDays,
    );
  });

  it("THEN a west move onto a date never studied counts that date inside the run", () => {
    // Tokyo Tue 10:00 (Mon 17:00 in LA) is the first review; the member then moves to LA at once and studies
    // on the LA Monday — a date not in the set yet, one before the last.
    const s1 = advanceStreak(null, 100, 0, "Asia/Tokyo");
    const s2 = advanceStreak(s1, 99, 0, "America/Los_Angeles");
    expect(s2.runDays).toBe(2);
    expect(s2.lastDay).toBe(100);
    // A day far in the past (clock set back, imported history) leaves the run alone.
    expect(advanceStreak(s2, 90, 0, "UTC")).toEqual(s2);
  });

  it("THEN history does not move: the days already stored keep their dates", () => {
    const { days } = play([[at("2026-03-02T22:00:00Z"), "UTC"]]);
    expect([...days]).toEqual([dayNumber({ year: 2026, month: 3, day: 2 })]);
    // The same instant in Tokyo would be the 3rd, but the stored day was fixed at write time.
    expect(studyDayNumber(at("2026-03-02T22:00:00Z"), "Asia/Tokyo")).toBe(
      dayNumber({ year: 2026, month: 3, day: 3 }),
    );
  });
});

describe("GIVEN any set of study days in one zone", () => {
  it("THEN the incremental streak equals the reference definition from the day set", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 60 }), { maxLength: 60 }), (offsets) => {
        const days = [...offsets].sort((a, b) => a - b).map((o) => 20_000 + o);
        let s: StreakState | null = null;
        for (const d of days) s = advanceStreak(s, d, (d + 0.5) * 86_400_000, "UTC");
        const today = 20_000 + 61;
        const ref = streaksFromDays(days, today);
        expect(s?.longest ?? 0).toBe(ref.longest);
        expect(currentStreak(s, today * 86_400_000 + 12 * HOUR, "UTC")).toBe(ref.current);
      }),
      { numRuns: 300 },
    );
  });
});
