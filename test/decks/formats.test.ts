import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readDelimited } from "../../src/core/decks/delimited.ts";
import { htmlToMarkdown, textToHtml } from "../../src/core/decks/html.ts";
import { frontKey, guidKey, importDeckId } from "../../src/core/decks/keys.ts";
import { detectFormat, type ParsedCard, parseDeck } from "../../src/core/decks/parse.ts";
import { reverseKey } from "../../src/core/decks/reverse.ts";
import { normalizeSide, suppressLinkPreviews } from "../../src/core/decks/text.ts";
import { resolveSeparator } from "../../src/core/decks/tsv.ts";

const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/decks/${name}`, import.meta.url), "utf8");
const sides = (cards: ParsedCard[]) => cards.map(({ front, back, tags }) => ({ front, back, tags }));

describe("Anki notes in plain text", () => {
  const r = parseDeck(fixture("anki-notes.txt"));

  it("GIVEN an HTML export with guid, notetype, deck and tags columns THEN every note, converted", () => {
    expect(detectFormat(fixture("anki-notes.txt"))).toBe("anki");
    expect(r.format).toBe("anki");
    expect(r.errors).toEqual([]);
    expect(r.meta).toEqual({ name: "Biology::Cells" });
    expect(sides(r.cards)).toEqual([
      {
        front: "What is the powerhouse of the cell?",
        back: "The **mitochondrion**.\nIt makes *ATP* & heat.",
        tags: ["biology", "cells"],
      },
      {
        front: "Name the parts of a eukaryotic cell",
        back: "- nucleus\n- cytoplasm\n  - organelles\n- membrane",
        tags: ["biology"],
      },
      {
        front: "Osmosis",
        back: "Diffusion of water across a membrane\n\nSee also: Wikipedia (<https://en.wikipedia.org/wiki/Osmosis>)",
        tags: [],
      },
      // A Basic (and reversed card) note: its reverse card too.
      {
        front:
          "Diffusion of water across a membrane\n\nSee also: Wikipedia (<https://en.wikipedia.org/wiki/Osmosis>)",
        back: "Osmosis",
        tags: [],
      },
      { front: "What does this diagram show?", back: "A plant cell", tags: ["biology", "media"] },
      {
        front: "The […] holds the DNA.",
        back: "The **nucleus** holds the DNA.\n\nBack extra: *eukaryotes only*",
        tags: ["biology", "cloze"],
      },
      {
        front: "The nucleus holds the [molecule].",
        back: "The nucleus holds the **DNA**.\n\nBack extra: *eukaryotes only*",
        tags: ["biology", "cloze"],
      },
      {
        front: 'Quote: "E = mc2"',
        back: "A code sample:\n```\ndef grow(cell):\n    return cell * 2\n```\n\nEnd <of> sample",
        tags: ["physics", "code"],
      },
      { front: "Ordered steps?", back: "1. G1\n2. S\n3. G2\n4. M", tags: ["biology"] },
    ]);
  });

  it("THEN cards are keyed by guid (hashed when not a valid key; .cN for cloze), a quoted '#' guid is no comment", () => {
    expect(r.keys).toBe("file");
    expect(r.cards.map((c) => c.key)).toEqual([
      guidKey("Ih7@K!v2Q^"),
      guidKey("#kL9x/3mZp"),
      guidKey("b2C%d$eF8g"),
      reverseKey(guidKey("b2C%d$eF8g")),
      guidKey("Zq1;wE4rT5"),
      "x9Y8w7V6u5.c1",
      "x9Y8w7V6u5.c2",
      "pO1iU2yT3r",
      "mN4bV5cX6z",
    ]);
    expect(r.cards.map((c) => c.line)).toEqual([7, 8, 9, 9, 10, 11, 11, 12, 16]);
    // The note and its reverse are siblings; other cards have no note key.
    expect(r.cards.map((c) => c.noteKey)).toEqual([
      undefined,
      undefined,
      guidKey("b2C%d$eF8g"),
      guidKey("b2C%d$eF8g"),
      ...Array(5).fill(undefined),
    ]);
    expect(guidKey("Ih7@K!v2Q^")).toMatch(/^g-[0-9a-f]{16}$/);
  });

  it("THEN dropped media is a warning on its line", () => {
    expect(r.warnings).toEqual([
      {
        line: 10,
        message: "media dropped: 'cell-diagram.png', 'plant-cell.mp3' (images and sounds are not imported)",
      },
    ]);
  });

  it("GIVEN #html:false, a named separator, a #deck and comment lines THEN the text is kept literally", () => {
    const plain = parseDeck(fixture("anki-plain.txt"));
    expect(plain.format).toBe("anki");
    expect(plain.errors).toEqual([]);
    expect(plain.meta.name).toBe("French vocabulary");
    expect(plain.keys).toBe("front");
    expect(sides(plain.cards)).toEqual([
      { front: "bonjour", back: "hello", tags: ["greeting"] },
      { front: "au revoir, à bientôt", back: "goodbye", tags: ["greeting"] },
      { front: "chat", back: 'cat (a <pet>), "le chat"', tags: ["animals"] },
      { front: "chien", back: "dog", tags: ["animals"] },
    ]);
    expect(plain.cards.map((c) => c.key)).toEqual(plain.cards.map((c) => frontKey(c.front)));
  });

  it("accepts every separator name and a literal, and tags from '#tags:' and a first 'tags:' line", () => {
    for (const [name, sep] of [
      ["Tab", "\t"],
      ["Comma", ","],
      ["semicolon", ";"],
      ["Pipe", "|"],
      ["colon", ":"],
      ["Space", " "],
      ["|", "|"],
      [";", ";"],
    ]) {
      const text = `#separator:${name}\n#html:false\n#tags:all\nq1${sep}a1\nq2${sep}a2\n`;
      const deck = parseDeck(text);
      expect(deck.errors, name).toEqual([]);
      expect(sides(deck.cards), name).toEqual([
        { front: "q1", back: "a1", tags: ["all"] },
        { front: "q2", back: "a2", tags: ["all"] },
      ]);
    }
    const legacy = parseDeck("tags:old style\nq\ta\n", { format: "anki" });
    expect(sides(legacy.cards)).toEqual([{ front: "q", back: "a", tags: ["old", "style"] }]);
  });

  it("GIVEN #columns with a Tags column THEN it is the tags column; extra fields go to the answer", () => {
    const deck = parseDeck(
      "#separator:tab\n#html:false\n#columns:Front\tBack\tExample\tTags\nq\ta\tan example\tt1 t2\n",
    );
    expect(sides(deck.cards)).toEqual([{ front: "q", back: "a\n\nan example", tags: ["t1", "t2"] }]);
    expect(deck.warnings).toEqual([
      { line: 4, message: expect.stringContaining("fields after the second were added to the answer") },
    ]);
  });

  it("detects HTML when the header does not say, as Anki does", () => {
    const deck = parseDeck("#separator:tab\nq <b>bold</b>\ta&amp;b\n");
    expect(sides(deck.cards)).toEqual([{ front: "q **bold**", back: "a&b", tags: [] }]);
    const plain = parseDeck("#separator:tab\nx < y\ta&amp;b\n");
    expect(sides(plain.cards)).toEqual([{ front: "x < y", back: "a&amp;b", tags: [] }]);
  });

  it("refuses with line numbers: one-field rows, an unclosed quote, a header without notes, bad header values, media-only sides", () => {
    expect(parseDeck("#separator:tab\nq\ta\nonly one field\nq3\ta3\n").errors).toEqual([
      { line: 3, message: expect.stringContaining("this row has only one field") },
    ]);
    expect(parseDeck('#separator:tab\nq\ta\n"open\tnever closed\nmore\n').errors).toEqual([
      { line: 3, message: expect.stringContaining("never closed") },
    ]);
    expect(parseDeck("#separator:tab\n#html:true\n").errors).toEqual([
      { line: 2, message: "the file has header lines but no notes after them" },
    ]);
    expect(parseDeck("#separator:xyz\nq\ta\n").errors).toEqual([
      { line: 1, message: expect.stringContaining("unknown separator 'xyz'") },
    ]);
    expect(parseDeck("#separator:tab\n#tags column:zero\nq\ta\n").errors).toEqual([
      { line: 2, message: expect.stringContaining("needs a column number") },
    ]);
    expect(parseDeck('#separator:tab\n#html:true\n<img src="a.png">\tanswer\n').errors).toEqual([
      { line: 3, message: expect.stringContaining("the question is only media ('a.png')") },
    ]);
  });

  it("reports a duplicate question once, keeps the first", () => {
    const deck = parseDeck("#separator:tab\n#html:false\nsame\tone\n  same \ttwo\n");
    expect(sides(deck.cards)).toEqual([{ front: "same", back: "one", tags: [] }]);
    expect(deck.warnings).toEqual([
      { line: 4, message: "the card has the same question as the card on line 3; it was skipped" },
    ]);
  });
});

describe("CSV", () => {
  it("GIVEN a BOM, CRLF, a question,answer,tags header and quoted fields THEN the cards; a duplicate is skipped", () => {
    const text = fixture("cards.csv");
    expect(detectFormat(text)).toBe("csv");
    const r = parseDeck(text);
    expect(r.errors).toEqual([]);
    expect(sides(r.cards)).toEqual([
      { front: "What is 2+2?", back: "4", tags: ["maths"] },
      { front: "Capital of France, the city?", back: "Paris", tags: ["geography", "europe"] },
      { front: "Multi-line\nquestion", back: 'answer with "quotes"', tags: [] },
      { front: "Spaced", back: "padded", tags: [] },
    ]);
    expect(r.cards.map((c) => c.line)).toEqual([2, 3, 4, 7]);
    expect(r.warnings).toEqual([
      { line: 6, message: "the card has the same question as the card on line 2; it was skipped" },
    ]);
  });

  it("GIVEN no header THEN question, answer[, tags]; semicolons when the first line has no comma", () => {
    expect(sides(parseDeck("a,b\nc,d,t1 t2\n").cards)).toEqual([
      { front: "a", back: "b", tags: [] },
      { front: "c", back: "d", tags: ["t1", "t2"] },
    ]);
    expect(sides(parseDeck(fixture("german.csv")).cards)).toEqual([
      { front: "Hund", back: "dog", tags: [] },
      { front: "Katze", back: "cat", tags: [] },
      { front: "Maus; klein", back: "mouse", tags: [] },
    ]);
  });

  it("GIVEN a front,back,tags,key header in any order THEN keys come from the key column", () => {
    const r = parseDeck("key,tags,back,front,notes\nk1,,A1,Q1,x\n,t,A2,Q2,y\n");
    expect(r.cards.map((c) => [c.key, c.front, c.back, c.tags])).toEqual([
      ["k1", "Q1", "A1", []],
      [frontKey("Q2"), "Q2", "A2", ["t"]],
    ]);
    expect(r.keys).toBe("file");
    expect(r.warnings).toEqual([
      { line: 1, message: "column 'notes' ignored (known: front, back, tags, key, reversed)" },
    ]);
  });

  it("refuses with line numbers: one field, too many fields, unclosed quote, header only, bad key", () => {
    expect(parseDeck("front,back\nq,a\nlonely\n").errors).toEqual([
      { line: 3, message: expect.stringContaining("only one field") },
    ]);
    expect(parseDeck("q,a,t,extra\n").errors).toEqual([
      { line: 1, message: expect.stringContaining("this row has 4 fields") },
    ]);
    expect(parseDeck('front,back\nq,"a\nb\nc,d\n').errors).toEqual([
      { line: 2, message: expect.stringContaining("never closed") },
    ]);
    expect(parseDeck("\uFEFFfront,back\r\n").errors).toEqual([
      { line: 1, message: "the file has a header row but no cards after it" },
    ]);
    expect(parseDeck("front,back,key\nq,a,bad key!\n").errors).toEqual([
      { line: 2, message: expect.stringContaining("card key 'bad key!' is not valid") },
    ]);
    expect(parseDeck("q,\n").errors).toEqual([
      { line: 1, message: "the card has an empty answer; write one or delete the card" },
    ]);
  });

  it("GIVEN a one-column .csv THEN read as CSV, one error: a CSV deck needs two columns (front,back)", () => {
    const r = parseDeck("hola\nadiós\ngato\n", { fileName: "spanish words.CSV" });
    expect(r.format).toBe("csv");
    expect(r.errors).toEqual([
      {
        line: 1,
        message:
          "the file has only one column: a CSV deck needs two, the question and the answer (front,back), separated by a comma on each line, e.g. 'hola,hello'",
      },
    ]);
    // The same text under another name is no CSV: its content decides.
    expect(parseDeck("hola\nadiós\n", { fileName: "words.txt" }).format).toBe("native");
    expect(parseDeck("hola\tadiós\n", { fileName: "words.csv" }).format).toBe("tsv");
  });

  it("GIVEN a line of a million commas THEN one record of kept columns: the same errors as a short line", () => {
    const r = parseDeck(`q,a${",".repeat(1_000_000)}\n`);
    expect(r.errors).toEqual([]);
    expect(sides(r.cards)).toEqual([{ front: "q", back: "a", tags: [] }]);
    expect(parseDeck(`q,a,t${",".repeat(1_000_000)}x\n`).errors).toEqual([
      { line: 1, message: expect.stringContaining("this row has 1000003 fields") },
    ]);
  });
});

describe("TSV / Quizlet", () => {
  it("GIVEN Quizlet's default export THEN term/definition per line; later tabs stay in the definition", () => {
    const text = fixture("quizlet.txt");
    expect(detectFormat(text)).toBe("tsv");
    const r = parseDeck(text);
    expect(r.errors).toEqual([]);
    expect(sides(r.cards)).toEqual([
      { front: "hola", back: "hello", tags: [] },
      { front: "adiós", back: "goodbye", tags: [] },
      { front: "gracias", back: "thank you\t(polite)", tags: [] },
    ]);
  });

  it("GIVEN custom separators THEN rows and terms split on them, multi-line definitions kept, lines counted", () => {
    const r = parseDeck(fixture("quizlet-custom.txt"), {
      format: "tsv",
      termSeparator: ",",
      rowSeparator: ";",
    });
    expect(r.errors).toEqual([]);
    expect(sides(r.cards)).toEqual([
      { front: "photosynthesis", back: "light energy -> chemical energy\nin chloroplasts", tags: [] },
      { front: "osmosis", back: "water through a membrane", tags: [] },
      { front: "mitosis", back: "cell division", tags: [] },
    ]);
    expect(r.cards.map((c) => c.line)).toEqual([1, 2, 2]);
    expect(parseDeck("a - b\n\nc - d\n", { termSeparator: " - " })).toMatchObject({ format: "tsv" });
    expect(parseDeck("a - b\n\nc - d\n", { format: "tsv", termSeparator: " - " }).cards).toHaveLength(2);
  });

  it("refuses a row without the separator, naming the line", () => {
    expect(parseDeck("a\tb\n\nno separator here\n", { format: "tsv" }).errors).toEqual([
      { line: 3, message: "this row has only one field: put a tab between the term and its definition" },
    ]);
  });

  it("resolves separator names, escapes and literals", () => {
    expect(resolveSeparator("Tab")).toEqual({ ok: true, value: "\t" });
    expect(resolveSeparator("newline")).toEqual({ ok: true, value: "\n" });
    expect(resolveSeparator("\\n\\n")).toEqual({ ok: true, value: "\n\n" });
    expect(resolveSeparator("::")).toEqual({ ok: true, value: "::" });
    expect(resolveSeparator("")).toMatchObject({ ok: false });
  });
});

describe("every format", () => {
  it("GIVEN an empty or blank file THEN one error: the file is empty", () => {
    for (const format of ["native", "brainscape", "anki", "csv", "tsv"] as const) {
      expect(parseDeck("\uFEFF  \n\n", { format }).errors).toEqual([
        { line: 1, message: "the file is empty" },
      ]);
    }
  });

  it("detects each format from its first line", () => {
    expect(detectFormat("#separator:tab\nq\ta\n")).toBe("anki");
    expect(detectFormat("#html:true\nq\ta\n")).toBe("anki");
    expect(detectFormat("id: x\n## 1\nq\n---\na\n")).toBe("native");
    expect(detectFormat("Title\n(2 cards)\n1\nq\na\n2\nq\na\n")).toBe("brainscape");
    expect(detectFormat("q\ta\n")).toBe("tsv");
    expect(detectFormat("q,a\n")).toBe("csv");
    expect(detectFormat("just some words\n")).toBe("native");
  });
});

describe("HTML → Discord markdown", () => {
  /** As the parsers use it: converted, then normalised (text.ts). */
  const md = (html: string) => normalizeSide(htmlToMarkdown(html).text);

  it("converts inline and block tags, entities, links, code", () => {
    expect(md("<b>bold</b> <strong>s</strong> <i>it</i> <em>e</em> <u>u</u> <s>x</s> <code>f()</code>")).toBe(
      "**bold** **s** *it* *e* u x `f()`",
    );
    expect(md("x<b> padded </b>end")).toBe("x **padded** end");
    expect(md("a<br>b<br/>c<BR >d")).toBe("a\nb\nc\nd");
    expect(md("<p>one</p><p>two</p>")).toBe("one\n\ntwo");
    expect(md("<div>a</div><div>b</div>")).toBe("a\nb");
    expect(md("<ol><li>x</li><li>y<ol><li>z</li></ol></li></ol>")).toBe("1. x\n2. y\n  1. z");
    expect(md("<ul>\n  <li>a</li>\n  <li>b</li>\n</ul>")).toBe("- a\n- b");
    expect(md("&lt;tag&gt; &amp;amp; &quot;q&quot; &#39;s&#39; &#x1F600; &nbsp;x &unknown; &hellip;")).toBe(
      "<tag> &amp; \"q\" 's' 😀  x &unknown; …",
    );
    expect(
      md('<a href="https://x.example/a?b=1">site</a> <a href="https://y.example">https://y.example</a>'),
    ).toBe("site (<https://x.example/a?b=1>) <https://y.example>");
    expect(md('<a href="javascript:alert(1)">click</a>')).toBe("click");
    expect(md("<code>a`b</code>")).toBe("`` a`b ``");
    expect(md("<h2>Title</h2>text")).toBe("**Title**\ntext");
    expect(md("<b><b>x</b></b>")).toBe("**x**");
  });

  it("drops scripts, styles, comments and media (reported), keeps unknown tags' text", () => {
    const r = htmlToMarkdown(
      '<style>.x{}</style><script>alert(1)</script><!-- note -->a<img src="p.png"><audio src="s.mp3"></audio><span style="c">b</span><video></video>',
    );
    expect(r.text).toBe("ab");
    expect(r.media).toEqual(["p.png", "s.mp3", "<video>"]);
    expect(md("x < y and a<3")).toBe("x < y and a<3");
  });

  it("reads escaped text back exactly (the Anki export path)", () => {
    const text = "a <b> & {{c1::x}} [sound:y]\n  indented\n\n\nthree blank";
    expect(md(textToHtml(text))).toBe(text);
    expect(textToHtml("{{c1::x}}")).not.toMatch(/\{\{c1::/);
  });
});

describe("delimited records (RFC 4180)", () => {
  it("reads quotes, doubled quotes, line breaks in fields, CR/LF/CRLF, blank lines, spaces before a quote", () => {
    const r = readDelimited('a,"b ""q"" c"\r\n\r\n"multi\nline", "x, y"\rlast,', { delimiter: "," });
    expect(r.error).toBeUndefined();
    expect(r.records).toEqual([
      { fields: ["a", 'b "q" c'], line: 1, width: 2, droppedText: false },
      { fields: ["multi\nline", "x, y"], line: 3, width: 2, droppedText: false },
      { fields: ["last", ""], line: 5, width: 2, droppedText: false },
    ]);
  });

  it("GIVEN maxFields THEN fields past it are only counted and checked for text", () => {
    const r = readDelimited(`a,b,c,,\n${",".repeat(100_000)}\nx,y,,,z\n`, { delimiter: ",", maxFields: 2 });
    expect(r.records).toEqual([
      { fields: ["a", "b"], line: 1, width: 5, droppedText: true },
      { fields: ["", ""], line: 2, width: 100_001, droppedText: false },
      { fields: ["x", "y"], line: 3, width: 5, droppedText: true },
    ]);
  });
});

describe("keys and ids", () => {
  it("a question's key ignores outer and repeated whitespace", () => {
    expect(frontKey("What  is\nit? ")).toBe(frontKey("What is it?"));
    expect(frontKey("a")).not.toBe(frontKey("b"));
  });

  it("imported deck ids: slug + scope + owner hash, unique across owners, suffixed when taken", () => {
    const taken = new Set<string>();
    const bob = importDeckId("Spanish Verbs!", { scope: "personal", userId: "1" }, (id) => taken.has(id));
    const carol = importDeckId("Spanish Verbs!", { scope: "personal", userId: "2" }, (id) => taken.has(id));
    const server = importDeckId("Spanish Verbs!", { scope: "server", guildId: "1" }, (id) => taken.has(id));
    expect(bob).toMatch(/^spanish-verbs-p[0-9a-f]{7}$/);
    expect(server).toMatch(/^spanish-verbs-s[0-9a-f]{7}$/);
    expect(new Set([bob, carol, server]).size).toBe(3);
    taken.add(bob);
    expect(importDeckId("spanish verbs", { scope: "personal", userId: "1" }, (id) => taken.has(id))).toBe(
      `${bob}-2`,
    );
    expect(importDeckId("日本語", { scope: "personal", userId: "1" }, () => false)).toMatch(/^deck-p/);
    const long = importDeckId("x".repeat(200), { scope: "server", guildId: "9" }, () => false);
    expect(long.length).toBeLessThanOrEqual(40);
  });

  it("links in quoted text are wrapped so Discord shows no preview", () => {
    expect(
      suppressLinkPreviews("see https://a.example/x and [t](https://b.example) <https://c.example>"),
    ).toBe("see <https://a.example/x> and [t](<https://b.example>) <https://c.example>");
  });
});
