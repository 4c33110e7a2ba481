/**
 * Reversed cards in deck files: the native deck option (`reversed: yes` in the header) and card option (a
 * `reversed:` line), CSV's `reversed` column and Anki's reversed note types each give a reverse card (front ↔
 * back) keyed `<key>~r`, a sibling of its card; writers fold it back into the option, so every export reads back
 * to the same cards.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { exportDeck } from "../../src/core/decks/convert.ts";
import { CARD_KEY_PATTERN, MAX_CARDS } from "../../src/core/decks/limits.ts";
import { detectFormat, type ParsedCard, parseDeck, renderNative } from "../../src/core/decks/parse.ts";
import { foldReverses, reversedFrom, reverseKey } from "../../src/core/decks/reverse.ts";

const META = { id: "t", name: "T", description: "" };
const deck = (body: string) => parseDeck(`id: t\nname: T\n${body}`);
const brief = (cards: ParsedCard[]) =>
  cards.map(({ key, front, back, tags, noteKey }) => ({ key, front, back, tags, noteKey }));

describe("GIVEN the native deck option 'reversed: yes'", () => {
  const r = deck(
    "reversed: yes\n\n## 1\ntags: maths\nWhat is 2+2?\n---\n4\n\n## fr\nreversed: no\nCapital of France?\n---\nParis\n",
  );

  it("THEN each card is followed by its reverse, keyed <key>~r, both with the card's key as note key", () => {
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(brief(r.cards)).toEqual([
      { key: "1", front: "What is 2+2?", back: "4", tags: ["maths"], noteKey: "1" },
      { key: "1~r", front: "4", back: "What is 2+2?", tags: ["maths"], noteKey: "1" },
      // A card's own 'reversed: no' wins over the deck's.
      { key: "fr", front: "Capital of France?", back: "Paris", tags: [], noteKey: undefined },
    ]);
    expect(r.cards.map((c) => c.line)).toEqual([5, 5, 11]);
    // The parser's ask never leaves the parse.
    expect(r.cards.some((c) => "reversed" in c)).toBe(false);
  });

  it("THEN renderNative writes the option back, not the reverse cards, and it reads back to the same cards", () => {
    const text = renderNative(META, r.cards);
    expect(text).not.toContain("~r");
    expect(text).toBe(
      "id: t\nname: T\ndescription:\n\n## 1\ntags: maths\nreversed: yes\nWhat is 2+2?\n---\n4\n\n## fr\nCapital of France?\n---\nParis\n",
    );
    expect(brief(parseDeck(text).cards)).toEqual(brief(r.cards));
  });

  it("THEN a deck whose cards are mostly reversed is written with the header option, the others opting out", () => {
    const all = deck("reversed: yes\n\n## 1\nq1\n---\na1\n\n## 2\nq2\n---\na2\n");
    const text = renderNative(META, all.cards);
    expect(text).toBe(
      "id: t\nname: T\ndescription:\nreversed: yes\n\n## 1\nq1\n---\na1\n\n## 2\nq2\n---\na2\n",
    );
    expect(brief(parseDeck(text).cards)).toEqual(brief(all.cards));
    expect(all.cards.map((c) => c.key)).toEqual(["1", "1~r", "2", "2~r"]);
    const most = deck(
      "reversed: yes\n\n## 1\nq1\n---\na1\n\n## 2\nreversed: no\nq2\n---\na2\n\n## 3\nq3\n---\na3\n",
    );
    const written = renderNative(META, most.cards);
    expect(written).toBe(
      "id: t\nname: T\ndescription:\nreversed: yes\n\n## 1\nq1\n---\na1\n\n## 2\nreversed: no\nq2\n---\na2\n\n## 3\nq3\n---\na3\n",
    );
    expect(brief(parseDeck(written).cards)).toEqual(brief(most.cards));
  });

  it("THEN the header option is yes or no (any case, or true/false), given once; a file may start with it", () => {
    expect(deck("Reversed: TRUE\n\n## 1\nq\n---\na\n").cards).toHaveLength(2);
    expect(deck("reversed: no\n\n## 1\nq\n---\na\n").cards).toHaveLength(1);
    expect(deck("reversed: maybe\n\n## 1\nq\n---\na\n").errors).toEqual([
      { line: 3, message: expect.stringContaining("'reversed:' takes yes or no, not 'maybe'") },
    ]);
    expect(deck("reversed: yes\nreversed: no\n\n## 1\nq\n---\na\n").errors).toEqual([
      { line: 4, message: "'reversed:' is already set on line 3; keep one of them" },
    ]);
    const first = "reversed: yes\nid: t\n\n## 1\nq\n---\na\n";
    expect(detectFormat(first)).toBe("native");
    expect(parseDeck(first).cards.map((c) => c.key)).toEqual(["1", "1~r"]);
  });
});

describe("GIVEN the native card option, a 'reversed:' line before the question", () => {
  it("THEN only that card is reversed; with tags in either order and blank lines between", () => {
    const r = deck(
      "\n## a\n\nreversed: yes\n\ntags: x y\n\nhola\n---\nhello\n\n## b\ntags: z\nreversed: yes\ngato\n---\ncat\n\n## c\nperro\n---\ndog\n",
    );
    expect(r.errors).toEqual([]);
    expect(brief(r.cards)).toEqual([
      { key: "a", front: "hola", back: "hello", tags: ["x", "y"], noteKey: "a" },
      { key: "a~r", front: "hello", back: "hola", tags: ["x", "y"], noteKey: "a" },
      { key: "b", front: "gato", back: "cat", tags: ["z"], noteKey: "b" },
      { key: "b~r", front: "cat", back: "gato", tags: ["z"], noteKey: "b" },
      { key: "c", front: "perro", back: "dog", tags: [], noteKey: undefined },
    ]);
  });

  it("THEN a bad value or a repeated option line is an error on its line, and the card is left out", () => {
    const r = deck(
      "\n## 1\nreversed: often\nq\n---\na\n\n## 2\ntags: a\ntags: b\nq2\n---\na2\n\n## 3\nq3\n---\na3\n",
    );
    expect(r.errors).toEqual([
      {
        line: 5,
        message:
          "card '1': 'reversed:' takes yes or no, not 'often'. For a question that starts with 'reversed:', write '\\reversed:'",
      },
      {
        line: 12,
        message:
          "card '2' has a second 'tags:' line (the first is on line 11); keep one. For a question that starts with 'tags:', write '\\tags:'",
      },
    ]);
    expect(r.cards.map((c) => c.key)).toEqual(["3"]);
  });

  it("THEN a question that starts with 'reversed:' is written escaped, and reads back as text", () => {
    const cards = [{ key: "1", front: "reversed: the word\nnext", back: "a", tags: ["t"] }];
    const text = renderNative(META, cards);
    expect(text).toContain("\n## 1\ntags: t\n\\reversed: the word\nnext\n---\na\n");
    expect(parseDeck(text).cards.map(({ key, front, back, tags }) => ({ key, front, back, tags }))).toEqual(
      cards,
    );
  });
});

describe("GIVEN a cloze card and a reversed option", () => {
  it("THEN it is not reversed: a warning on the card for its own option, one warning for the deck's", () => {
    const own = deck("\n## 1\nreversed: yes\n{{c1::Paris}} is in France\n---\n");
    expect(own.errors).toEqual([]);
    expect(own.cards.map((c) => c.key)).toEqual(["1.c1"]);
    expect(own.warnings).toEqual([
      {
        line: 4,
        message:
          "card '1' has cloze deletions, so it is not reversed (its answer is its question filled in); remove its 'reversed: yes'",
      },
    ]);
    const all = deck(
      "reversed: yes\n\n## 1\n{{c1::Paris}} is in {{c2::France}}\n---\n\n## 2\n{{c1::Rome}} is in Italy\n---\n\n## 3\nq\n---\na\n",
    );
    expect(all.errors).toEqual([]);
    expect(all.cards.map((c) => c.key)).toEqual(["1.c1", "1.c2", "2.c1", "3", "3~r"]);
    expect(all.warnings).toEqual([
      {
        line: 3,
        message:
          "'reversed: yes' leaves out 2 cloze cards (the first: card '1' on line 5): a cloze card is not reversed; write 'reversed: no' on it to say so",
      },
    ]);
    // Said 'reversed: no', a cloze card gives no warning.
    expect(deck("reversed: yes\n\n## 1\nreversed: no\n{{c1::x}} y\n---\n").warnings).toEqual([]);
  });
});

describe("reverse keys", () => {
  it("GIVEN any valid written key THEN its reverse key is no valid written key, and leads back to it", () => {
    fc.assert(
      fc.property(fc.stringMatching(CARD_KEY_PATTERN), (key) => {
        expect(CARD_KEY_PATTERN.test(reverseKey(key))).toBe(false);
        expect(reversedFrom(reverseKey(key))).toBe(key);
        expect(reversedFrom(key)).toBeUndefined();
      }),
    );
  });

  it("GIVEN a file that writes a reverse key itself THEN it is an invalid key, so it cannot take a reverse's place", () => {
    const r = deck("\n## 1\nreversed: yes\nq\n---\na\n\n## 1~r\nq2\n---\na2\n");
    expect(r.errors).toEqual([{ line: 10, message: expect.stringContaining("card key '1~r' is not valid") }]);
  });

  it("GIVEN a reverse asking another card's question THEN the written card wins; the reverse is left out with a warning", () => {
    const r = deck(
      "\n## es\nreversed: yes\nhola\n---\nhello\n\n## en\nhello\n---\nhola\n\n## es2\nreversed: yes\nbuenos días\n---\nhello\n",
    );
    expect(r.errors).toEqual([]);
    expect(brief(r.cards)).toEqual([
      { key: "es", front: "hola", back: "hello", tags: [], noteKey: undefined },
      { key: "en", front: "hello", back: "hola", tags: [], noteKey: undefined },
      { key: "es2", front: "buenos días", back: "hello", tags: [], noteKey: undefined },
    ]);
    expect(r.warnings).toEqual([
      {
        line: 4,
        message:
          "the reverse of this card asks the same question as card 'en' (line 10); the card was kept without its reverse",
      },
      {
        line: 15,
        message:
          "the reverse of this card asks the same question as card 'en' (line 10); the card was kept without its reverse",
      },
    ]);
    // Two reverses asking the same: the second is left out, naming the first.
    const twice = deck("reversed: yes\n\n## a\nq1\n---\nsame\n\n## b\nq2\n---\nsame\n");
    expect(twice.cards.map((c) => c.key)).toEqual(["a", "a~r", "b"]);
    expect(twice.warnings[0]?.message).toBe(
      "the reverse of this card asks the same question as the reverse of card 'a' (line 5); the card was kept without its reverse",
    );
  });

  it(`GIVEN more than ${MAX_CARDS} cards with the reverses THEN an error that says so`, () => {
    const body = (n: number) =>
      Array.from({ length: n }, (_, i) => `## ${i}\nq${i}\n---\na${i}\n`).join("\n");
    expect(deck(`reversed: yes\n\n${body(MAX_CARDS / 2)}`).errors).toEqual([]);
    const over = deck(`reversed: yes\n\n${body(MAX_CARDS / 2 + 1)}`);
    expect(over.errors).toEqual([
      {
        line: 5 + (MAX_CARDS / 2) * 5,
        message: expect.stringContaining(
          "with their reverse cards the deck has 5,002 cards; the limit is 5,000",
        ),
      },
    ]);
  });
});

describe("GIVEN reversed cards exported as native, CSV and Anki text", () => {
  const side = fc
    .string({
      unit: fc.constantFrom("a", "b", " ", "\n", "#", "-", ":", "r", "é"),
      minLength: 1,
      maxLength: 10,
    })
    .filter((s) => s.trim() !== "");

  it("THEN every export reads back to the same cards, reverses included, and holds no reverse card", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ front: side, back: side, reversed: fc.boolean() }), {
          minLength: 1,
          maxLength: 6,
        }),
        (drafts) => {
          const text = renderNative(
            META,
            drafts.map((d, i) => ({
              key: `k${i}`,
              front: `q${i} ${d.front}`,
              back: `a${i} ${d.back}`,
              tags: [],
            })),
          );
          // The cards as the database holds them: a file's parse, reverses included.
          const marked = drafts.reduce(
            (t, d, i) => (d.reversed ? t.replace(`\n## k${i}\n`, `\n## k${i}\nreversed: yes\n`) : t),
            text,
          );
          const cards = parseDeck(marked).cards;
          expect(cards.length).toBe(drafts.length + drafts.filter((d) => d.reversed).length);
          for (const format of ["native", "csv", "anki"] as const) {
            const out = exportDeck(format, META, cards);
            if (!out.ok) throw new Error(`${format}: ${JSON.stringify(out.errors)}`);
            expect(out.text).not.toContain("~r");
            const back = parseDeck(out.text, { format }).cards;
            expect(back.map((c) => [c.key, c.noteKey ?? null])).toEqual(
              cards.map((c) => [c.key, c.noteKey ?? null]),
            );
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("THEN the cards as the database gives them (null note keys, the reverse anywhere) export too", () => {
    const rows = [
      { key: "2", front: "q2", back: "a2", tags: [], noteKey: null },
      { key: "1~r", front: "a1", back: "q1", tags: [], noteKey: "1" },
      { key: "1", front: "q1", back: "a1", tags: [], noteKey: "1" },
    ];
    expect(foldReverses(rows).map((c) => [c.key, c.reversed])).toEqual([
      ["2", false],
      ["1", true],
    ]);
    const out = exportDeck("native", META, rows);
    expect(out.ok && out.text).toBe(
      "id: t\nname: T\ndescription:\n\n## 2\nq2\n---\na2\n\n## 1\nreversed: yes\nq1\n---\na1\n",
    );
    // A card whose note key is its own but with no reverse (siblings of another kind) is a plain card.
    const alone = exportDeck("native", META, [
      { key: "x.t1", front: "q", back: "a", tags: [], noteKey: "x" },
    ]);
    expect(alone.ok && alone.text).not.toContain("reversed");
  });

  it("THEN CSV carries a reversed column (only then), which reads back; a bad value is an error", () => {
    const cards = deck("\n## 1\nreversed: yes\nq1\n---\na1\n\n## 2\nq2\n---\na2\n").cards;
    const out = exportDeck("csv", META, cards);
    expect(out.ok && out.text).toBe("\uFEFFfront,back,tags,key,reversed\r\nq1,a1,,1,yes\r\nq2,a2,,2,\r\n");
    const plain = exportDeck("csv", META, cards.slice(2));
    expect(plain.ok && plain.text).toBe("\uFEFFfront,back,tags,key\r\nq2,a2,,2\r\n");
    const read = parseDeck(
      "front,back,reversed\nhola,hello,YES\ngato,cat,0\nperro,dog,\nsol,sun,sometimes\n",
    );
    expect(read.format).toBe("csv");
    expect(read.cards.map((c) => [c.front, c.noteKey === undefined ? "" : "sibling"])).toEqual([
      ["hola", "sibling"],
      ["hello", "sibling"],
      ["gato", ""],
      ["perro", ""],
    ]);
    expect(read.cards[1]?.key).toBe(reverseKey(read.cards[0]?.key ?? ""));
    expect(read.errors).toEqual([
      { line: 5, message: "the 'reversed' column takes yes or no (or nothing), not 'sometimes'" },
    ]);
  });

  it("THEN Anki text names the note type Basic (and reversed card); its optional type reverses on Add Reverse", () => {
    const cards = deck("\n## 1\nreversed: yes\nq1\n---\na1\n\n## 2\nq2\n---\na2\n").cards;
    const out = exportDeck("anki", META, cards);
    expect(out.ok && out.text).toBe(
      [
        "#separator:tab",
        "#html:true",
        "#deck:T",
        "#columns:guid\tNotetype\tFront\tBack\tTags",
        "#guid column:1",
        "#notetype column:2",
        "#tags column:5",
        "1\tBasic (and reversed card)\tq1\ta1\t",
        "2\tBasic\tq2\ta2\t",
        "",
      ].join("\n"),
    );
    const optional = parseDeck(
      "#separator:tab\n#html:false\n#notetype:Basic (optional reversed card)\nq1\ta1\ty\nq2\ta2\t\n",
    );
    expect(optional.errors).toEqual([]);
    expect(optional.warnings).toEqual([]);
    expect(optional.cards.map((c) => [c.front, c.back])).toEqual([
      ["q1", "a1"],
      ["a1", "q1"],
      ["q2", "a2"],
    ]);
    const cloze = parseDeck(
      "#separator:tab\n#html:false\n#notetype:Basic (and reversed card)\n{{c1::Paris}} is in France\tx\n",
    );
    expect(cloze.cards.map((c) => c.key).some((k) => k.endsWith("~r"))).toBe(false);
    expect(cloze.warnings).toEqual([
      { line: 4, message: expect.stringContaining("cloze deletions, so it is not reversed") },
    ]);
  });
});
