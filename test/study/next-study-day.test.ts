/** The next study day's start a sibling bury ends at: the study day rule (core/time.ts), remembered per day. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { nextStudyDayStart, studyDayBounds } from "../../src/core/time.ts";

describe("nextStudyDayStart", () => {
  it("GIVEN any instant and zone, asked twice THEN the end of studyDayBounds, DST nights included", () => {
    const zones = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu"];
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse("2025-01-01T00:00:00Z"), max: Date.parse("2028-01-01T00:00:00Z") }),
        fc.constantFrom(...zones),
        (ms, zone) => {
          const end = studyDayBounds(ms, zone)[1];
          expect(nextStudyDayStart(ms, zone)).toBe(end);
          expect(nextStudyDayStart(ms, zone)).toBe(end);
        },
      ),
      { numRuns: 2000 },
    );
    // Berlin's spring-forward night (02:00 → 03:00 on 2026-03-29): the day from 04:00 local still.
    expect(nextStudyDayStart(Date.parse("2026-03-28T12:00:00Z"), "Europe/Berlin")).toBe(
      Date.parse("2026-03-29T02:00:00Z"),
    );
    expect(nextStudyDayStart(Date.parse("2026-03-29T01:59:00Z"), "Europe/Berlin")).toBe(
      Date.parse("2026-03-29T02:00:00Z"),
    );
  });
});
