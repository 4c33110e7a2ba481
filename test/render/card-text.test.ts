import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseDeck } from "../../src/core/decks/parse.ts";
import { cardText } from "../../src/render/card-text.ts";
import { CUT_MARKER } from "../../src/render/limits.ts";

const pytorch = parseDeck(readFileSync(join(import.meta.dirname, "../../decks/pytorch.deck"), "utf8"));
const card = (key: string) => {
  const c = pytorch.cards.find((x) => x.key === key);
  if (!c) throw new Error(`no card ${key} in decks/pytorch.deck`);
  return c;
};

/** Text split into code (``` blocks, spans between equal backtick runs) and prose, as Discord reads it. */
function pieces(text: string): { code: boolean; text: string }[] {
  const out: { code: boolean; text: string }[] = [];
  const re = /```[\s\S]*?```|(`+)(?!`)[\s\S]*?[^`]\1(?!`)/g;
  let from = 0;
  for (const m of text.matchAll(re)) {
    // A backtick after an odd number of backslashes is escaped and opens nothing (an even number: escaped `\\`).
    if ((/\\*$/.exec(text.slice(from, m.index))?.[0].length ?? 0) % 2 === 1) continue;
    out.push({ code: false, text: text.slice(from, m.index) }, { code: true, text: m[0] });
    from = m.index + m[0].length;
  }
  out.push({ code: false, text: text.slice(from) });
  return out;
}

/**
 * What a reader sees as characters, markup aside: Discord's escapes (a backslash before punctuation) resolved,
 * code verbatim. For escaped card text this must be the card text itself.
 */
const shownCharacters = (text: string) =>
  pieces(text)
    .map((p) => (p.code ? p.text : p.text.replace(/\\([^\p{L}\p{N}\s])/gu, "$1")))
    .join("");

/** The markup Discord would still apply outside code: unescaped `_`, `~`, `|`, `` ` `` (none may be left). */
const strayMarkup = (text: string) =>
  pieces(text)
    .filter((p) => !p.code)
    .flatMap((p) => [...p.text.replace(/\\[^\p{L}\p{N}\s]/gu, "").matchAll(/[_~|`]/g)].map((m) => m[0]));

describe("GIVEN the user's deck decks/pytorch.deck", () => {
  it("THEN __init__() keeps its underscores and the deck's bullets and numbering stay as written", () => {
    const shown = cardText(card("1").back);
    expect(shown).toContain("2. Define the \\_\\_init\\_\\_() method (for layers/submodules");
    expect(shown).toContain("• It’s the base class for all NN modules");
    expect(shown.split("\n")).toHaveLength(card("1").back.split("\n").length);
    expect(cardText(card("46").back)).toBe(
      "\\_\\_init\\_\\_() to define layers and forward() to specify how input is transformed to output.",
    );
  });

  it("THEN **__getitem__** stays bold with its underscores, *instance* stays italic", () => {
    expect(cardText(card("40").back)).toBe(
      "1. Derive a Dataset class with **\\_\\_getitem\\_\\_** and **\\_\\_len\\_\\_**. 2. Create dataset *instance*. " +
        "3. Create **Subset** splits. 4. Create **DataLoader** with *batchsize, shuffle, numworkers*. 5. Loop over DataLoader to get *minibatches*.",
    );
  });

  it("THEN every card shows its own characters and no markup the deck did not mean", () => {
    for (const c of pytorch.cards)
      for (const side of [c.front, c.back]) {
        const shown = cardText(side);
        expect(shownCharacters(shown)).toBe(side);
        expect(strayMarkup(shown)).toEqual([]);
      }
  });
});

describe("GIVEN card text Discord would read as other markdown", () => {
  it.each([
    ["underline and italics by underscores", "__init__ and _private", "\\_\\_init\\_\\_ and \\_private"],
    ["strikethrough and spoilers", "~~gone~~ ||hidden|| |x|", "\\~\\~gone\\~\\~ \\|\\|hidden\\|\\| \\|x\\|"],
    [
      "quotes, headings and subtext at a line's start",
      "> q\n# h\n### h3\n-# small",
      "\\> q\n\\# h\n\\### h3\n\\-# small",
    ],
    ["a masked link", "see [docs](https://x.example)", "see \\[docs](https://x.example)"],
    ["stars between digits and lone stars", "2*3*4 and a * b", "2\\*3\\*4 and a \\* b"],
    ["an unclosed bold", "**open but never closed", "\\*\\*open but never closed"],
    ["a backslash before punctuation", "C:\\dir\\_x and \\n", "C:\\dir\\\\\\_x and \\n"],
    ["a lone backtick", "it's a ` tick", "it's a \\` tick"],
  ])("THEN %s are shown as typed", (_, text, escaped) => {
    expect(cardText(text)).toBe(escaped);
    expect(shownCharacters(escaped)).toBe(text);
  });

  it.each([
    ["bold, italics and both", "**b** *i* ***bi*** **x**s", "**b** *i* ***bi*** **x**s"],
    ["list lines", "- a\n* b\n  • c\n1. d", "- a\n* b\n  • c\n1. d"],
    ["headings and quotes away from a line's start", "a > b # c", "a > b # c"],
  ])("THEN the deck's own markdown is kept: %s", (_, text, shown) => {
    expect(cardText(text)).toBe(shown);
  });

  it("THEN a bare link keeps its address as typed: Discord reads it before any emphasis", () => {
    // A backslash added inside would become part of the address (…/cross\_entropy.html): a broken link.
    const url = "https://pytorch.org/docs/stable/generated/torch.nn.functional.cross_entropy.html";
    expect(cardText(`See ${url}, or __init__.`)).toBe(`See ${url}, or \\_\\_init\\_\\_.`);
    expect(cardText(`(${url})`)).toBe(`(${url})`);
  });

  it("THEN code spans and blocks are never touched", () => {
    const text =
      "Call `__init__` or ``a`__b``:\n```py\nclass A:\n    def __init__(self): x = a*b | c\n```\nthen __x__";
    expect(cardText(text)).toBe(
      "Call `__init__` or ``a`__b``:\n```py\nclass A:\n    def __init__(self): x = a*b | c\n```\nthen \\_\\_x\\_\\_",
    );
  });

  it("THEN a long side is cut with the marker within the limit, a cut code block closed", () => {
    const code = `Answer:\n\`\`\`py\n${"x = __init__()\n".repeat(200)}\`\`\``;
    const shown = cardText(code, 300);
    expect(shown.length).toBeLessThanOrEqual(300);
    expect(shown.endsWith(`\`\`\`${CUT_MARKER}`)).toBe(true);
    expect(shown.match(/```/g)).toHaveLength(2);
    expect(shown).toContain("x = __init__()"); // still code: not escaped
    const prose = cardText("a_".repeat(500), 100);
    expect(prose.length).toBeLessThanOrEqual(100);
    expect(prose.endsWith(CUT_MARKER)).toBe(true);
    expect(prose).not.toMatch(/\\ …/); // never cut between a backslash and what it escapes
  });

  it("THEN a backslash right before a code span is shown, and the span stays code", () => {
    // Found by the property below: "\\`a`" kept the backslash bare, so Discord escaped the backtick instead.
    expect(cardText("\\`a`")).toBe("\\\\`a`");
    expect(cardText("x\\\n\\```\nc\n```")).toBe("x\\\n\\\\```\nc\n```");
  });

  it("THEN for any text: the same characters shown, nothing left that Discord would restyle, within the limit", () => {
    const chars = fc.constantFrom(..."ab1 _*~|`\\[]()>#-\n•.".split(""));
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 60 }), fc.integer({ min: 12, max: 80 }), (parts, max) => {
        const text = parts.join("");
        const shown = cardText(text);
        const cut = cardText(text, max);
        return (
          shownCharacters(shown) === text && strayMarkup(shown).length === 0 && cut.length <= Math.max(max, 0)
        );
      }),
      { numRuns: 500 },
    );
  });
});
