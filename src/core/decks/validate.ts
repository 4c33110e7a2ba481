/** The checks every deck gets, whatever its format: the limits of limits.ts, unique keys, duplicate questions. */

import { frontKey } from "./keys.ts";
import {
  CARD_KEY_PATTERN,
  DECK_ID_PATTERN,
  MAX_CARDS,
  MAX_DECK_DESCRIPTION_CHARS,
  MAX_DECK_NAME_CHARS,
  MAX_SIDE_CHARS,
} from "./limits.ts";
import { reversedFrom, withReverse } from "./reverse.ts";
import { codePointLength, questionFingerprint, quote } from "./text.ts";
import type { DeckFormat, DeckIssue, ParsedCard, ParseResult, RawDeck } from "./types.ts";

export { questionFingerprint } from "./text.ts";

/** How an error names a card: by its key when the key means something to the author, else by its line alone. */
function cardName(card: ParsedCard, derivedKey: boolean): string {
  return derivedKey ? "the card" : `card ${quote(card.key)}`;
}

/** At most this many errors and this many warnings are listed; a last entry says how many more there are. */
export const MAX_LISTED_ISSUES = 100;

function capped(issues: DeckIssue[], kind: string): DeckIssue[] {
  issues.sort((a, b) => a.line - b.line);
  if (issues.length <= MAX_LISTED_ISSUES) return issues;
  const rest = issues.length - MAX_LISTED_ISSUES;
  const next = issues[MAX_LISTED_ISSUES];
  return [
    ...issues.slice(0, MAX_LISTED_ISSUES),
    {
      line: next?.line ?? 1,
      message: `… and ${thousands(rest)} more ${kind} from this line on (not listed)`,
    },
  ];
}

const thousands = (n: number): string => n.toLocaleString("en-US");

function checkMeta(raw: RawDeck, errors: DeckIssue[]): void {
  const { id, name, description } = raw.meta;
  const lineOf = (field: keyof RawDeck["metaLines"]): number => raw.metaLines[field] ?? 1;
  if (id !== undefined && !DECK_ID_PATTERN.test(id)) {
    errors.push({
      line: lineOf("id"),
      message: `deck id ${quote(id)} is not valid: use 1 to 40 lower-case letters, digits and '-', starting with a letter or digit (e.g. 'pytorch-basics')`,
    });
  }
  if (name !== undefined && codePointLength(name) > MAX_DECK_NAME_CHARS) {
    errors.push({
      line: lineOf("name"),
      message: `deck name is ${thousands(codePointLength(name))} characters long; the limit is ${MAX_DECK_NAME_CHARS}`,
    });
  }
  if (description !== undefined && codePointLength(description) > MAX_DECK_DESCRIPTION_CHARS) {
    errors.push({
      line: lineOf("description"),
      message: `deck description is ${thousands(codePointLength(description))} characters long; the limit is ${thousands(MAX_DECK_DESCRIPTION_CHARS)}`,
    });
  }
}

function cardIssues(card: ParsedCard, name: string): string[] {
  const problems: string[] = [];
  const sides = [
    ["question", card.front],
    ["answer", card.back],
  ] as const;
  for (const [side, text] of sides) {
    if (text.trim() === "") problems.push(`${name} has an empty ${side}; write one or delete the card`);
    const length = codePointLength(text);
    if (length > MAX_SIDE_CHARS) {
      problems.push(
        `${name}: the ${side} is ${thousands(length)} characters long; the limit is ${thousands(MAX_SIDE_CHARS)} per side, counted after conversion — shorten it or split the card`,
      );
    }
  }
  return problems;
}

/**
 * Each card a parser marked `reversed` followed by its reverse (reverse.ts). Written cards come first: a reverse
 * whose question another card (or an earlier reverse) already asks is left out with a warning, and its card then
 * stands alone.
 */
function addReverses(
  cards: ParsedCard[],
  questions: Map<string, ParsedCard>,
  warnings: DeckIssue[],
  keysFromQuestions: boolean,
): ParsedCard[] {
  const out: ParsedCard[] = [];
  for (const { reversed, ...card } of cards) {
    if (!reversed) {
      out.push(card);
      continue;
    }
    const [original, reverse] = withReverse(card);
    const fingerprint = questionFingerprint(reverse.front);
    const first = questions.get(fingerprint);
    if (first === undefined) {
      questions.set(fingerprint, reverse);
      out.push(original, reverse);
      continue;
    }
    const name = (c: ParsedCard): string => {
      const from = reversedFrom(c.key);
      const own = keysFromQuestions || (from ?? c.key) === frontKey(from === undefined ? c.front : c.back);
      const it = own ? `the card on line ${c.line}` : `card ${quote(from ?? c.key)} (line ${c.line})`;
      return from === undefined ? it : `the reverse of ${it}`;
    };
    warnings.push({
      line: card.line,
      message: `the reverse of this card asks the same question as ${name(first)}; the card was kept without its reverse`,
    });
    out.push(card);
  }
  return out;
}

/** Cards checked between two pauses of `finish` (its key hashes are most of an import's parse time). */
const CARDS_PER_STEP = 250;

/** Applies the shared checks to what a format parser produced and builds the final result (as steps). */
export function* finish(format: DeckFormat, raw: RawDeck): Generator<void, ParseResult, void> {
  const errors = [...raw.errors];
  const warnings = [...raw.warnings];
  checkMeta(raw, errors);

  const cards: ParsedCard[] = [];
  const keyLines = new Map<string, number>();
  const questions = new Map<string, ParsedCard>();
  // Past the card limit the deck is refused anyway: checking one card more names the line where it starts.
  let checked = 0;
  for (const card of raw.cards.slice(0, MAX_CARDS + 1)) {
    if (++checked % CARDS_PER_STEP === 0) yield;
    const problems: string[] = [];
    if (card.key === "") {
      problems.push("card has no key: write one after '##', e.g. '## 12'");
    } else if (!CARD_KEY_PATTERN.test(card.key)) {
      problems.push(
        `card key ${quote(card.key)} is not valid: use up to 64 letters, digits, '.', '_' and '-', starting with a letter or digit`,
      );
    }
    const firstLine = keyLines.get(card.key);
    // A key derived from the question (keys.ts) repeats exactly when the question does: a duplicate, below.
    const derived = card.key === frontKey(card.front);
    const name = cardName(card, derived || raw.keys === "front");
    if (card.key !== "" && firstLine !== undefined && !derived) {
      problems.push(
        `card key ${quote(card.key)} is already used on line ${firstLine}; every card needs its own key (keep the old key on the card that has the schedule, give the other a new one)`,
      );
    } else if (card.key !== "" && firstLine === undefined) {
      keyLines.set(card.key, card.line);
    }
    problems.push(...cardIssues(card, name));
    if (problems.length > 0) {
      for (const message of problems) errors.push({ line: card.line, message });
      continue;
    }
    // Two image cards with the same words ("What is this?") ask different questions.
    const fingerprint =
      card.frontImage === undefined
        ? questionFingerprint(card.front)
        : `${questionFingerprint(card.front)}\u0000${card.frontImage}`;
    const first = questions.get(fingerprint);
    if (first !== undefined) {
      warnings.push({
        line: card.line,
        message:
          name === "the card"
            ? `the card has the same question as the card on line ${first.line}; it was skipped`
            : `${name} has the same question as card ${quote(first.key)} (line ${first.line}); it was skipped`,
      });
      continue;
    }
    questions.set(fingerprint, card);
    cards.push(card);
  }
  yield;
  const withReverses = addReverses(cards, questions, warnings, raw.keys === "front");

  const total = raw.cards.length + (raw.uncounted ?? 0);
  if (total > MAX_CARDS) {
    const over = raw.cards[MAX_CARDS];
    errors.push({
      line: over?.line ?? 1,
      message: `the deck has ${thousands(total)} cards; the limit is ${thousands(MAX_CARDS)} — split it into several decks`,
    });
  } else if (withReverses.length > MAX_CARDS) {
    const over = withReverses[MAX_CARDS];
    errors.push({
      line: over?.line ?? 1,
      message: `with their reverse cards the deck has ${thousands(withReverses.length)} cards; the limit is ${thousands(MAX_CARDS)} — reverse fewer cards or split the deck`,
    });
  }

  return {
    format,
    keys: raw.keys ?? "file",
    meta: raw.meta,
    cards: withReverses.slice(0, MAX_CARDS),
    errors: capped(errors, "errors"),
    warnings: capped(warnings, "warnings"),
  };
}
