import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  answerKey,
  buildChoices,
  pickQuestion,
  type QuizCard,
  quizSeed,
  seededRandom,
} from "../../src/core/quiz.ts";

const deck = (backs: string[]): QuizCard[] =>
  backs.map((back, k) => ({ id: k + 1, front: `q${k + 1}`, back }));

describe("GIVEN the seeded PRNG", () => {
  it("THEN the same seed gives the same sequence; another seed another one", () => {
    const a = seededRandom(quizSeed("1", "2026-03-02"));
    const b = seededRandom(quizSeed("1", "2026-03-02"));
    const c = seededRandom(quizSeed("1", "2026-03-03"));
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(xs);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
  });
});

describe("GIVEN a card and its deck", () => {
  it("THEN the choices are the answer plus 3 distractors with different texts, deterministic per seed", () => {
    const cards = deck(["Paris", "paris ", "Berlin", "Rome", "Rome", "Madrid", "Lisbon"]);
    const correct = cards[0]!;
    const one = buildChoices(correct, cards, seededRandom("s"))!;
    const two = buildChoices(correct, cards, seededRandom("s"))!;
    expect(one).toEqual(two);
    expect(one.choices).toHaveLength(4);
    expect(one.choices[one.correctIndex]).toEqual({ cardId: 1, text: "Paris" });
    const keys = one.choices.map((c) => answerKey(c.text));
    expect(new Set(keys).size).toBe(4);
    expect(keys.filter((k) => k === "paris")).toHaveLength(1);
  });

  it("THEN a deck without 3 other distinct answers gives no question", () => {
    const cards = deck(["yes", "Yes", "no", "no", "YES"]);
    expect(buildChoices(cards[0]!, cards, seededRandom("x"))).toBeNull();
    expect(pickQuestion(cards, seededRandom("x"))).toBeNull();
    expect(pickQuestion(deck(["a", "b", "c"]), seededRandom("x"))).toBeNull();
  });

  it("THEN the order of the choices depends on the day (all four positions occur)", () => {
    const cards = deck(["a", "b", "c", "d", "e", "f"]);
    const positions = new Set<number>();
    for (let d = 1; d <= 40; d++) {
      const q = buildChoices(cards[0]!, cards, seededRandom(quizSeed("7", `2026-01-${d}`)))!;
      positions.add(q.correctIndex);
    }
    expect([...positions].sort()).toEqual([0, 1, 2, 3]);
  });

  it("THEN pickQuestion avoids recently asked cards while others remain", () => {
    const cards = deck(["a", "b", "c", "d", "e"]);
    for (let s = 0; s < 20; s++) {
      const q = pickQuestion(cards, seededRandom(`seed${s}`), new Set([1, 2, 3, 4]))!;
      expect(q.cardId).toBe(5);
    }
    // All recent: still a question.
    expect(pickQuestion(cards, seededRandom("z"), new Set([1, 2, 3, 4, 5]))).not.toBeNull();
  });

  it("THEN for any deck: 4 distinct choices including the answer, or null when impossible", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("a", "A", "b", "b ", "c", "d", "e", "", "f\ng", "f g"), {
          minLength: 0,
          maxLength: 12,
        }),
        fc.string(),
        (backs, seed) => {
          const cards = deck(backs);
          const q = pickQuestion(cards, seededRandom(seed));
          const distinct = new Set(backs.map(answerKey).filter((k) => k !== "")).size;
          if (distinct < 4) return q === null;
          if (!q) return false;
          const keys = q.choices.map((c) => answerKey(c.text));
          const card = cards.find((c) => c.id === q.cardId)!;
          return (
            q.choices.length === 4 &&
            new Set(keys).size === 4 &&
            q.choices[q.correctIndex]?.cardId === q.cardId &&
            answerKey(card.back) === keys[q.correctIndex]
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
