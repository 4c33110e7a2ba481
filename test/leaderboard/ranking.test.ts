import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { POINTS, reviewPoints, streakBonus } from "../../src/core/points.ts";
import { rank, rankTop } from "../../src/core/ranking.ts";

describe("GIVEN scores to rank", () => {
  it("THEN the highest comes first and ties share a rank (1, 1, 3)", () => {
    const r = rank([
      { userId: "c", score: 5 },
      { userId: "a", score: 9 },
      { userId: "b", score: 9 },
      { userId: "d", score: 1 },
    ]);
    expect(r.map((e) => [e.userId, e.rank])).toEqual([
      ["a", 1],
      ["b", 1],
      ["c", 3],
      ["d", 4],
    ]);
  });

  it("THEN a tiebreak orders equal scores for display without splitting their rank", () => {
    const r = rank([
      { userId: "a", score: 900, tiebreak: 20 },
      { userId: "b", score: 900, tiebreak: 50 },
      { userId: "c", score: 900, tiebreak: 30 },
      { userId: "d", score: 800, tiebreak: 99 },
    ]);
    expect(r.map((e) => `${e.userId}${e.rank}`)).toEqual(["b1", "c1", "a1", "d4"]);
  });

  it("THEN an all-tied board is all rank 1, and an empty board is empty", () => {
    expect(
      rank([
        { userId: "x", score: 0 },
        { userId: "y", score: 0 },
      ]).map((e) => e.rank),
    ).toEqual([1, 1]);
    expect(rank([])).toEqual([]);
  });
});

describe("GIVEN a board that only shows its top and the caller (rankTop)", () => {
  it("THEN it agrees with ranking everyone: the same top n, count and caller's rank", () => {
    const entry = fc.record({
      userId: fc.constantFrom(...Array.from({ length: 30 }, (_, k) => `u${k}`)),
      score: fc.integer({ min: 0, max: 6 }), // few values: many ties
      tiebreak: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(entry, { selector: (e) => e.userId, maxLength: 30 }),
        fc.integer({ min: 0, max: 12 }),
        fc.constantFrom("u0", "u7", "u29", "nobody"),
        (entries, n, me) => {
          const all = rank(entries);
          const got = rankTop(entries, n, me);
          expect(got.top).toEqual(all.slice(0, n));
          expect(got.ranked).toBe(all.length);
          expect(got.mine).toEqual(all.find((e) => e.userId === me));
        },
      ),
      { numRuns: 500 },
    );
  });

  it("THEN ties at the cut share the rank, and a caller below the top gets 1 + those strictly ahead", () => {
    const entries = [9, 9, 7, 7, 7, 5, 5, 3].map((score, k) => ({ userId: `m${k}`, score }));
    const got = rankTop(entries, 4, "m7");
    expect(got.top.map((e) => `${e.userId}:${e.rank}`)).toEqual(["m0:1", "m1:1", "m2:3", "m3:3"]);
    expect(got.mine).toMatchObject({ userId: "m7", rank: 8 });
    expect(rankTop(entries, 4, "m6").mine?.rank).toBe(6);
    expect(rankTop([], 10, "x")).toEqual({ top: [], ranked: 0, mine: undefined });
  });
});

describe("GIVEN the points rules", () => {
  it("THEN a review earns 1 point, but nothing when answered in under a second (farming guard)", () => {
    expect(reviewPoints({ source: "study", rating: 3, durationMs: 1000 })).toBe(1);
    expect(reviewPoints({ source: "study", rating: 1, durationMs: 30_000 })).toBe(1);
    expect(reviewPoints({ source: "study", rating: 3, durationMs: 999 })).toBe(0);
    expect(reviewPoints({ source: "study", rating: 4, durationMs: 0 })).toBe(0);
  });

  it("THEN points by source: a session review earns 1 wherever it started, only a right quiz answer +2", () => {
    for (const source of ["study", "daily"] as const) {
      expect(reviewPoints({ source, rating: 3, durationMs: 5000 })).toBe(1);
      expect(reviewPoints({ source, rating: 4, durationMs: 5000 })).toBe(1);
      expect(reviewPoints({ source, rating: 1, durationMs: 5000 })).toBe(1);
      expect(reviewPoints({ source, rating: 3, durationMs: 200 })).toBe(0);
    }
    // A quiz answer is recorded at once (0 ms): worth the +2 when right, nothing when wrong.
    expect(reviewPoints({ source: "quiz", rating: 3, durationMs: 0 })).toBe(POINTS.quizCorrect);
    expect(reviewPoints({ source: "quiz", rating: 3, durationMs: 5000 })).toBe(POINTS.quizCorrect);
    expect(reviewPoints({ source: "quiz", rating: 1, durationMs: 0 })).toBe(0);
  });

  it("THEN the streak bonus starts at a 7-day streak", () => {
    expect(streakBonus(6)).toBe(0);
    expect(streakBonus(7)).toBe(5);
    expect(streakBonus(100)).toBe(5);
  });
});
