/**
 * CSV decks (RFC 4180, see delimited.ts): one card per record, a comma between fields (a semicolon when the
 * first line has semicolons and no comma, as spreadsheets in some locales write), a leading BOM ignored.
 *
 * - With a header row: columns are found by name (case-insensitive): `front` / `question` / `term`,
 *   `back` / `answer` / `definition`, and optionally `tags`, `key` and `reversed` (`yes`: the card also asks its
 *   answer, reverse.ts). Other columns are ignored (one warning).
 * - Without one: question, answer, and optionally a third column of tags.
 * Tags are separated by spaces. A `key` column gives each card its key (what keeps its schedule); without one
 * the key is a hash of the question (keys.ts). Sides are normalised (text.ts `normalizeSide`).
 */
import { type DelimitedRecord, delimitedRecords, writeRecord } from "./delimited.ts";
import { frontKey } from "./keys.ts";
import { MAX_CARDS } from "./limits.ts";
import { foldReverses, type NoteCard } from "./reverse.ts";
import { normalizeSide, quote } from "./text.ts";
import type { DeckIssue, ParsedCard, RawDeck } from "./types.ts";

const NAMES = new Map<string, keyof Columns>([
  ["front", "front"],
  ["question", "front"],
  ["term", "front"],
  ["back", "back"],
  ["answer", "back"],
  ["definition", "back"],
  ["tags", "tags"],
  ["tag", "tags"],
  ["key", "key"],
  ["reversed", "reversed"],
]);

interface Columns {
  front: number;
  back: number;
  tags?: number;
  key?: number;
  reversed?: number;
}

/** A `reversed` cell: yes/true/1 or no/false/0/empty (any case); undefined for anything else. */
function reversedCell(cell: string): boolean | undefined {
  const v = cell.trim().toLowerCase();
  if (v === "yes" || v === "true" || v === "1") return true;
  if (v === "" || v === "no" || v === "false" || v === "0") return false;
  return undefined;
}

/** The header's columns, or undefined when the first record is not a header (it then is a card). */
function headerColumns(record: DelimitedRecord, warnings: DeckIssue[]): Columns | undefined {
  const found: Partial<Columns> = {};
  const unknown: string[] = [];
  record.fields.forEach((cell, k) => {
    const role = NAMES.get(cell.trim().toLowerCase());
    if (role !== undefined && found[role] === undefined) found[role] = k;
    else if (cell.trim() !== "") unknown.push(cell.trim());
  });
  if (found.front === undefined || found.back === undefined) return undefined;
  if (unknown.length > 0) {
    warnings.push({
      line: record.line,
      message: `column${unknown.length === 1 ? "" : "s"} ${unknown.map((u) => quote(u)).join(", ")} ignored (known: front, back, tags, key, reversed)`,
    });
  }
  return found as Columns;
}

/** Header columns read; a data row's fields past them are only checked for text (a line of commas is cheap). */
const KEPT_FIELDS = 64;
/** Rows read between two pauses (parse.ts steps). */
const ROWS_PER_STEP = 250;

export function* parseCsv(text: string): Generator<void, RawDeck, void> {
  const errors: DeckIssue[] = [];
  const warnings: DeckIssue[] = [];
  const cards: ParsedCard[] = [];

  let delimiter = ",";
  let reader = delimitedRecords(text, { delimiter, maxFields: KEPT_FIELDS });
  let next = reader.next();
  if (!next.done && next.value.width === 1 && (next.value.fields[0] ?? "").includes(";")) {
    delimiter = ";";
    reader = delimitedRecords(text, { delimiter, maxFields: KEPT_FIELDS });
    next = reader.next();
  }
  const sep = delimiter === "," ? "a comma" : "a semicolon";

  let head: DelimitedRecord | undefined;
  let columns: Columns | undefined;
  let rows = 0;
  let oneField: DeckIssue[] = [];
  let widest = 0;
  let uncounted = 0;
  let unclosed: DeckIssue | undefined;
  for (let n = 1; ; n++, next = reader.next()) {
    if (n % ROWS_PER_STEP === 0) yield;
    if (next.done) {
      unclosed = next.value;
      break;
    }
    const record = next.value;
    if (head === undefined) {
      head = record;
      columns = headerColumns(record, warnings);
      if (columns !== undefined) continue;
    }
    rows++;
    widest = Math.max(widest, record.width);
    if (cards.length > MAX_CARDS) {
      uncounted++;
      continue;
    }
    const { fields, line, width } = record;
    if (width < 2) {
      oneField.push({
        line,
        message: `this row has only one field: a card needs a question and an answer separated by ${sep} (quote a field that holds ${sep})`,
      });
      continue;
    }
    let cols: Columns;
    if (columns !== undefined) {
      cols = columns;
      const headWidth = head.width;
      if (width > headWidth && (fields.slice(headWidth).some((f) => f.trim() !== "") || record.droppedText)) {
        errors.push({
          line,
          message: `this row has ${width} fields but the header has ${headWidth}; quote a field that holds ${sep}`,
        });
        continue;
      }
    } else {
      cols = { front: 0, back: 1, tags: 2 };
      if (fields.slice(3).some((f) => f.trim() !== "") || record.droppedText) {
        errors.push({
          line,
          message: `this row has ${width} fields; without a header a row is question, answer and optionally tags — quote a field that holds ${sep}, or add a header row (front,back,tags)`,
        });
        continue;
      }
    }
    const front = normalizeSide(fields[cols.front] ?? "");
    const back = normalizeSide(fields[cols.back] ?? "");
    const tags = [
      ...new Set(
        (cols.tags === undefined ? "" : (fields[cols.tags] ?? "")).split(/\s+/).filter((t) => t !== ""),
      ),
    ];
    const key = cols.key === undefined ? "" : (fields[cols.key] ?? "").trim();
    const cell = cols.reversed === undefined ? "" : (fields[cols.reversed] ?? "");
    const reversed = reversedCell(cell);
    if (reversed === undefined) {
      errors.push({
        line,
        message: `the 'reversed' column takes yes or no (or nothing), not ${quote(cell.trim())}`,
      });
      continue;
    }
    cards.push({
      key: key === "" ? frontKey(front) : key,
      front,
      back,
      tags,
      line,
      ...(reversed && { reversed }),
    });
  }
  // A file of one column is not a deck with a few bad rows: one error says what a CSV deck needs.
  if (widest === 1 && columns === undefined) {
    oneField = [
      {
        line: head?.line ?? 1,
        message: `the file has only one column: a CSV deck needs two, the question and the answer (front,back), separated by ${sep} on each line, e.g. 'hola,hello'`,
      },
    ];
  }
  errors.push(...oneField);
  if (unclosed !== undefined) errors.push(unclosed);
  if (rows === 0 && unclosed === undefined && head !== undefined) {
    errors.push({ line: head.line, message: "the file has a header row but no cards after it" });
  }
  return {
    meta: {},
    metaLines: {},
    cards,
    errors,
    warnings,
    keys: columns?.key !== undefined ? "file" : "front",
    uncounted,
  };
}

/** True when the first line reads as CSV: a comma or a semicolon, and no tab. */
export function csvLooksLike(firstLine: string): boolean {
  return !firstLine.includes("\t") && /[,;]/.test(firstLine);
}

/**
 * Writes cards as CSV with a header row `front,back,tags,key` (CRLF line ends and a BOM, which spreadsheet
 * programs need to read UTF-8), and a `reversed` column when a card has a reverse card (reverse.ts), which is
 * written as that `yes`. `parseCsv` reads it back to the same cards and keys.
 */
export function renderCsv(cards: NoteCard[]): string {
  const folded = foldReverses(cards);
  const anyReversed = folded.some((c) => c.reversed);
  const rows = [writeRecord(["front", "back", "tags", "key", ...(anyReversed ? ["reversed"] : [])], ",")];
  for (const c of folded) {
    const fields = [c.front, c.back, c.tags.join(" "), c.key];
    if (anyReversed) fields.push(c.reversed ? "yes" : "");
    rows.push(writeRecord(fields, ","));
  }
  return `\uFEFF${rows.join("\r\n")}\r\n`;
}
