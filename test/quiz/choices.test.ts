import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseDeck } from "../../src/core/decks/parse.ts";
import {
  answerKey,
  buildChoices,
  pickQuestion,
  type QuizCard,
  type QuizChoice,
  quizSeed,
  seededRandom,
} from "../../src/core/quiz.ts";
import { answerShape } from "../../src/core/quiz-shape.ts";

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

const distractorsOf = (q: { choices: QuizChoice[]; correctIndex: number }) =>
  q.choices.filter((_, k) => k !== q.correctIndex).map((c) => c.text);

describe("GIVEN a deck of answers of different shapes (code, lists, prose of many lengths)", () => {
  const code = (n: number) =>
    `\`\`\`py\n${Array.from({ length: n }, (_, k) => `x${k} = f(${k})`).join("\n")}\n\`\`\``;
  const list = (n: number) => Array.from({ length: n }, (_, k) => `• point ${k} of ${n}`).join("\n");
  const prose = (n: number) => `${"word ".repeat(n).trim()} ${n}.`;
  const backs = [
    ...[2, 3, 4, 5, 6, 8].map(code),
    ...[2, 3, 4, 5, 6, 7].map(list),
    ...Array.from({ length: 40 }, (_, k) => prose(2 + k * 2)),
  ];
  const cards = deck(backs);
  const seeds = Array.from({ length: 30 }, (_, d) =>
    quizSeed("g", `2026-01-${String(d + 1).padStart(2, "0")}`),
  );

  it("THEN a code answer's distractors are code answers, a list's are lists, a prose answer's prose", () => {
    for (const card of cards)
      for (const seed of seeds) {
        const q = buildChoices(card, cards, seededRandom(seed))!;
        const kind = answerShape(card.back).kind;
        expect(distractorsOf(q).map((t) => answerShape(t).kind)).toEqual([kind, kind, kind]);
      }
  });

  it("THEN a prose answer's distractors are close to it in length (within a factor of 1.6)", () => {
    // From 100 characters on, the deck has an answer every ~10 characters on both sides.
    const long = cards.filter((c) => answerShape(c.back).kind === "prose" && c.back.length >= 100);
    expect(long.length).toBeGreaterThan(15);
    for (const card of long)
      for (const seed of seeds) {
        const length = card.back.length;
        for (const t of distractorsOf(buildChoices(card, cards, seededRandom(seed))!)) {
          expect(t.length / length).toBeLessThanOrEqual(1.6);
          expect(length / t.length).toBeLessThanOrEqual(1.6);
        }
      }
  });

  it("THEN the distractors still vary from day to day, and are the same for the same server and day", () => {
    const card = cards[30]!;
    const sets = new Set(
      seeds.map((s) =>
        distractorsOf(buildChoices(card, cards, seededRandom(s))!)
          .sort()
          .join("|"),
      ),
    );
    expect(sets.size).toBeGreaterThan(3);
    expect(buildChoices(card, cards, seededRandom(seeds[0]!))).toEqual(
      buildChoices(card, cards, seededRandom(seeds[0]!)),
    );
  });

  it("THEN with too few answers of its kind, a code question takes them all and the nearest others", () => {
    const few = deck([code(3), code(4), prose(3), prose(30), list(3), prose(4)]);
    for (const seed of seeds) {
      const q = buildChoices(few[0]!, few, seededRandom(seed))!;
      const kinds = distractorsOf(q).map((t) => answerShape(t).kind);
      expect(kinds.filter((k) => k === "code")).toHaveLength(1);
      expect(new Set(distractorsOf(q).map(answerKey)).size).toBe(3);
    }
  });
});

describe("GIVEN the user's deck decks/pytorch.deck", () => {
  const parsed = parseDeck(readFileSync(join(import.meta.dirname, "../../decks/pytorch.deck"), "utf8"));
  const cards = parsed.cards.map((c, k) => ({ id: k + 1, front: c.front, back: c.back }));

  const seeds = Array.from({ length: 10 }, (_, d) =>
    quizSeed("g", `2026-01-${String(d + 1).padStart(2, "0")}`),
  );

  it("THEN its 3 bullet-list answers are asked with the 2 others among the distractors", () => {
    const lists = cards.filter((c) => answerShape(c.back).kind === "list");
    expect(lists).toHaveLength(3);
    for (const card of lists)
      for (const seed of seeds) {
        const q = buildChoices(card, cards, seededRandom(seed))!;
        expect(q.choices.filter((c) => answerShape(c.text).kind === "list")).toHaveLength(3);
      }
  });

  it("THEN distractors are close to the answer in length (geometric mean of the ratio ≤ 1.2; random: ~1.5)", () => {
    let logs = 0;
    let n = 0;
    for (const card of cards)
      for (const seed of seeds)
        for (const t of distractorsOf(buildChoices(card, cards, seededRandom(seed))!)) {
          logs += Math.abs(Math.log(t.length / card.back.length));
          n++;
        }
    expect(n).toBe(cards.length * seeds.length * 3);
    expect(Math.exp(logs / n)).toBeLessThanOrEqual(1.2);
  });
});

describe("GIVEN many questions of the user's deck", () => {
  const parsed = parseDeck(readFileSync(join(import.meta.dirname, "../../decks/pytorch.deck"), "utf8"));
  const cards = parsed.cards.map((c, k) => ({ id: k + 1, front: c.front, back: c.back }));
  const seeds = Array.from({ length: 40 }, (_, d) => quizSeed("g", `2026-02-${String((d % 28) + 1)}-${d}`));

  it("THEN the right answer's rank by length among the four choices is no tell (each rank 15–35%)", () => {
    // Before: 15% / 41% / 33% / 10% — "pick the second shortest" won 41% of the time.
    const ranks = [0, 0, 0, 0];
    for (const card of cards)
      for (const seed of seeds) {
        const q = buildChoices(card, cards, seededRandom(seed))!;
        const answer = q.choices[q.correctIndex]!.text.length;
        const rank = q.choices.filter((c, k) => k !== q.correctIndex && c.text.length < answer).length;
        ranks[rank] = (ranks[rank] ?? 0) + 1;
      }
    const total = cards.length * seeds.length;
    for (const r of ranks) {
      expect(r / total).toBeGreaterThanOrEqual(0.15);
      expect(r / total).toBeLessThanOrEqual(0.35);
    }
  });
});
