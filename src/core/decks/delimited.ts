/**
 * Delimiter-separated records as RFC 4180 defines them (CSV, and Anki's plain-text export with any separator):
 * a field holding the separator, a quote or a line break is enclosed in double quotes, and a quote inside such
 * a field is written twice (`""`). Records end at LF, CRLF or CR outside quotes.
 *
 * Reading is lenient where the intent is clear and strict where it is not:
 * - blank (whitespace-only) lines are skipped, a leading BOM is ignored;
 * - spaces before an opening quote are ignored (`a, "b, c"` is two fields);
 * - a quote inside an unquoted field, or text after a closing quote, is kept as written;
 * - a quoted field that is never closed is an error naming the line where it opened (nothing after it could be
 *   read reliably).
 */
import type { DeckIssue } from "./types.ts";

export interface DelimitedRecord {
  /** The fields, at most `maxFields` of them (see ReadOptions). */
  fields: string[];
  /** 1-based line where the record starts. */
  line: number;
  /** How many fields the record has, kept or not. */
  width: number;
  /** Whether a field past `maxFields` holds anything but whitespace. */
  droppedText: boolean;
}

export interface DelimitedResult {
  records: DelimitedRecord[];
  /** Set when a quoted field is never closed; `records` then holds what came before it. */
  error?: DeckIssue;
}

export interface ReadOptions {
  /** One or more characters between fields. */
  delimiter: string;
  /** A record whose first character is this (outside quotes) is a comment and skipped, as in Anki. */
  comment?: string;
  /** Line number of the first character of `text` (when it is the tail of a file). */
  firstLine?: number;
  /**
   * Fields kept per record; the rest are only counted (`width`) and checked for text (`droppedText`). A caller
   * that needs a few columns sets it, so a line of millions of separators costs no array of millions.
   */
  maxFields?: number;
}

/** Reads every record into memory (see `delimitedRecords` for one at a time). */
export function readDelimited(text: string, opts: ReadOptions): DelimitedResult {
  const records: DelimitedRecord[] = [];
  const reader = delimitedRecords(text, opts);
  for (;;) {
    const r = reader.next();
    if (r.done) return r.value === undefined ? { records } : { records, error: r.value };
    records.push(r.value);
  }
}

/**
 * The records of `text`, one at a time, so a reader that only counts past a limit holds one record at once.
 * Returns the error of a quoted field never closed (nothing after it is read).
 */
export function* delimitedRecords(
  text: string,
  opts: ReadOptions,
): Generator<DelimitedRecord, DeckIssue | undefined, void> {
  const { delimiter, comment } = opts;
  const maxFields = opts.maxFields ?? Number.POSITIVE_INFINITY;
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = opts.firstLine ?? 1;
  const atDelimiter = (k: number): boolean => delimiter !== "" && text.startsWith(delimiter, k);
  const isNewline = (k: number): boolean => text[k] === "\n" || text[k] === "\r";
  /** Skips the line break at k (if any), counting it. */
  const skipNewline = (k: number): number => {
    if (text[k] === "\r" && text[k + 1] === "\n") {
      line++;
      return k + 2;
    }
    if (isNewline(k)) {
      line++;
      return k + 1;
    }
    return k;
  };
  const delimiterIsBlank = /^[ \t]+$/.test(delimiter);

  while (i < n) {
    // Blank lines and comment lines.
    let end = i;
    while (end < n && !isNewline(end) && (text[end] === " " || text[end] === "\t")) end++;
    if (end >= n || isNewline(end)) {
      i = skipNewline(end);
      continue;
    }
    if (comment !== undefined && text.startsWith(comment, i)) {
      while (i < n && !isNewline(i)) i++;
      i = skipNewline(i);
      continue;
    }

    const recordLine = line;
    const fields: string[] = [];
    let width = 0;
    let droppedText = false;
    for (;;) {
      // One field, starting at i.
      let k = i;
      if (!delimiterIsBlank) while (text[k] === " " || text[k] === "\t") k++;
      let value = "";
      if (text[k] === '"') {
        const openLine = line;
        k++;
        let closed = false;
        while (k < n) {
          const c = text[k];
          if (c === '"') {
            if (text[k + 1] === '"') {
              value += '"';
              k += 2;
              continue;
            }
            closed = true;
            k++;
            break;
          }
          if (c === "\r" || c === "\n") {
            const next = skipNewline(k);
            value += text.slice(k, next);
            k = next;
            continue;
          }
          // Copy a run of ordinary characters at once.
          let run = k + 1;
          while (run < n && text[run] !== '"' && text[run] !== "\r" && text[run] !== "\n") run++;
          value += text.slice(k, run);
          k = run;
        }
        if (!closed) {
          return {
            line: openLine,
            message:
              'a field opened with a double quote (") here is never closed: close it, or write a quote inside a quoted field as two quotes ("")',
          };
        }
        // Text after the closing quote, up to the next delimiter or line break, is kept as written.
        const rest = k;
        while (k < n && !isNewline(k) && !atDelimiter(k)) k++;
        value += text.slice(rest, k);
      } else {
        k = i;
        while (k < n && !isNewline(k) && !atDelimiter(k)) k++;
        value = text.slice(i, k);
      }
      width++;
      if (fields.length < maxFields) fields.push(value);
      else if (!droppedText && value.trim() !== "") droppedText = true;
      if (k < n && atDelimiter(k)) {
        i = k + delimiter.length;
        continue;
      }
      i = skipNewline(k);
      break;
    }
    yield { fields, line: recordLine, width, droppedText };
  }
  return undefined;
}

/** Writes one record: a field is quoted when it holds the delimiter, a quote, a line break, or starts oddly. */
export function writeRecord(fields: readonly string[], delimiter: string, comment?: string): string {
  return fields
    .map((f) => {
      const needs =
        f.includes(delimiter) ||
        f.includes('"') ||
        f.includes("\n") ||
        f.includes("\r") ||
        /^\s|\s$/.test(f) ||
        (comment !== undefined && f.startsWith(comment));
      return needs ? `"${f.replace(/"/g, '""')}"` : f;
    })
    .join(delimiter);
}
