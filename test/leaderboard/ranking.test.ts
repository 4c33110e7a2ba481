import { describe, expect, it } from "vitest";
import { POINTS, reviewPoints, streakBonus } from "../../src/core/points.ts";
import { rank } from "../../src/core/ranking.ts";

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

describe("GIVEN the points rules", () => {
  it("THEN a review earns 1 point, but nothing when answered in under a second (farming guard)", () => {
    expect(reviewPoints({ source: "study", rating: 3, durationMs: 1000 })).toBe(1);
    expect(reviewPoints({ source: "study", rating: 1, durationMs: 30_000 })).toBe(1);
    expect(reviewPoints({ source: "study", rating: 3, durationMs: 999 })).toBe(0);
    expect(reviewPoints({ source: "study", rating: 4, durationMs: 0 })).toBe(0);
  });

  it("THEN a correct question of the day earns +2 on top, a wrong one nothing extra", () => {
    expect(reviewPoints({ source: "daily", rating: 3, durationMs: 5000 })).toBe(3);
    expect(reviewPoints({ source: "daily", rating: 1, durationMs: 5000 })).toBe(1);
    expect(reviewPoints({ source: "daily", rating: 3, durationMs: 200 })).toBe(POINTS.quizCorrect);
  });

  it("THEN the streak bonus starts at a 7-day streak", () => {
    expect(streakBonus(6)).toBe(0);
    expect(streakBonus(7)).toBe(5);
    expect(streakBonus(100)).toBe(5);
  });
});
