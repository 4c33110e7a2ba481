/**
 * The header of an Anki "Notes in Plain Text" file: the `#key:value` lines at the top (keys and meaning in
 * anki.ts's opening comment), the separator names, and the separator guess when no `#separator:` line is given.
 */
import { quote } from "./text.ts";
import type { DeckIssue } from "./types.ts";

export const ANKI_SEPARATORS: Record<string, string> = {
  tab: "\t",
  comma: ",",
  semicolon: ";",
  pipe: "|",
  colon: ":",
  space: " ",
};

/** "tab", "comma", … for a separator character, or the character quoted. */
export function separatorName(sep: string): string {
  const name = Object.entries(ANKI_SEPARATORS).find(([, c]) => c === sep)?.[0];
  return name ?? quote(sep);
}

const HEADER_KEYS = [
  "separator",
  "html",
  "tags",
  "columns",
  "deck",
  "notetype",
  "guid column",
  "tags column",
  "deck column",
  "notetype column",
] as const;

/** True when the first line is an Anki header line (`#separator:`, `#html:`, `#tags column:`, …). */
export function ankiLooksLike(firstLine: string): boolean {
  const m = /^#([^:]*):/.exec(firstLine);
  return m !== null && (HEADER_KEYS as readonly string[]).includes((m[1] ?? "").trim().toLowerCase());
}

export interface Header {
  separator?: string;
  html?: boolean;
  tags: string[];
  columns?: { value: string; line: number };
  deck?: string;
  notetype?: string;
  guid?: number;
  tagsColumn?: number;
  deckColumn?: number;
  notetypeColumn?: number;
  /** Index in the text where the records start, and its line. */
  bodyStart: number;
  bodyLine: number;
  lastHeaderLine: number;
}

export const splitTags = (s: string): string[] => s.split(/\s+/).filter((t) => t !== "");

/** Reads the header lines at the top (and the old first line `tags:a b`); records start after them. */
export function readHeader(text: string, errors: DeckIssue[], warnings: DeckIssue[]): Header {
  const header: Header = { tags: [], bodyStart: 0, bodyLine: 1, lastHeaderLine: 0 };
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let first = true;
  while (pos < text.length) {
    const m = /\r\n|\r|\n/.exec(text.slice(pos, pos + 65_536));
    const end = m === null ? Math.min(text.length, pos + 65_536) : pos + m.index;
    const next = m === null ? end : end + m[0].length;
    const raw = text.slice(pos, end);
    if (first && raw.startsWith("tags:")) {
      header.tags.push(...splitTags(raw.slice(5)));
    } else if (raw.startsWith("#")) {
      const colon = raw.indexOf(":");
      if (colon !== -1)
        readHeaderLine(header, raw.slice(1, colon), raw.slice(colon + 1), line, errors, warnings);
    } else {
      break;
    }
    header.lastHeaderLine = line;
    first = false;
    pos = next;
    line++;
  }
  header.bodyStart = pos;
  header.bodyLine = line;
  return header;
}

function readHeaderLine(
  header: Header,
  rawKey: string,
  value: string,
  line: number,
  errors: DeckIssue[],
  warnings: DeckIssue[],
): void {
  const key = rawKey.trim().toLowerCase();
  const column = (): number | undefined => {
    const n = Number(value.trim());
    if (/^\d+$/.test(value.trim()) && n >= 1 && n <= 1000) return n;
    errors.push({
      line,
      message: `'#${rawKey}:' needs a column number (1 for the first column), found ${quote(value)}`,
    });
    return undefined;
  };
  switch (key) {
    case "separator": {
      const name = value.trim().toLowerCase();
      const named = Object.hasOwn(ANKI_SEPARATORS, name) ? ANKI_SEPARATORS[name] : undefined;
      if (named !== undefined) header.separator = named;
      else if ([...value].length === 1 && value !== '"' && value !== "\r") header.separator = value;
      else
        errors.push({
          line,
          message: `unknown separator ${quote(value)}: use Tab, Comma, Semicolon, Pipe, Colon, Space, or the one character itself (e.g. '#separator:,')`,
        });
      return;
    }
    case "html": {
      const v = value.trim().toLowerCase();
      if (v === "true" || v === "false") header.html = v === "true";
      else
        warnings.push({
          line,
          message: `'#html:' is true or false, found ${quote(value)}; HTML is detected instead`,
        });
      return;
    }
    case "tags":
      header.tags.push(...splitTags(value));
      return;
    case "columns":
      header.columns = { value, line };
      return;
    case "deck":
      header.deck = value.trim();
      return;
    case "notetype":
      header.notetype = value.trim();
      return;
    case "guid column":
      header.guid = column();
      return;
    case "tags column":
      header.tagsColumn = column();
      return;
    case "deck column":
      header.deckColumn = column();
      return;
    case "notetype column":
      header.notetypeColumn = column();
      return;
    default:
      // Anki reads any other `#…` line as a comment.
      return;
  }
}

/** Without a `#separator:` line: the first of tab, semicolon, comma, pipe, colon found in the first lines. */
export function guessSeparator(body: string): string {
  const sample = body.slice(0, 8192);
  for (const c of ["\t", ";", ",", "|", ":"]) if (sample.includes(c)) return c;
  return "\t";
}
