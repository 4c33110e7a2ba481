/**
 * Delimiter-separated records as RFC 4180 defines them (CSV, and Anki's plain-text export with any separator),
 * read with csv-parse and written with csv-stringify: a field holding the separator, a quote or a line break is
 * enclosed in double quotes, and a quote inside such a field is written twice (`""`). Records end at LF, CRLF or
 * CR outside quotes.
 *
 * Reading is lenient where the intent is clear and strict where it is not:
 * - blank (whitespace-only) lines are skipped, a leading BOM is ignored;
 * - spaces before an opening quote are ignored (`a, "b, c"` is two fields; csv-parse's `ltrim`, so in such a
 *   piece an unquoted field loses its leading spaces too, which every reader trims anyway); with a blank
 *   separator (tab, space) nothing is trimmed;
 * - a quote inside an unquoted field, or text after a closing quote, is kept as written (`relax_quotes`);
 * - a quoted field that is never closed is an error naming the line where it opened (nothing after it could be
 *   read reliably).
 *
 * Memory stays bounded however the file looks: the text is parsed in pieces of about CHUNK_BYTES (cut after a
 * line break; a piece that ends inside a quoted field is read on from its last whole record), and
 * past `maxFields` the rest of a record is one field that is only counted (`ignore_last_delimiters`).
 */
import { CsvError, type InfoRecord, type Options, parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
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

/** Bytes parsed at once: a few hundred records, so a reader pausing between records pauses often. */
const CHUNK_BYTES = 64 * 1024;
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

const UNCLOSED =
  'a field opened with a double quote (") here is never closed: close it, or write a quote inside a quoted field as two quotes ("")';

/**
 * The records of `text`, one at a time, so a reader that only counts past a limit holds one piece at once.
 * Returns the error of a quoted field never closed (nothing after it is read).
 */
export function* delimitedRecords(
  text: string,
  opts: ReadOptions,
): Generator<DelimitedRecord, DeckIssue | undefined, void> {
  const { delimiter, comment } = opts;
  const maxFields = opts.maxFields ?? Number.POSITIVE_INFINITY;
  const blankDelimiter = /^[ \t]+$/.test(delimiter);
  const reader: Reader = {
    delimiter,
    maxFields,
    blankDelimiter,
    options: {
      delimiter,
      relax_quotes: true,
      relax_column_count: true,
      skip_empty_lines: true,
      ...(comment !== undefined && { comment, comment_no_infix: true }),
      ...(Number.isFinite(maxFields) && { ignore_last_delimiters: maxFields + 1 }),
    },
  };
  const buf = Buffer.from(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, "utf8");

  let start = 0;
  let line = opts.firstLine ?? 1;
  let size = CHUNK_BYTES;
  while (start < buf.length) {
    const end = cutAfterLineBreak(buf, start + size);
    const piece = readPiece(buf.subarray(start, end), line, reader);
    yield* piece.records;
    if (piece.unclosed && end === buf.length) {
      const opened = openingQuote(buf, start + piece.bytes);
      return { line: line + lineBreaksIn(buf.subarray(start, opened)), message: UNCLOSED };
    }
    // A piece cut inside a quoted field is read on from its last whole record (twice as far when there was none).
    const next = piece.unclosed ? start + piece.bytes : end;
    size = next === start ? size * 2 : CHUNK_BYTES;
    line += lineBreaksIn(buf.subarray(start, next));
    start = next;
  }
  return undefined;
}

interface Reader {
  delimiter: string;
  maxFields: number;
  blankDelimiter: boolean;
  options: Options;
}

interface Piece {
  records: DelimitedRecord[];
  /** Whether the piece ends inside a quoted field (`records` are then those before it)... */
  unclosed: boolean;
  /** ...and the bytes they take. */
  bytes: number;
}

/**
 * The records of a piece of whole lines starting on `firstLine`. The fast path counts lines from the records
 * (each spans one line plus the line breaks inside its fields), which holds when csv-parse skipped no line
 * (blank, comment) and no quoted field is left open; otherwise the piece is read again with `on_record`, whose
 * info (two object copies a record, so not by default) says where each record ends.
 */
function readPiece(piece: Buffer, firstLine: number, reader: Reader): Piece {
  const { delimiter, maxFields, blankDelimiter } = reader;
  // Each costs csv-parse a test per byte, so a piece pays only for what it holds: `ltrim` (for the spaces before
  // an opening quote) where a blank stands before a quote, the three line ends where there is a CR.
  const options: Options = {
    ...reader.options,
    ltrim: !blankDelimiter && (piece.includes(' "') || piece.includes('\t"')),
    record_delimiter: piece.includes(CR) ? ["\r\n", "\n", "\r"] : "\n",
  };
  try {
    const records: DelimitedRecord[] = [];
    let line = firstLine;
    let exact = true;
    for (const fields of parse(piece, options)) {
      // Maybe a line of spaces: only its bytes tell it from a quoted field of spaces.
      if (mayBeBlankLine(fields, blankDelimiter)) {
        exact = false;
        break;
      }
      const breaks = breaksInFields(fields);
      records.push(toRecord(fields, line, delimiter, maxFields));
      line += 1 + breaks;
    }
    const last = piece[piece.length - 1];
    const spanned = records.length === 0 ? 0 : line - firstLine - (last === LF || last === CR ? 0 : 1);
    if (exact && spanned === lineBreaksIn(piece)) return { records, unclosed: false, bytes: piece.length };
  } catch (error) {
    if (!isUnclosedQuote(error)) throw error;
  }
  const records: DelimitedRecord[] = [];
  let line = firstLine;
  let bytes = 0;
  const onRecord = (fields: string[], info: InfoRecord): null => {
    const end = info.bytes;
    const text = piece.subarray(bytes, end);
    const breaks = lineBreaksIn(text);
    const own = (piece[end - 1] === LF || piece[end - 1] === CR ? 1 : 0) + breaksInFields(fields);
    // A line of spaces is a blank line (with `ltrim` csv-parse skips it itself).
    if (!(mayBeBlankLine(fields, blankDelimiter) && isBlankLine(text)))
      records.push(toRecord(fields, line + breaks - own, delimiter, maxFields));
    line += breaks;
    bytes = end;
    return null;
  };
  try {
    parse(piece, { ...options, on_record: onRecord });
    return { records, unclosed: false, bytes };
  } catch (error) {
    if (!isUnclosedQuote(error)) throw error;
    return { records, unclosed: true, bytes };
  }
}

const isBlank = (field: string): boolean => /^[ \t]*$/.test(field);

/** A record that may be a line of spaces (skipped): blank fields, and one of them unless the separator is blank. */
const mayBeBlankLine = (fields: string[], blankDelimiter: boolean): boolean =>
  (blankDelimiter || fields.length === 1) && fields.every(isBlank);

function isUnclosedQuote(error: unknown): boolean {
  return error instanceof CsvError && error.code === "CSV_QUOTE_NOT_CLOSED";
}

function breaksInFields(fields: string[]): number {
  let n = 0;
  for (const f of fields) if (f.includes("\n") || f.includes("\r")) n += lineBreaks(f);
  return n;
}

/** Our record from csv-parse's: past `maxFields` the last field is the rest of the line, only counted. */
function toRecord(fields: string[], line: number, delimiter: string, maxFields: number): DelimitedRecord {
  if (fields.length <= maxFields) return { fields, line, width: fields.length, droppedText: false };
  const rest = fields.pop() ?? "";
  let width = fields.length + 1;
  for (let at = rest.indexOf(delimiter); at !== -1; at = rest.indexOf(delimiter, at + delimiter.length))
    width++;
  const droppedText = /[^\s"]/.test(rest.replaceAll(delimiter, ""));
  return { fields, line, width, droppedText };
}

function lineBreaks(s: string): number {
  let n = 0;
  for (let k = s.indexOf("\n"); k !== -1; k = s.indexOf("\n", k + 1)) n++;
  if (!s.includes("\r")) return n;
  return s.match(/\r\n|\r|\n/g)?.length ?? 0;
}

/** The first byte of the line after `from` (or the end): pieces are cut only at line ends. */
function cutAfterLineBreak(buf: Buffer, from: number): number {
  for (let k = from; k < buf.length; k++) {
    const c = buf[k];
    if (c === LF) return k + 1;
    if (c === CR) return buf[k + 1] === LF ? k + 2 : k + 1;
  }
  return buf.length;
}

/** Whether the last line of some bytes (a record of blank fields, after what was skipped) is only blanks. */
function isBlankLine(bytes: Buffer): boolean {
  let k = bytes.length - 1;
  while (k >= 0 && (bytes[k] === LF || bytes[k] === CR)) k--;
  for (; k >= 0 && bytes[k] !== LF && bytes[k] !== CR; k--)
    if (bytes[k] !== 0x20 && bytes[k] !== 0x09) return false;
  return true;
}

/**
 * Where the quoted field that is never closed opens, given where the last whole record ended: the field runs
 * to the end of the text, and inside it quotes only come in pairs (`""`), so its opening quote is the first of
 * the last run of quotes of odd length.
 */
function openingQuote(buf: Buffer, after: number): number {
  let k = buf.length - 1;
  while (k >= after) {
    if (buf[k] !== QUOTE) {
      k--;
      continue;
    }
    let first = k;
    while (first - 1 >= after && buf[first - 1] === QUOTE) first--;
    if ((k - first + 1) % 2 === 1) return first;
    k = first - 1;
  }
  return after;
}

/** Line breaks (LF, CRLF, CR) in some bytes. */
function lineBreaksIn(bytes: Buffer): number {
  let n = 0;
  for (let k = bytes.indexOf(LF); k !== -1; k = bytes.indexOf(LF, k + 1)) n++;
  for (let k = bytes.indexOf(CR); k !== -1; k = bytes.indexOf(CR, k + 1)) if (bytes[k + 1] !== LF) n++;
  return n;
}

/** Writes one record: a field is quoted when it holds the delimiter, a quote, a line break, or starts oddly. */
export function writeRecord(fields: readonly string[], delimiter: string, comment?: string): string {
  const oddStart = comment === undefined ? [/^\s|\s$/] : [/^\s|\s$/, new RegExp(`^${escapeRegExp(comment)}`)];
  return stringify([[...fields]], { delimiter, quoted_match: oddStart, eof: false });
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
