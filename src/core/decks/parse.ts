/**
 * Public entry point for deck files: format detection, parsing (with the shared limits of limits.ts
 * enforced) and rendering of the native format. Pure: no I/O, no clock.
 */
import { brainscapeLooksLike, parseBrainscape } from "./brainscape.ts";
import { nativeLooksLike, parseNative } from "./native.ts";
import type { DeckFormat, DeckIssue, ParseResult, RawDeck } from "./types.ts";
import { finish } from "./validate.ts";

export { renderNative } from "./native.ts";
export type { DeckFormat, DeckIssue, DeckMeta, ParsedCard, ParseResult } from "./types.ts";

export const DECK_FORMATS: readonly DeckFormat[] = ["native", "brainscape"];

const PARSERS: Record<DeckFormat, (text: string) => RawDeck> = {
  native: parseNative,
  brainscape: parseBrainscape,
};

/** Guesses the format of a deck file; "native" when nothing else fits (its errors then explain the format). */
export function detectFormat(text: string): DeckFormat {
  if (typeof text !== "string") return "native";
  const firstLine = /^\uFEFF?\s*([^\r\n]*)/.exec(text)?.[1] ?? "";
  if (nativeLooksLike(firstLine)) return "native";
  if (brainscapeLooksLike(text)) return "brainscape";
  return "native";
}

/** Parses a deck file. Never throws: every problem is an error or a warning with a 1-based line number. */
export function parseDeck(text: string, opts: { format?: DeckFormat } = {}): ParseResult {
  const requested = opts?.format;
  const format =
    requested !== undefined && Object.hasOwn(PARSERS, requested) ? requested : detectFormat(text);
  try {
    if (typeof text !== "string")
      throw new TypeError(`expected the deck text as a string, got ${typeof text}`);
    return finish(format, PARSERS[format](text));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      format,
      meta: {},
      cards: [],
      errors: [{ line: 1, message: `could not parse the deck: ${reason}` }],
      warnings: [],
    };
  }
}

/** "line 14: card '7' has no '---' …" */
export function formatIssue(issue: DeckIssue): string {
  return `line ${issue.line}: ${issue.message}`;
}
