import { describe, expect, it } from "vitest";
import { answerPoints, PARTY_POINTS, roundPoints, standings } from "../../src/core/party-scoring.ts";

describe("GIVEN a race round", () => {
  it("THEN the first correct answer earns most, each later one less down to the floor, wrong ones nothing", () => {
    const answers = [
      { userId: "c", correct: true, seq: 4 },
      { userId: "a", correct: true, seq: 2 },
      { userId: "x", correct: false, seq: 1 },
      { userId: "b", correct: true, seq: 3 },
      { userId: "d", correct: true, seq: 5 },
      { userId: "e", correct: true, seq: 6 },
    ];
    expect(Object.fromEntries(roundPoints("race", answers))).toEqual({ x: 0, a: 10, b: 8, c: 6, d: 4, e: 4 });
  });

  it("THEN the answer recorded first ranks first, whatever the order they are listed in", () => {
    const answers = [
      { userId: "a", correct: true, seq: 2 },
      { userId: "b", correct: true, seq: 1 },
    ];
    expect(Object.fromEntries(roundPoints("race", answers))).toEqual({ b: 10, a: 8 });
  });
});

describe("GIVEN an everyone round", () => {
  it("THEN every correct answer earns the same, whatever its place", () => {
    expect(answerPoints("everyone", true, 7)).toBe(PARTY_POINTS.everyone);
    expect(answerPoints("everyone", false, 0)).toBe(0);
  });
});

describe("GIVEN a scoreboard", () => {
  it("THEN most points first; ties by correct answers, then by who reached them first", () => {
    const rows = [
      { userId: "a", points: 20, correct: 2, reachedAt: 900 },
      { userId: "b", points: 20, correct: 3, reachedAt: 950 },
      { userId: "c", points: 30, correct: 3, reachedAt: 990 },
      { userId: "d", points: 20, correct: 2, reachedAt: 800 },
    ];
    expect(standings(rows).map((r) => r.userId)).toEqual(["c", "b", "d", "a"]);
  });
});
