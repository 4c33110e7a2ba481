/**
 * Brainscape text exports (what Brainscape's "print / copy deck" gives): a title line, a "(N cards)" line,
 * then cards numbered 1, 2, 3, … in either of two layouts, which may be mixed in one file:
 *
 *   long form                          short form
 *   7                                  25
 *   Q                                  What is Transfer Learning?
 *   (blank)                            Reusing knowledge from a pre-trained model …
 *   Define False Positive (FP).        26
 *   (blank)                            …
 *   A
 *   (blank)
 *   Samples wrongly classified …
 *   How well did you know this?   ┐
 *   1 / Not at all / 2 / 3 / 4 /  │  rating widget: Brainscape chrome, dropped
 *   5 / Perfectly                 ┘
 *   8
 *
 * Card boundaries come from the numbering: a card ends at the rating widget or where a later card number
 * starts the next card (in the long form, a number followed by a `Q` line). The short form is positional:
 * the line after the number is the question, the next non-blank line the answer, so an answer that is
 * itself a bare number is read correctly; further lines up to the next card number are more answer lines. Text clean-up is described in decks/FORMAT.md ("Brainscape").
 */
import { MAX_CARDS } from "./limits.ts";
import { quote, trimBlankLines } from "./text.ts";
import type { DeckIssue, DeckMeta, ParsedCard, RawDeck } from "./types.ts";

const COUNT_LINE = /^\(\s*(\d+)\s+cards?\s*\)$/i;
const NUMBER_LINE = /^\d+$/;
const CHROME = ["How well did you know this?", "1", "Not at all", "2", "3", "4", "5", "Perfectly"] as const;
const CHROME_START = CHROME[0];
/** A bullet: optional indentation, a bullet character, then whitespace or the end of the line. */
const BULLET = /^(\s*)[•◦▪‣●*–-](?:\s|$)/;

/**
 * The lines of `text` (BOM dropped; CRLF, CR and LF end a line) by number, as offsets: 8 bytes a line instead of
 * a string each, so a large file costs little more than its text. The parser looks back and ahead by number.
 */
function lineIndex(text: string): {
  count: number;
  at(k: number): string;
  slice(from: number, to: number): string[];
} {
  const begin = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let count = 1;
  for (let i = begin; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a || (c === 0x0d && text.charCodeAt(i + 1) !== 0x0a)) count++;
  }
  const starts = new Int32Array(count);
  const ends = new Int32Array(count);
  let k = 0;
  starts[0] = begin;
  for (let i = begin; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0d && text.charCodeAt(i + 1) === 0x0a) continue;
    if (c === 0x0a || c === 0x0d) {
      ends[k] = c === 0x0a && text.charCodeAt(i - 1) === 0x0d && i - 1 >= (starts[k] ?? 0) ? i - 1 : i;
      k++;
      starts[k] = i + 1;
    }
  }
  ends[k] = text.length;
  const at = (line: number): string =>
    line < 0 || line >= count ? "" : text.slice(starts[line] ?? 0, ends[line] ?? 0);
  return {
    count,
    at,
    slice: (from, to) =>
      Array.from({ length: Math.max(0, Math.min(to, count) - from) }, (_, j) => at(from + j)),
  };
}

/** Cleans one side of a card: trailing whitespace and outer blank lines go, bullets are dedented. */
function cleanSide(lines: string[]): string {
  const kept = trimBlankLines(lines.map((l) => l.trimEnd()));
  const indents = kept.flatMap((l) => {
    const m = BULLET.exec(l);
    return m === null ? [] : [m[1]?.length ?? 0];
  });
  const dedent = indents.length > 0 ? Math.min(...indents) : 0;
  return kept.map((l) => (dedent > 0 && BULLET.test(l) ? l.slice(dedent) : l)).join("\n");
}

/** The first `count` non-blank lines, trimmed; reads no further (detection runs on files of any size). */
function firstLines(text: string, count: number): string[] {
  const head: string[] = [];
  const line = /[^\r\n]*/y;
  for (let at = text.charCodeAt(0) === 0xfeff ? 1 : 0; at <= text.length && head.length < count; ) {
    line.lastIndex = at;
    const l = (line.exec(text)?.[0] ?? "").trim();
    if (l !== "") head.push(l);
    at = line.lastIndex + (text.startsWith("\r\n", line.lastIndex) ? 2 : 1);
  }
  return head;
}

export function brainscapeLooksLike(text: string): boolean {
  const head = firstLines(text, 3);
  return (
    head.some((l) => COUNT_LINE.test(l)) ||
    head[0] === "1" ||
    head[1] === "1" ||
    /(^|\n)How well did you know this\?\r?\n/.test(text)
  );
}

/** Cards read between two pauses (parse.ts steps). */
const CARDS_PER_STEP = 250;

/** Parses a Brainscape text export, as steps (parse.ts). */
export function* parseBrainscape(text: string): Generator<void, RawDeck, void> {
  const lines = lineIndex(text);
  const n = lines.count;
  const t = (k: number): string => lines.at(k).trim();
  const nextNonBlank = (k: number): number => {
    let m = k;
    while (m < n && t(m) === "") m++;
    return m;
  };
  /** Index just after the rating widget that starts at k (matched in order, as far as it goes). */
  const skipChrome = (k: number): number => {
    let end = k + 1;
    for (const expected of CHROME.slice(1)) {
      const m = nextNonBlank(end);
      if (t(m) !== expected) break;
      end = m + 1;
    }
    return end;
  };
  /** Where reading resumes after a card that ended at line k: past the rating widget if it starts there. */
  const resumeAt = (k: number): number => (t(k) === CHROME_START ? skipChrome(k) : k);

  const meta: DeckMeta = {};
  const metaLines: RawDeck["metaLines"] = {};
  const errors: DeckIssue[] = [];
  const warnings: DeckIssue[] = [];
  const cards: ParsedCard[] = [];

  let i = nextNonBlank(0);
  if (i < n && !NUMBER_LINE.test(t(i)) && !COUNT_LINE.test(t(i))) {
    meta.name = t(i);
    metaLines.name = i + 1;
    i = nextNonBlank(i + 1);
  }
  let declared: { count: number; line: number } | undefined;
  const countMatch = COUNT_LINE.exec(t(i));
  if (countMatch !== null) {
    declared = { count: Number(countMatch[1]), line: i + 1 };
    i++;
  }

  let previous: string | undefined;
  let uncounted = 0;
  let read = 0;
  for (i = nextNonBlank(i); i < n; i = nextNonBlank(i)) {
    if (++read % CARDS_PER_STEP === 0) yield;
    const expected = previous === undefined ? undefined : String(Number(previous) + 1);
    const head = t(i);
    if (!NUMBER_LINE.test(head)) {
      errors.push({
        line: i + 1,
        message: `expected a card number${expected === undefined ? "" : ` (${expected})`} here, found ${quote(head)}; every card starts with its number on a line of its own`,
      });
      // Resynchronise on the next line that can start the expected card.
      for (i++; i < n; i++) {
        if (NUMBER_LINE.test(t(i)) && (expected === undefined || t(i) === expected)) break;
      }
      continue;
    }
    const key = head.replace(/^0+(?=\d)/, "");
    if (expected !== undefined && key !== expected) {
      warnings.push({
        line: i + 1,
        message: `card ${key} follows card ${previous}; Brainscape numbers cards 1, 2, 3, … so a card may be missing or split`,
      });
    }
    previous = key;
    const line = i + 1;
    /** A later card number: the next card starts there (a gap in the numbering is warned about then). */
    const isLaterNumber = (k: number): boolean => NUMBER_LINE.test(t(k)) && Number(t(k)) > Number(key);
    const endsCard = (k: number): boolean =>
      t(k) === CHROME_START || (isLaterNumber(k) && t(nextNonBlank(k + 1)) === "Q");
    const q = nextNonBlank(i + 1);

    let question: string[];
    let answer: string[];
    let end: number;
    if (t(q) === "Q") {
      let a = q + 1;
      while (a < n && t(a) !== "A" && !endsCard(a)) a++;
      if (t(a) !== "A") {
        errors.push({ line, message: `card ${key}: its 'Q' line (line ${q + 1}) has no matching 'A' line` });
        i = resumeAt(a);
        continue;
      }
      end = a + 1;
      while (end < n && !endsCard(end)) end++;
      question = lines.slice(q + 1, a);
      answer = lines.slice(a + 1, end);
    } else {
      const a = nextNonBlank(q + 1);
      if (q >= n || a >= n || t(q) === CHROME_START || t(a) === CHROME_START) {
        errors.push({
          line,
          message: `card ${key} has no answer: expected a question line and then an answer line`,
        });
        i = resumeAt(t(q) === CHROME_START ? q : a);
        continue;
      }
      end = a + 1;
      while (end < n && !isLaterNumber(end) && t(end) !== CHROME_START) end++;
      question = [lines.at(q)];
      answer = lines.slice(a, end);
    }
    // Past the card limit the deck is refused anyway (validate.ts): such cards are only counted.
    if (cards.length > MAX_CARDS) uncounted++;
    else cards.push({ key, front: cleanSide(question), back: cleanSide(answer), tags: [], line });
    i = resumeAt(end);
  }

  const cardsRead = cards.length + uncounted;
  if (declared !== undefined && declared.count !== cardsRead) {
    errors.push({
      line: declared.line,
      message: `the export says (${declared.count} cards) but ${cardsRead} cards were read; check the card numbering around the errors above, or that the export is complete`,
    });
  } else if (declared === undefined && cards.length > 0) {
    warnings.push({
      line: 1,
      message: "no '(N cards)' line was found, so the card count could not be checked",
    });
  }
  if (cards.length === 0 && errors.length === 0) {
    errors.push({
      line: Math.max(1, i),
      message:
        "no cards found: a Brainscape export lists cards as a number line, then the question, then the answer",
    });
  }
  return { meta, metaLines, cards, errors, warnings, keys: "numbered", uncounted };
}
