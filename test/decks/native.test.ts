import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeDeckBytes } from "../../src/core/decks/decode.ts";
import { MAX_CARDS, MAX_SIDE_CHARS } from "../../src/core/decks/limits.ts";
import { detectFormat, parseDeck, renderNative } from "../../src/core/decks/parse.ts";
import { questionFingerprint } from "../../src/core/decks/validate.ts";

const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/decks/${name}`, import.meta.url), "utf8");
const META = { id: "t", name: "T", description: "" };

/** Text lines that look like syntax, escapes, or hold characters an editor could mangle. */
const trickyLine = fc.constantFrom(
  "## 3",
  "##",
  "## ",
  "###",
  "---",
  "--- ",
  "----",
  "id: x",
  "name: y",
  "tags: a b",
  "reversed: yes",
  "reversed:",
  "\\",
  "\\\\",
  '\\"json"',
  '"quoted"',
  "",
  "  ",
  "\t",
  " leading and trailing ",
  "a\rb",
  "\r",
  "\u2028",
  "\u0085",
  "\u0000",
  "\ud800",
  "\udc00x",
  "🎉 émoji",
  "\uFEFF",
  // Cloze syntax written as text (an import's literal, or a cloze's own): it must stay text.
  "{{c1::Paris}} is a city",
  "\\{{c2::x}}",
  "{{ not a cloze }}",
);
const textLine = fc.oneof(
  trickyLine,
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.string({
    unit: fc.constantFrom("#", "-", "\\", '"', " ", "\r", "\t", "a", ":", "\u2029"),
    maxLength: 8,
  }),
);
const sideText = fc.array(textLine, { minLength: 1, maxLength: 6 }).map((lines) => lines.join("\n"));
const validSide = sideText.filter((t) => t.trim() !== "" && [...t].length <= MAX_SIDE_CHARS);
const tag = fc.stringMatching(/^[a-z0-9:_/-]{1,12}$/);

describe("native format round trip", () => {
  it("GIVEN any valid cards THEN renderNative → parseDeck gives the same cards, exactly", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.record({ front: validSide, back: validSide, tags: fc.array(tag, { maxLength: 3 }) }),
          {
            selector: (c) => questionFingerprint(c.front),
            minLength: 1,
            maxLength: 6,
          },
        ),
        (drafts) => {
          const cards = drafts.map((c, i) => ({ key: String(i + 1), ...c }));
          const text = renderNative(META, cards);
          const result = parseDeck(text);
          expect(result.format).toBe("native");
          expect(result.errors).toEqual([]);
          expect(result.warnings).toEqual([]);
          expect(result.meta).toEqual(META);
          expect(result.cards.map(({ key, front, back, tags }) => ({ key, front, back, tags }))).toEqual(
            cards,
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it("GIVEN any text at all, even empty THEN it still round-trips (only the limit check complains)", () => {
    fc.assert(
      fc.property(sideText, fc.string({ unit: "binary", maxLength: 30 }), (a, b) => {
        const text = renderNative(META, [{ key: "k", front: a, back: b, tags: [] }]);
        const result = parseDeck(text, { format: "native" });
        const card = result.cards[0];
        if (card === undefined) {
          expect(a.trim() === "" || b.trim() === "").toBe(true);
          expect(result.errors.every((e) => e.message.includes("empty"))).toBe(true);
        } else {
          expect([card.front, card.back]).toEqual([a, b]);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("GIVEN rendered text THEN it holds no raw CR, NUL or lone surrogate (safe to save as UTF-8)", () => {
    fc.assert(
      fc.property(sideText, (a) => {
        const text = renderNative(META, [{ key: "k", front: a, back: "b", tags: [] }]);
        for (const c of ["\r", "\u0000", "\u2028", "\u2029"]) expect(text.includes(c)).toBe(false);
        const bytes = new TextEncoder().encode(text);
        expect(new TextDecoder().decode(bytes)).toBe(text); // no lone surrogate was replaced
        expect(decodeDeckBytes(bytes)).toEqual({ ok: true, text });
      }),
    );
  });

  it("writes syntax-looking lines with a backslash and keeps ordinary text readable", () => {
    const text = renderNative({ id: "demo", name: "Demo\ndeck", description: "  about  things " }, [
      { key: "1", front: "tags: not tags\n## 3\nid: x", back: "---\n\\path\n\nend\n", tags: ["a", "b"] },
      { key: "2", front: " spaced ", back: 'line "one"\ttab\r\nwindows', tags: [] },
    ]);
    expect(text).toBe(
      [
        "id: demo",
        "name: Demo deck",
        "description: about things",
        "",
        "## 1",
        "tags: a b",
        "\\tags: not tags",
        "\\## 3",
        "id: x",
        "---",
        "\\---",
        "\\\\path",
        "",
        "end",
        "\\",
        "",
        "## 2",
        " spaced ",
        "---",
        'line "one"\ttab\r',
        "windows",
        "",
      ]
        .join("\n")
        .replace('line "one"\ttab\r', '\\"line \\"one\\"\\ttab\\r"'),
    );
    expect(parseDeck(text).cards.map((c) => [c.front, c.back])).toEqual([
      ["tags: not tags\n## 3\nid: x", "---\n\\path\n\nend\n"],
      [" spaced ", 'line "one"\ttab\r\nwindows'],
    ]);
  });

  it("throws on what the format cannot hold: an invalid key or a tag with whitespace", () => {
    expect(() => renderNative(META, [{ key: "a b", front: "q", back: "a", tags: [] }])).toThrow(RangeError);
    expect(() => renderNative(META, [{ key: "1", front: "q", back: "a", tags: ["two words"] }])).toThrow(
      RangeError,
    );
  });
});

describe("parseDeck never throws", () => {
  const junk = fc.oneof(
    fc.string({ unit: "binary", maxLength: 200 }),
    fc
      .array(
        fc.oneof(
          trickyLine,
          fc.constantFrom("1", "Q", "A", "(2 cards)", "How well did you know this?", "Perfectly", "id: ok"),
          fc.string({ maxLength: 10 }),
        ),
        { maxLength: 30 },
      )
      .map((l) => l.join("\n")),
  );

  it("on arbitrary strings, in every format, with well-formed issues", () => {
    fc.assert(
      fc.property(
        junk,
        fc.constantFrom(undefined, "native" as const, "brainscape" as const),
        (text, format) => {
          const result = parseDeck(text, format === undefined ? {} : { format });
          expect(result.format).toBe(format ?? detectFormat(text));
          for (const issue of [...result.errors, ...result.warnings]) {
            expect(Number.isInteger(issue.line) && issue.line >= 1).toBe(true);
            expect(issue.message.length).toBeGreaterThan(0);
          }
          for (const card of result.cards) expect(card.front.trim()).not.toBe("");
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("on values that are not strings at all", () => {
    for (const bad of [undefined, null, 42, {}, ["## 1"]]) {
      const result = parseDeck(bad as unknown as string, null as unknown as { format?: "native" });
      expect(result.errors.length).toBeGreaterThan(0);
      expect(result.cards).toEqual([]);
    }
  });
});

describe("malformed native files report the right line", () => {
  it("GIVEN broken.deck THEN each error names its line and the fix", () => {
    const result = parseDeck(fixture("broken.deck"));
    expect(result.format).toBe("native");
    expect(result.errors).toEqual([
      { line: 1, message: expect.stringContaining("deck id 'Bad_Id' is not valid") },
      {
        line: 9,
        message:
          "card '2' has no '---' separating question from answer; put a line holding only '---' after the question",
      },
      { line: 13, message: expect.stringContaining("card key '1' is already used on line 4") },
      { line: 23, message: "card '5' has an empty question; write one or delete the card" },
    ]);
    expect(result.warnings).toEqual([
      { line: 18, message: "card '4' has the same question as card '1' (line 4); it was skipped" },
    ]);
    expect(result.cards.map((c) => c.key)).toEqual(["1"]);
  });

  it("GIVEN tiny.deck THEN tags, escapes and a bare-number answer parse", () => {
    const result = parseDeck(fixture("tiny.deck"));
    expect(result.errors).toEqual([]);
    expect(result.meta).toEqual({ id: "tiny", name: "Tiny deck", description: "two cards for tests" });
    expect(result.cards).toEqual([
      { key: "a", front: "One?", back: "1", tags: ["demo"], line: 5 },
      { key: "b", front: "## not a header", back: "---", tags: [], line: 11 },
    ]);
  });

  const lines = (...l: string[]): string => l.join("\n");

  it("a second '---' points at itself and suggests the missing header", () => {
    const r = parseDeck(lines("id: x", "## 1", "q", "---", "a", "", "q2", "---", "a2"));
    expect(r.errors).toEqual([
      { line: 8, message: expect.stringContaining("second '---' line (the first is on line 4)") },
    ]);
  });

  it("header problems: missing id, stray text, repeated and unknown fields", () => {
    expect(parseDeck(lines("name: x", "## 1", "q", "---", "a")).errors).toEqual([
      { line: 1, message: expect.stringContaining("has no id") },
    ]);
    const r = parseDeck(lines("id: x", "id: y", "colour: red", "hello there", "## 1", "q", "---", "a"));
    expect(r.errors).toEqual([
      { line: 2, message: "'id:' is already set on line 1; keep one of them" },
      { line: 4, message: expect.stringContaining("unexpected text 'hello there' before the first card") },
    ]);
    expect(r.warnings).toEqual([
      { line: 3, message: expect.stringContaining("unknown header field 'colour'") },
    ]);
  });

  it("GIVEN stray text before the first card, a run of it or a whole file THEN one error per run, with its extent", () => {
    const r = parseDeck(
      lines("id: x", "oops", "more", "", "still", "name: n", "again", "## 1", "q", "---", "a"),
    );
    expect(r.errors).toEqual([
      {
        line: 2,
        message: expect.stringContaining(
          "unexpected text 'oops' before the first card (and 2 more lines of such text, to line 5)",
        ),
      },
      { line: 7, message: expect.stringContaining("unexpected text 'again' before the first card:") },
    ]);
    const huge = parseDeck("a\n".repeat(1_000_000), { format: "native" });
    expect(huge.errors).toEqual([
      { line: 1, message: expect.stringContaining("(and 999,999 more lines of such text, to line 1000000)") },
      { line: 1, message: expect.stringContaining("has no id") },
    ]);
  });

  it("GIVEN a header and no card THEN the error is on the file's last line", () => {
    expect(parseDeck(lines("id: x", "name: y")).errors).toEqual([
      { line: 2, message: "the deck has no cards: each card starts with a '## <key>' line" },
    ]);
    expect(parseDeck("id: x\nname: y\n").errors).toEqual([
      { line: 3, message: "the deck has no cards: each card starts with a '## <key>' line" },
    ]);
  });

  it("keys: missing, invalid", () => {
    const r = parseDeck(lines("id: x", "##", "q", "---", "a", "## two words", "q2", "---", "a2"));
    expect(r.errors).toEqual([
      { line: 2, message: expect.stringContaining("card has no key") },
      { line: 6, message: expect.stringContaining("card key 'two words' is not valid") },
    ]);
  });

  it("a bad JSON escape line is an error on its line", () => {
    const r = parseDeck(lines("id: x", "## 1", '\\"unterminated', "---", "a"));
    expect(r.errors).toEqual([{ line: 3, message: expect.stringContaining("JSON string") }]);
  });

  it("CRLF files and a BOM parse like LF files; blank lines around sides are dropped", () => {
    const r = parseDeck("\uFEFFid: x\r\n\r\n## 1\r\n\r\n  q  \r\n\r\n---\r\n\r\na\r\n\r\nb\r\n\r\n\r\n");
    expect(r.errors).toEqual([]);
    expect(r.cards.map((c) => [c.front, c.back])).toEqual([["  q  ", "a\n\nb"]]);
  });

  it("GIVEN an empty file THEN errors, no crash", () => {
    expect(parseDeck("").errors.map((e) => e.line)).toEqual([1]);
  });
});

describe("limits", () => {
  const deck = (back: string): string => renderNative(META, [{ key: "1", front: "q", back, tags: [] }]);

  it(`a side of ${MAX_SIDE_CHARS} code points is fine, one more is an error`, () => {
    expect(parseDeck(deck("🎉".repeat(MAX_SIDE_CHARS))).errors).toEqual([]);
    expect(parseDeck(deck("x".repeat(MAX_SIDE_CHARS + 1))).errors).toEqual([
      {
        line: 5,
        message: expect.stringContaining("the answer is 1,501 characters long; the limit is 1,500"),
      },
    ]);
  });

  it(`${MAX_CARDS} cards are fine, one more is an error on the extra card`, () => {
    const cards = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ key: String(i), front: `q${i}`, back: "a", tags: [] }));
    expect(parseDeck(renderNative(META, cards(MAX_CARDS))).errors).toEqual([]);
    const over = parseDeck(renderNative(META, cards(MAX_CARDS + 1)));
    expect(over.errors).toEqual([
      { line: 5 + MAX_CARDS * 5, message: expect.stringContaining("5,001 cards; the limit is 5,000") },
    ]);
  });

  it("deck ids: valid and invalid", () => {
    for (const id of ["pytorch", "a", "ml-101", "x".repeat(40)]) {
      expect(
        parseDeck(renderNative({ ...META, id }, [{ key: "1", front: "q", back: "a", tags: [] }])).errors,
      ).toEqual([]);
    }
    for (const id of ["", "-a", "PyTorch", "a_b", "x".repeat(41)]) {
      expect(
        parseDeck(renderNative({ ...META, id }, [{ key: "1", front: "q", back: "a", tags: [] }])).errors,
      ).toHaveLength(1);
    }
  });
});

describe("detectFormat", () => {
  it("tells native from Brainscape", () => {
    expect(detectFormat(fixture("tiny.deck"))).toBe("native");
    expect(detectFormat("\uFEFF\n## 1\nq\n---\na")).toBe("native");
    expect(detectFormat("My deck\n(3 cards)\n1\nQ\n")).toBe("brainscape");
    expect(detectFormat("1\nquestion\nanswer\n")).toBe("brainscape");
    expect(detectFormat("random words")).toBe("native");
  });
});

describe("GIVEN native cards with cloze deletions", () => {
  const deck = (body: string) => parseDeck(`id: geo\nname: Geo\n\n${body}`);

  it("THEN each cloze number is its own card: a blank (or hint) in the question, the sentence in the answer", () => {
    const r = deck(
      "## 1\n{{c1::Paris}} is the capital of {{c2::France::country}}\n---\n\n## 2\n{{c1::Berlin}} is in Germany\n---\nIts capital\n",
    );
    expect(r.errors).toEqual([]);
    expect(r.cards.map(({ key, front, back }) => ({ key, front, back }))).toEqual([
      { key: "1.c1", front: "[…] is the capital of France", back: "**Paris** is the capital of France" },
      { key: "1.c2", front: "Paris is the capital of [country]", back: "Paris is the capital of **France**" },
      { key: "2.c1", front: "[…] is in Germany", back: "**Berlin** is in Germany\n\nIts capital" },
    ]);
  });

  it("THEN `\\{{c1::` is a literal, and renderNative writes a literal so that it reads back as text", () => {
    const r = deck("## 1\nWrite \\{{c1::x}} for a cloze\n---\nlike that\n");
    expect(r.cards.map((c) => [c.key, c.front])).toEqual([["1", "Write {{c1::x}} for a cloze"]]);
    const again = parseDeck(renderNative(META, r.cards));
    expect(again.cards.map((c) => [c.key, c.front, c.back])).toEqual([
      ["1", "Write {{c1::x}} for a cloze", "like that"],
    ]);
  });

  it("THEN a cloze card with no deletion in its question and an empty answer is still refused", () => {
    expect(deck("## 1\nNo cloze here\n---\n").errors[0]?.message).toContain("has an empty answer");
  });
});
