import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EXPORT_FORMATS, exportDeck } from "../../src/core/decks/convert.ts";
import { decodeDeckBytes } from "../../src/core/decks/decode.ts";
import { htmlToMarkdown, textToHtml } from "../../src/core/decks/html.ts";
import { CARD_KEY_PATTERN, MAX_SIDE_CHARS } from "../../src/core/decks/limits.ts";
import { DECK_FORMATS, type ParseOptions, type ParseResult, parseDeck } from "../../src/core/decks/parse.ts";
import { codePointLength, normalizeSide, questionFingerprint } from "../../src/core/decks/text.ts";

/** Text that stresses every format: separators, quotes, HTML, Anki syntax, line breaks, any code point. */
const piece = fc.oneof(
  fc.constantFrom(
    "\n",
    "\r\n",
    "\r",
    "\t",
    ",",
    ";",
    "|",
    '"',
    '""',
    "#",
    "#separator:tab",
    "##",
    "---",
    "<b>",
    "</b>",
    "<br>",
    "<img src=x>",
    "&amp;",
    "&lt;",
    "&",
    "<",
    ">",
    "{{c1::",
    "}}",
    "::",
    "[sound:a.mp3]",
    "**",
    " ",
    "  ",
    "\\",
    "\u00a0",
    "\u2028",
    "\u0085",
    "\u0000",
    "\uFEFF",
    "1",
    "Q",
    "A",
    "front,back",
    "https://x.example/a",
    "@everyone",
    "<@123>",
    "🎉",
    "é",
  ),
  fc.string({ unit: "grapheme", maxLength: 8 }),
  fc.string({ unit: "binary", maxLength: 4 }),
);
const rawText = fc.array(piece, { maxLength: 12 }).map((p) => p.join(""));
const anyString = fc.oneof(
  rawText,
  fc.string({ unit: "binary-ascii", maxLength: 200 }),
  fc.string({ maxLength: 200 }),
);

const options: fc.Arbitrary<ParseOptions> = fc.record(
  {
    format: fc.constantFrom(...DECK_FORMATS),
    termSeparator: fc.constantFrom("\t", ",", ";", " - ", "::", "", "\n"),
    rowSeparator: fc.constantFrom("\n", ";", "\n\n", "%%", "", "\t"),
  },
  { requiredKeys: [] },
);

function wellFormed(r: ParseResult): void {
  expect(DECK_FORMATS).toContain(r.format);
  expect(r.cards.length > 0 || r.errors.length > 0).toBe(true);
  for (const issue of [...r.errors, ...r.warnings]) {
    expect(Number.isInteger(issue.line) && issue.line >= 1).toBe(true);
    expect(typeof issue.message === "string" && issue.message.length > 0).toBe(true);
  }
  for (const c of r.cards) {
    expect(CARD_KEY_PATTERN.test(c.key)).toBe(true);
    expect(c.front.trim()).not.toBe("");
    expect(c.back.trim()).not.toBe("");
  }
}

describe("parseDeck never throws", () => {
  it("GIVEN any string, in every format, with any separators THEN cards or errors, well-formed", () => {
    fc.assert(
      fc.property(anyString, options, (text, opts) => {
        wellFormed(parseDeck(text, opts));
        wellFormed(parseDeck(text));
      }),
      { numRuns: 1500 },
    );
  });

  it("GIVEN any bytes THEN a refusal from the decoder, or cards or errors", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), options, (bytes, opts) => {
        const decoded = decodeDeckBytes(bytes);
        if (!decoded.ok) {
          expect(decoded.reason.length).toBeGreaterThan(0);
          return;
        }
        wellFormed(parseDeck(decoded.text, opts));
      }),
      { numRuns: 1500 },
    );
  });

  it("GIVEN text that is mostly valid UTF-8 deck syntax THEN still never throws", () => {
    const line = fc.oneof(
      rawText,
      fc.constantFrom("id: x", "## 1", "---", "#html:true", "front,back", "1", "(2 cards)"),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), options, (lines, opts) => {
        const bytes = new TextEncoder().encode(lines.join("\n"));
        const decoded = decodeDeckBytes(bytes);
        if (decoded.ok) wellFormed(parseDeck(decoded.text, opts));
      }),
      { numRuns: 800 },
    );
  });
});

/** Sides as an import stores them: normalised, non-empty, within the limit. */
const side = rawText.map(normalizeSide).filter((t) => t !== "" && codePointLength(t) <= MAX_SIDE_CHARS);
const tag = fc.stringMatching(/^[a-z0-9:_-]{1,10}$/);
const key = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/);
const deck = fc
  .uniqueArray(fc.record({ key, front: side, back: side, tags: fc.uniqueArray(tag, { maxLength: 3 }) }), {
    minLength: 1,
    maxLength: 8,
    selector: (c) => questionFingerprint(c.front),
  })
  .filter((cards) => new Set(cards.map((c) => c.key)).size === cards.length);

describe("export → import round trip", () => {
  for (const format of EXPORT_FORMATS) {
    it(`GIVEN a generated deck THEN ${format} export imports back to the same keys, fronts, backs and tags`, () => {
      fc.assert(
        fc.property(deck, (cards) => {
          const out = exportDeck(format, { id: "gen", name: "Generated", description: "" }, cards);
          expect(out.ok).toBe(true);
          if (!out.ok) return;
          const back = parseDeck(out.text);
          expect(back.format).toBe(format);
          expect(back.errors).toEqual([]);
          expect(back.cards.map(({ key, front, back, tags }) => ({ key, front, back, tags }))).toEqual(cards);
        }),
        { numRuns: 300 },
      );
    });
  }

  it("GIVEN a generated deck and TSV separators not in its text THEN a TSV file reads back the same sides", () => {
    const seps = fc.constantFrom(
      { termSeparator: "\t", rowSeparator: "\n" },
      { termSeparator: ",", rowSeparator: ";" },
      { termSeparator: " :: ", rowSeparator: "\n%%\n" },
    );
    fc.assert(
      fc.property(deck, seps, (cards, sep) => {
        const fits = (t: string) =>
          !t.includes(sep.rowSeparator) &&
          !t.includes("\r") &&
          !(sep.rowSeparator === "\n" && t.includes("\n"));
        const usable = cards.filter(
          (c) => !c.front.includes(sep.termSeparator) && fits(c.front) && fits(c.back),
        );
        fc.pre(usable.length > 0);
        const rows = usable.map((c) => `${c.front}${sep.termSeparator}${c.back}`);
        const text = rows.join(sep.rowSeparator);
        // Only unambiguous files: a separator must not also appear across a join ("! ::" + " :: " holds " :: "
        // one character early), or no reader could know where the author meant to split.
        fc.pre(text.split(sep.rowSeparator).length === rows.length);
        fc.pre(usable.every((c, k) => rows[k]?.indexOf(sep.termSeparator) === c.front.length));
        const back = parseDeck(text, { format: "tsv", ...sep });
        expect(back.errors).toEqual([]);
        expect(back.cards.map(({ front, back }) => ({ front, back }))).toEqual(
          usable.map(({ front, back }) => ({ front, back })),
        );
      }),
      { numRuns: 300 },
    );
  });

  it("GIVEN any normalised text THEN textToHtml → htmlToMarkdown is the identity", () => {
    fc.assert(
      fc.property(side, (t) => {
        expect(normalizeSide(htmlToMarkdown(textToHtml(t)).text)).toBe(t);
      }),
      { numRuns: 1000 },
    );
  });
});

// A quadratic path shows as time growing with the square of the input: a file 4× as big taking ~16× as long. The
// test compares the two sizes on the same machine at the same moment instead of holding a clock limit, so a busy
// machine does not fail it; absolute speed is the bench's (`npm run bench -- --only import`).
describe("hostile inputs grow linearly (no quadratic paths)", () => {
  const MIB = 1024 * 1024;
  const fill = (unit: string, bytes: number) => unit.repeat(Math.floor(bytes / unit.length));
  const cases: [string, (bytes: number) => string, ParseOptions][] = [
    ["unclosed <b> tags", (n) => `#separator:tab\n#html:true\nq\t${fill("<b>x", n)}\n`, {}],
    ["stray '<'", (n) => `#separator:tab\n#html:true\nq\t${fill("<a", n)}\n`, {}],
    ["nested lists", (n) => `#separator:tab\n#html:true\nq\t${fill("<ul><li>a", n)}\n`, {}],
    ["nested links", (n) => `#separator:tab\n#html:true\nq\t${fill('<a href="https://x">y', n)}\n`, {}],
    ["unclosed clozes", (n) => `#separator:tab\nq{{c1::\t${fill("{{c1::", n)}\n`, {}],
    ["many empty CSV rows", (n) => fill("\n,", n), {}],
    ["many TSV rows", (n) => fill("t,d;", n), { format: "tsv", termSeparator: ",", rowSeparator: ";" }],
    ["an unclosed quote", (n) => fill('"a,', n), {}],
  ];
  const timed = (text: string, opts: ParseOptions) => {
    const t = performance.now();
    const r = parseDeck(text, opts);
    return { ms: performance.now() - t, errors: r.errors.length };
  };
  for (const [name, make, opts] of cases) {
    it(`GIVEN ${name} THEN 1 MiB is refused, in less than 10× the time of 256 KiB`, () => {
      const small = make(MIB / 4);
      const big = make(MIB);
      timed(small, opts); // warm-up: the first call pays for compiling the parser
      // The best of two on each side: one pause of a busy machine (GC, another process) does not decide it.
      const quarter = Math.min(timed(small, opts).ms, timed(small, opts).ms);
      const full = timed(big, opts);
      full.ms = Math.min(full.ms, timed(big, opts).ms);
      expect(full.errors).toBeGreaterThan(0);
      expect(full.errors).toBeLessThanOrEqual(101);
      // Linear is ~4×; quadratic ~16×. The 5 ms floor keeps timer noise on a tiny quarter from deciding it.
      expect(full.ms).toBeLessThan(10 * Math.max(quarter, 5));
    });
  }
});
