/**
 * TSV / Quizlet export: one card per row, `term<TAB>definition`. Quizlet lets the exporter choose both
 * separators ("between term and definition": Tab, Comma or custom; "between rows": new line, semicolon or
 * custom), so both are options here. There is no quoting: a row is split at the FIRST term separator (the
 * definition may contain more of them); blank rows are skipped. A multi-line definition needs a custom row
 * separator. Card keys are a hash of the question (keys.ts); sides are normalised (text.ts).
 */

import { ANKI_SEPARATORS } from "./anki-header.ts";
import { frontKey } from "./keys.ts";
import { MAX_CARDS } from "./limits.ts";
import { normalizeSide, quote } from "./text.ts";
import type { DeckIssue, ParsedCard, RawDeck } from "./types.ts";

const NAMED_SEPARATORS: Record<string, string> = {
  ...ANKI_SEPARATORS,
  dash: " - ",
  newline: "\n",
  "new line": "\n",
};

export type SeparatorResult = { ok: true; value: string } | { ok: false; reason: string };

/**
 * A separator option as typed by a user: a name (tab, comma, semicolon, pipe, colon, space, newline), an
 * escape (`\t`, `\n`), or the literal text (1 to 10 characters).
 */
export function resolveSeparator(input: string): SeparatorResult {
  const lower = input.trim().toLowerCase();
  if (Object.hasOwn(NAMED_SEPARATORS, lower)) return { ok: true, value: NAMED_SEPARATORS[lower] ?? "" };
  const value = input.replace(/\\t/g, "\t").replace(/\\n/g, "\n");
  if (value.length === 0 || value.length > 10) {
    return {
      ok: false,
      reason: `separator ${quote(input)} must be a name (tab, comma, semicolon, newline) or 1 to 10 characters`,
    };
  }
  return { ok: true, value };
}

const isNewlineSeparator = (s: string): boolean => s === "\n" || s === "\r\n" || s === "\r";

/** Rows read between two pauses (parse.ts steps). */
const ROWS_PER_STEP = 250;

/** The rows of `body` with their start offsets, one at a time (a file of a million empty rows holds none). */
function* rowsOf(body: string, row: string): Generator<{ text: string; start: number }, void, void> {
  if (isNewlineSeparator(row)) {
    const re = /\r\n|\r|\n/g;
    let start = 0;
    for (let m = re.exec(body); m !== null; m = re.exec(body)) {
      yield { text: body.slice(start, m.index), start };
      start = m.index + m[0].length;
    }
    yield { text: body.slice(start), start };
  } else {
    let start = 0;
    for (let at = body.indexOf(row); at !== -1; at = body.indexOf(row, start)) {
      yield { text: body.slice(start, at), start };
      start = at + row.length;
    }
    yield { text: body.slice(start), start };
  }
}

/** Parses a TSV / Quizlet export, as steps (parse.ts). */
export function* parseTsv(
  text: string,
  opts: { termSeparator?: string; rowSeparator?: string } = {},
): Generator<void, RawDeck, void> {
  const errors: DeckIssue[] = [];
  const warnings: DeckIssue[] = [];
  const cards: ParsedCard[] = [];
  const term = opts.termSeparator || "\t";
  const row = opts.rowSeparator || "\n";
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;

  let line = 1;
  let counted = 0;
  const lineAt = (offset: number): number => {
    for (; counted < offset; counted++) {
      const c = body.charCodeAt(counted);
      if (c === 0x0a || (c === 0x0d && body.charCodeAt(counted + 1) !== 0x0a)) line++;
    }
    return line;
  };
  const termName = term === "\t" ? "a tab" : quote(term);

  let uncounted = 0;
  let read = 0;
  // Lines are counted incrementally, from each row's start offset.
  for (const r of rowsOf(body, row)) {
    if (++read % ROWS_PER_STEP === 0) yield;
    if (r.text.trim() === "") continue;
    if (cards.length > MAX_CARDS) {
      uncounted++;
      continue;
    }
    const lead = r.text.length - r.text.trimStart().length;
    const at = lineAt(r.start + lead);
    const split = r.text.indexOf(term);
    if (split === -1) {
      errors.push({
        line: at,
        message: `this row has only one field: put ${termName} between the term and its definition${isNewlineSeparator(row) ? "" : ` (rows are separated by ${quote(row)})`}`,
      });
      continue;
    }
    const front = normalizeSide(r.text.slice(0, split));
    const back = normalizeSide(r.text.slice(split + term.length));
    cards.push({ key: frontKey(front), front, back, tags: [], line: at });
  }
  return { meta: {}, metaLines: {}, cards, errors, warnings, keys: "front", uncounted };
}

/** True when the first line has a tab (Quizlet's default between term and definition). */
export function tsvLooksLike(firstLine: string): boolean {
  return firstLine.includes("\t");
}
