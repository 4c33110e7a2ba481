/**
 * Public entry point for deck files: format detection, parsing (with the shared limits of limits.ts
 * enforced) and rendering. Pure: no I/O, no clock.
 */
import { parseAnki } from "./anki.ts";
import { ankiLooksLike } from "./anki-header.ts";
import { brainscapeLooksLike, parseBrainscape } from "./brainscape.ts";
import { csvLooksLike, parseCsv } from "./csv.ts";
import { nativeLooksLike, parseNative } from "./native.ts";
import { parseTsv, tsvLooksLike } from "./tsv.ts";
import type { DeckFormat, DeckIssue, ParseOptions, ParseResult, RawDeck, TextDeckFormat } from "./types.ts";
import { finish } from "./validate.ts";

export { renderAnki } from "./anki.ts";
export { renderCsv } from "./csv.ts";
export { renderNative } from "./native.ts";
export type {
  DeckFormat,
  DeckIssue,
  DeckMeta,
  KeySource,
  ParsedCard,
  ParseOptions,
  ParseResult,
  RawDeck,
  TextDeckFormat,
} from "./types.ts";
export { finish } from "./validate.ts";

/** The text formats a `format:` option or `--format` can force. */
export const DECK_FORMATS: readonly TextDeckFormat[] = ["native", "brainscape", "anki", "csv", "tsv"];
/** Every format an import reports (a confirm button carries its index). */
export const ALL_FORMATS: readonly DeckFormat[] = [...DECK_FORMATS, "apkg"];

/** What each format is called for people (CLI output, the import reply). */
export const FORMAT_NAMES: Record<DeckFormat, string> = {
  native: "native deck",
  brainscape: "Brainscape text export",
  anki: "Anki notes in plain text",
  csv: "CSV",
  tsv: "TSV / Quizlet",
  apkg: "Anki package",
};

type Steps<T> = Generator<void, T, void>;

/** Each format's parser, as steps: it yields between pieces of a few hundred cards. */
const PARSERS: Record<TextDeckFormat, (text: string, opts: ParseOptions) => Steps<RawDeck>> = {
  native: parseNative,
  brainscape: parseBrainscape,
  anki: parseAnki,
  csv: parseCsv,
  tsv: parseTsv,
};

export const isDeckFormat = (value: unknown): value is TextDeckFormat =>
  typeof value === "string" && Object.hasOwn(PARSERS, value);

/**
 * Guesses the format of a deck file from its first non-blank line, in this order: Anki header (`#separator:`,
 * `#html:`, …) → anki; `id:` / `name:` / `description:` / `## ` → native; Brainscape's title, count and
 * numbered cards → brainscape; a tab → tsv; a comma or semicolon → csv; otherwise the format a `.csv` or
 * `.tsv` file name gives, else native (whose errors then explain the native format).
 */
export function detectFormat(text: string, fileName = ""): TextDeckFormat {
  if (typeof text !== "string") return "native";
  const firstLine = /^\uFEFF?\s*([^\r\n]*)/.exec(text)?.[1] ?? "";
  if (ankiLooksLike(firstLine)) return "anki";
  if (nativeLooksLike(firstLine)) return "native";
  if (brainscapeLooksLike(text)) return "brainscape";
  if (tsvLooksLike(firstLine)) return "tsv";
  if (csvLooksLike(firstLine)) return "csv";
  const ext = /\.(csv|tsv)$/i.exec(fileName)?.[1]?.toLowerCase();
  return ext === "csv" || ext === "tsv" ? ext : "native";
}

/** Parses a deck file. Never throws: every problem is an error or a warning with a 1-based line number. */
export function parseDeck(text: string, opts: ParseOptions = {}): ParseResult {
  const steps = parseDeckSteps(text, opts);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * `parseDeck` as steps: it yields between pieces of work (a few hundred cards each), so a caller can give the
 * event loop back in between (services/slices.ts). Pure all the same: pausing changes nothing in the result.
 */
export function* parseDeckSteps(text: string, opts: ParseOptions = {}): Generator<void, ParseResult, void> {
  const requested = opts?.format;
  // Separators only mean something for TSV / Quizlet: giving them without a format asks for that format.
  const format = isDeckFormat(requested)
    ? requested
    : opts?.termSeparator || opts?.rowSeparator
      ? "tsv"
      : detectFormat(text, opts?.fileName);
  try {
    if (typeof text !== "string")
      throw new TypeError(`expected the deck text as a string, got ${typeof text}`);
    if (text.replace(/^\uFEFF/, "").trim() === "") {
      return {
        format,
        keys: "file",
        meta: {},
        cards: [],
        errors: [{ line: 1, message: "the file is empty" }],
        warnings: [],
      };
    }
    const raw = yield* PARSERS[format](text, opts ?? {});
    yield;
    const result = yield* finish(format, raw);
    if (result.cards.length === 0 && result.errors.length === 0) {
      result.errors.push({ line: 1, message: "no cards found in the file" });
    }
    return result;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      format,
      keys: "file",
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
