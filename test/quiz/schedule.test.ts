import { describe, expect, it } from "vitest";
import {
  dateKey,
  decideDue,
  localDateOf,
  parseTimeOfDay,
  planNextRun,
  retryDelayMs,
  runAfter,
  runAt,
} from "../../src/core/quiz.ts";

const BERLIN = "Europe/Berlin";
const NINE = { hour: 9, minute: 0 };
const iso = (ms: number) => new Date(ms).toISOString();
const at = (s: string) => Date.parse(s);

describe("GIVEN a time of day typed by an admin", () => {
  it("THEN HH:MM (and H:MM) parse, anything else is refused", () => {
    expect(parseTimeOfDay("09:00")).toEqual({ hour: 9, minute: 0 });
    expect(parseTimeOfDay("9:05")).toEqual({ hour: 9, minute: 5 });
    expect(parseTimeOfDay(" 23:59 ")).toEqual({ hour: 23, minute: 59 });
    for (const bad of ["24:00", "9", "09:60", "9am", "09:00:00", "", "-1:00", "0900", "١٢:٠٠"])
      expect(parseTimeOfDay(bad), bad).toBeNull();
  });
});

describe("GIVEN a quiz at 09:00 Europe/Berlin", () => {
  it("THEN a winter date runs at 08:00 UTC and a summer date at 07:00 UTC", () => {
    expect(iso(runAt({ year: 2026, month: 1, day: 15 }, NINE, BERLIN))).toBe("2026-01-15T08:00:00.000Z");
    expect(iso(runAt({ year: 2026, month: 7, day: 15 }, NINE, BERLIN))).toBe("2026-07-15T07:00:00.000Z");
  });

  it("THEN the run after the last winter day is 09:00 summer time (23 hours later)", () => {
    const next = runAfter("2026-03-28", NINE, BERLIN);
    expect(next.date).toBe("2026-03-29");
    expect(iso(next.at)).toBe("2026-03-29T07:00:00.000Z");
    const back = runAfter("2026-10-24", NINE, BERLIN);
    expect(iso(back.at)).toBe("2026-10-25T08:00:00.000Z"); // 25 hours later, still 09:00 local
  });

  it("THEN a time skipped by spring-forward runs at the first valid minute after it", () => {
    // 2026-03-29: 02:00 → 03:00 in Berlin; 02:30 does not exist.
    expect(iso(runAt({ year: 2026, month: 3, day: 29 }, { hour: 2, minute: 30 }, BERLIN))).toBe(
      "2026-03-29T01:00:00.000Z", // 03:00 CEST
    );
    expect(iso(runAt({ year: 2026, month: 3, day: 29 }, { hour: 2, minute: 0 }, BERLIN))).toBe(
      "2026-03-29T01:00:00.000Z",
    );
  });

  it("THEN a time repeated by fall-back runs once, at its first occurrence", () => {
    // 2026-10-25: 03:00 → 02:00; 02:30 happens twice (00:30Z CEST, 01:30Z CET).
    expect(iso(runAt({ year: 2026, month: 10, day: 25 }, { hour: 2, minute: 30 }, BERLIN))).toBe(
      "2026-10-25T00:30:00.000Z",
    );
    // The next day is planned from the local date, so the second 02:30 never counts as another day.
    expect(runAfter("2026-10-25", { hour: 2, minute: 30 }, BERLIN).date).toBe("2026-10-26");
  });

  it("THEN the local date is the calendar date in the zone (not UTC's)", () => {
    expect(dateKey(localDateOf(at("2026-07-14T22:30:00Z"), BERLIN))).toBe("2026-07-15");
    expect(dateKey(localDateOf(at("2026-07-14T22:30:00Z"), "America/New_York"))).toBe("2026-07-14");
  });
});

describe("GIVEN a schedule being planned (setup, resume)", () => {
  it("THEN before today's time → today; after it, or when today is posted → tomorrow", () => {
    expect(planNextRun(at("2026-01-15T07:59:00Z"), NINE, BERLIN, false)).toEqual({
      date: "2026-01-15",
      at: at("2026-01-15T08:00:00Z"),
    });
    expect(planNextRun(at("2026-01-15T08:00:00Z"), NINE, BERLIN, false).date).toBe("2026-01-16");
    expect(planNextRun(at("2026-01-15T07:00:00Z"), NINE, BERLIN, true).date).toBe("2026-01-16");
  });
});

describe("GIVEN a stored next run and the clock", () => {
  const schedule = { nextDate: "2026-01-15", nextRunAt: at("2026-01-15T08:00:00Z") };

  it("THEN one minute before → wait; at the minute → post that date", () => {
    expect(decideDue(at("2026-01-15T07:59:00Z"), schedule, NINE, BERLIN)).toEqual({ kind: "wait" });
    expect(decideDue(at("2026-01-15T08:00:00Z"), schedule, NINE, BERLIN)).toEqual({
      kind: "post",
      date: "2026-01-15",
      missed: null,
    });
  });

  it("THEN down at 09:00 and back at 13:00 the same day → post (catch-up)", () => {
    expect(decideDue(at("2026-01-15T12:00:00Z"), schedule, NINE, BERLIN)).toMatchObject({
      kind: "post",
      date: "2026-01-15",
    });
    // Local 23:59 is still the same date.
    expect(decideDue(at("2026-01-15T22:59:00Z"), schedule, NINE, BERLIN).kind).toBe("post");
  });

  it("THEN back the next day before its time → skip the missed day, wait for today's", () => {
    expect(decideDue(at("2026-01-16T07:00:00Z"), schedule, NINE, BERLIN)).toEqual({
      kind: "skip",
      missed: "2026-01-15",
      next: { date: "2026-01-16", at: at("2026-01-16T08:00:00Z") },
    });
    // Just after local midnight.
    expect(decideDue(at("2026-01-15T23:00:00Z"), schedule, NINE, BERLIN).kind).toBe("skip");
  });

  it("THEN back the next day after its time → the missed day is skipped and today's posts", () => {
    expect(decideDue(at("2026-01-16T12:00:00Z"), schedule, NINE, BERLIN)).toEqual({
      kind: "post",
      date: "2026-01-16",
      missed: "2026-01-15",
    });
  });

  it("THEN retries back off 1, 2, 4 … minutes up to an hour", () => {
    expect([1, 2, 3, 4, 7, 8, 30].map((n) => retryDelayMs(n) / 60_000)).toEqual([1, 2, 4, 8, 60, 60, 60]);
  });
});
