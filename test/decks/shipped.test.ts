import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { convertToNative, deckIdFromFileName } from "../../src/core/decks/convert.ts";
import { parseDeck } from "../../src/core/decks/parse.ts";
import { readDeckDir } from "../../src/core/decks/read-dir.ts";

const DECKS = fileURLToPath(new URL("../../decks/", import.meta.url));
const shipped = readFileSync(join(DECKS, "pytorch.deck"), "utf8");
const exportText = readFileSync(
  new URL("../fixtures/decks/pytorch-flashcards.brainscape.txt", import.meta.url),
  "utf8",
);
const strip = (cards: { key: string; front: string; back: string; tags: string[] }[]) =>
  cards.map(({ key, front, back, tags }) => ({ key, front, back, tags }));

describe("decks/pytorch.deck", () => {
  const deck = parseDeck(shipped);

  it("is a valid native deck 'pytorch' of 81 cards keyed 1..81", () => {
    expect(deck.format).toBe("native");
    expect(deck.errors).toEqual([]);
    expect(deck.warnings).toEqual([]);
    expect(deck.meta).toEqual({
      id: "pytorch",
      name: "PyTorch Flashcards",
      description: "PyTorch and machine-learning basics",
    });
    expect(deck.cards.map((c) => c.key)).toEqual(Array.from({ length: 81 }, (_, i) => String(i + 1)));
  });

  it("holds exactly the cards of the user's Brainscape export", () => {
    expect(strip(deck.cards)).toEqual(strip(parseDeck(exportText).cards));
  });

  it("is exactly what the documented convert command produces (regenerate it if this fails)", () => {
    const converted = convertToNative(parseDeck(exportText), {
      id: "pytorch",
      name: "PyTorch Flashcards",
      description: "PyTorch and machine-learning basics",
    });
    expect(converted.ok && converted.text).toBe(shipped);
  });
});

describe("every shipped deck", () => {
  it("parses without errors and with a unique id", async () => {
    const files = await readDeckDir(DECKS);
    expect(files.length).toBeGreaterThan(0);
    for (const { path, result } of files) expect(result.errors, path).toEqual([]);
    const ids = files.map((f) => f.result.meta.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe("convertToNative", () => {
  it("refuses a deck with errors", () => {
    const result = convertToNative(parseDeck(exportText.replace("(81 cards)", "(82 cards)")), { id: "x" });
    expect(result.ok).toBe(false);
  });

  it("derives a deck id from a file name", () => {
    expect(deckIdFromFileName("/tmp/pytorch-flashcards.brainscape.txt")).toBe("pytorch-flashcards");
    expect(deckIdFromFileName("My Deck (2).txt")).toBe("my-deck-2");
    expect(deckIdFromFileName("___.txt")).toBe("deck");
  });
});
