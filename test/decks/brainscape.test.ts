import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { detectFormat, type ParsedCard, parseDeck } from "../../src/core/decks/parse.ts";

const FIXTURE = new URL("../fixtures/decks/pytorch-flashcards.brainscape.txt", import.meta.url);
const SHARED = "/work/shared/decks/pytorch-flashcards.brainscape.txt";
const exportText = readFileSync(FIXTURE, "utf8");

function card(cards: ParsedCard[], key: string): ParsedCard {
  const found = cards.find((c) => c.key === key);
  if (found === undefined) throw new Error(`no card ${key}`);
  return found;
}

describe("the user's Brainscape export (pytorch-flashcards.brainscape.txt)", () => {
  const result = parseDeck(exportText);

  it.skipIf(!existsSync(SHARED))("GIVEN the fixture THEN it is byte-identical to the shared original", () => {
    expect(readFileSync(FIXTURE)).toEqual(readFileSync(SHARED));
  });

  it("is detected as Brainscape and parses to exactly 81 cards keyed 1..81, without errors or warnings", () => {
    expect(detectFormat(exportText)).toBe("brainscape");
    expect(result.format).toBe("brainscape");
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.cards).toHaveLength(81);
    expect(result.cards.map((c) => c.key)).toEqual(Array.from({ length: 81 }, (_, i) => String(i + 1)));
    expect(result.meta).toEqual({ name: "Pytorch Flashcards" });
    expect(result.cards.every((c) => c.tags.length === 0)).toBe(true);
  });

  it("card 1 (long form): question, bullets dedented, inner blank line and numbered steps kept", () => {
    const c = card(result.cards, "1");
    expect(c.line).toBe(5);
    expect(c.front).toBe("What is the Pytorch “Module” submodule, and how is it used?");
    expect(c.back).toBe(
      "• It’s the base class for all NN modules\n" +
        "• automatic registration of all trainable parameters (PyTorch recognizes the components of my model)\n" +
        "\n" +
        "Setup:\n" +
        "1. Creates a class that inherits from torch.nn.Module\n" +
        "2. Define the __init__() method (for layers/submodules & setting up the architecture)\n" +
        "3. Define the forward() method (to specify the flow through the architecture)\n" +
        "4. Create an instance of your class and apply it to input",
    );
  });

  it("card 24 (last long-form card): no rating widget in the answer", () => {
    const c = card(result.cards, "24");
    expect(c.front).toBe("What is Cross Validation (CV)?");
    expect(c.back).toBe(
      "Split data into n folds; train n times leaving one fold out each time; average validation risk to estimate generalization.",
    );
  });

  it("card 25 (first short-form card, right after 'Perfectly')", () => {
    const c = card(result.cards, "25");
    expect(c.line).toBe(434);
    expect(c.front).toBe("What is Transfer Learning?");
    expect(c.back).toBe(
      "Reusing knowledge from a pre-trained model on a large source task for a smaller target task.",
    );
  });

  it("card 40: **bold** and *italic* kept as Discord markdown", () => {
    const c = card(result.cards, "40");
    expect(c.front).toBe("Typical steps to use DataLoader?");
    expect(c.back).toBe(
      "1. Derive a Dataset class with **__getitem__** and **__len__**. 2. Create dataset *instance*. 3. Create **Subset** splits. 4. Create **DataLoader** with *batchsize, shuffle, numworkers*. 5. Loop over DataLoader to get *minibatches*.",
    );
  });

  it("card 71: inline ' - ' items in the question, unicode maths in the answer", () => {
    const c = card(result.cards, "71");
    expect(c.front).toBe("What's the output range of - Tanh - sigmoid - softmax - ReLu");
    expect(c.back).toBe(
      "**Tanh**: (−1, 1) Zero-centered output, helpful for RNNs or when data is mean-centered. Still can saturate. **sigmoid**: (0, 1) Good for probabilities in binary classification output layer. **ReLu**: [0, ∞) Default in most modern nets. Fast, sparse activations. Watch for “dying ReLU”",
    );
  });

  it("card 81: the last card, whose answer has no final newline", () => {
    const c = card(result.cards, "81");
    expect(c.front).toBe('What\'s the tuple "batch shape" consist of?');
    expect(c.back).toBe("(batch size, sample shape)");
  });

  it("other long-form cards: inner blank lines kept, bullets dedented", () => {
    expect(card(result.cards, "3").back).toBe(
      "MSE (Mean Squared Error)\n\ntypically, no output activation function",
    );
    expect(card(result.cards, "5").back).toBe(
      "Methods to counter overfitting\n\n• Dropout: random features or inputs\n• Weight penalty terms: add additional terms to training loss (L1, L2)\n• Noise: add random noise to inputs or features",
    );
    expect(card(result.cards, "74").back).toBe(
      "(img - img.min()) / (img.max() - img.min()) or (x - min) / (max - min)",
    );
  });

  it("no card holds Brainscape chrome, Q/A markers, the title or the count line", () => {
    const chrome = new Set([
      "How well did you know this?",
      "Not at all",
      "Perfectly",
      "Q",
      "A",
      "Pytorch Flashcards",
      "(81 cards)",
    ]);
    for (const c of result.cards) {
      for (const line of `${c.front}\n${c.back}`.split("\n"))
        expect(chrome.has(line.trim()), `card ${c.key}: ${line}`).toBe(false);
      expect(c.front).toBe(c.front.trim());
      expect(c.back).toBe(c.back.trim());
    }
  });

  it("GIVEN CRLF line endings and a BOM THEN the same cards", () => {
    const crlf = `\uFEFF${exportText.replace(/\n/g, "\r\n")}`;
    const again = parseDeck(crlf);
    expect(again.format).toBe("brainscape");
    expect(again.errors).toEqual([]);
    expect(again.cards).toEqual(result.cards);
  });

  it("GIVEN a wrong '(N cards)' count THEN an error on the count line", () => {
    const wrong = parseDeck(exportText.replace("(81 cards)", "(80 cards)"));
    expect(wrong.errors).toEqual([
      { line: 3, message: expect.stringContaining("(80 cards) but 81 cards were read") },
    ]);
  });

  it("GIVEN a card cut out THEN a numbering warning where the gap is and the count error", () => {
    const card30 = /\n30\nWhy use PyTorch[^\n]*\n[^\n]*/;
    expect(exportText).toMatch(card30);
    const cut = parseDeck(exportText.replace(card30, ""));
    expect(cut.cards).toHaveLength(80);
    expect(card(cut.cards, "29").back).toBe(card(result.cards, "29").back);
    expect(cut.warnings).toEqual([
      { line: 449, message: expect.stringContaining("card 31 follows card 29") },
    ]);
    expect(cut.errors).toEqual([
      { line: 3, message: expect.stringContaining("(81 cards) but 80 cards were read") },
    ]);
  });
});

describe("generic Brainscape exports", () => {
  it("GIVEN only the short form THEN positional question/answer, even when an answer is a bare number", () => {
    const text = [
      "Arithmetic",
      "(4 cards)",
      "1",
      "What is 1+1?",
      "2",
      "2",
      "What is 2+1?",
      "3",
      "3",
      "Capital of France?",
      "Paris",
      "4",
      "How many sides has a square?",
      "4",
      "",
    ].join("\n");
    const r = parseDeck(text);
    expect(r.format).toBe("brainscape");
    expect(r.errors).toEqual([]);
    expect(r.cards.map((c) => [c.key, c.front, c.back])).toEqual([
      ["1", "What is 1+1?", "2"],
      ["2", "What is 2+1?", "3"],
      ["3", "Capital of France?", "Paris"],
      ["4", "How many sides has a square?", "4"],
    ]);
    expect(r.meta.name).toBe("Arithmetic");
  });

  it("GIVEN only the long form without the rating widget THEN cards split at 'N+1' followed by 'Q'", () => {
    const text = [
      "Deck",
      "(2 cards)",
      "",
      "1",
      "Q",
      "",
      "First?",
      "",
      "A",
      "",
      "line 1",
      "",
      "  - nested",
      "2",
      "",
      "2",
      "Q",
      "Second?",
      "A",
      "3",
    ].join("\r\n");
    const r = parseDeck(text);
    expect(r.errors).toEqual([]);
    expect(r.cards.map((c) => [c.key, c.front, c.back])).toEqual([
      ["1", "First?", "line 1\n\n- nested\n2"],
      ["2", "Second?", "3"],
    ]);
  });

  it("GIVEN a short-form answer spanning lines THEN they are kept up to the next card number", () => {
    const r = parseDeck(["T", "(2 cards)", "1", "Q1?", "a", "", "b", "2", "Q2?", "c", "", ""].join("\n"));
    expect(r.cards.map((c) => c.back)).toEqual(["a\n\nb", "c"]);
  });

  it("GIVEN a long-form card without an 'A' line THEN an error on the card's line", () => {
    const r = parseDeck(
      [
        "T",
        "(1 cards)",
        "1",
        "Q",
        "Question?",
        "How well did you know this?",
        "1",
        "Not at all",
        "2",
        "3",
        "4",
        "5",
        "Perfectly",
      ].join("\n"),
    );
    expect(r.cards).toEqual([]);
    expect(r.errors).toEqual([
      { line: 2, message: expect.stringContaining("(1 cards) but 0 cards were read") },
      { line: 3, message: expect.stringContaining("no matching 'A'") },
    ]);
  });

  it("GIVEN a short-form card without an answer at the end THEN an error", () => {
    const r = parseDeck(["T", "(2 cards)", "1", "Q?", "A!", "2", "Lonely question?"].join("\n"));
    expect(r.cards).toHaveLength(1);
    expect(r.errors.map((e) => e.line)).toEqual([2, 6]);
  });

  it("GIVEN text where a card number should be THEN an error naming the expected number", () => {
    const r = parseDeck(
      [
        "T",
        "(2 cards)",
        "1",
        "Q",
        "q",
        "A",
        "a",
        "How well did you know this?",
        "1",
        "Not at all",
        "2",
        "3",
        "4",
        "5",
        "Perfectly",
        "stray",
        "2",
        "q2",
        "a2",
      ].join("\n"),
      { format: "brainscape" },
    );
    expect(r.errors[0]).toEqual({ line: 16, message: expect.stringContaining("expected a card number (2)") });
    expect(r.cards.map((c) => c.key)).toEqual(["1", "2"]);
  });

  it("GIVEN more cards than the limit THEN one error for the count, with CRLF lines, and the declared count still checked", () => {
    const cards = Array.from({ length: 5003 }, (_, k) => `${k + 1}\r\nq${k + 1}\r\na${k + 1}`).join("\r\n");
    const r = parseDeck(`Big\r\n(5003 cards)\r\n${cards}\r\n`);
    expect(r.format).toBe("brainscape");
    expect(r.errors).toEqual([
      { line: 15003, message: "the deck has 5,003 cards; the limit is 5,000 — split it into several decks" },
    ]);
    const miscounted = parseDeck(`Big\n(5004 cards)\n${cards.replace(/\r\n/g, "\n")}\n`);
    expect(miscounted.errors.map((e) => e.message)).toContain(
      "the export says (5004 cards) but 5003 cards were read; check the card numbering around the errors above, or that the export is complete",
    );
  });
});
