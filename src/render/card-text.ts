/**
 * Card text as Discord should show it: the markdown a deck means is kept, everything else Discord would read as
 * markdown is escaped, so `__init__()` shows as written instead of an underlined "init()".
 *
 * Meant (decks/FORMAT.md "Markdown in card text"): `**bold**`, `*italic*` (`***both***`), `` `code` ``, fenced
 * code blocks, list lines (`- x`, `* x`, `• x`, `1. x`) and bare links (their address as typed). Escaped: `_`, `~`, `|`, stray `*` and backticks,
 * `>` quotes, `#`/`-#` headings at a line's start, `[text](url)` masked links, and a backslash Discord would take
 * as an escape. Code spans and blocks are never touched: Discord shows them verbatim.
 */
import { CUT_MARKER } from "./limits.ts";

const FENCE = "```";
/** Every character any rule below looks at (`-#` needs a `#`). */
const MARKDOWN_CHARS = /[_~|`*\\[>#]/;

/** Card text escaped for an embed or a message, cut with the visible marker to at most `max` characters. */
export function cardText(text: string, max = Number.POSITIVE_INFINITY, marker: string = CUT_MARKER): string {
  const full = escapedWhole(text);
  if (full.length <= max) return full;
  // Escaping adds characters and a cut may end inside a code block (closed here), so the cut is searched on the
  // source: the longest prefix whose escaped form and the marker fit (a card side is at most 1,500 characters).
  let lo = 0;
  let hi = text.length;
  let best = marker;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const shown = escapeCardText(prefix(text, mid), true).trimEnd() + marker;
    if (shown.length <= max) {
      best = shown;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best.length <= max ? best : marker.slice(0, Math.max(0, max));
}

/**
 * Escaped whole texts, by text. The escaping is a pure function of the text, so a cached one is always right; a daily
 * tick renders the same decks' questions and answers for thousands of servers. Emptied when full (a bound, not an LRU).
 * Other processes: keyed by the text itself, so a card another process edits is a new key, never a stale entry.
 */
const ESCAPED = new Map<string, string>();
const ESCAPED_MAX = 4096;

function escapedWhole(text: string): string {
  let out = ESCAPED.get(text);
  if (out === undefined) {
    if (ESCAPED.size >= ESCAPED_MAX) ESCAPED.clear();
    out = escapeCardText(text, false);
    ESCAPED.set(text, out);
  }
  return out;
}

/** The first `n` UTF-16 units of `text`, not splitting a surrogate pair. */
function prefix(text: string, n: number): string {
  const last = text.charCodeAt(n - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? n - 1 : n);
}

/**
 * The escaping itself. `cut`: the text is a prefix of a card side, so a code block it opens and does not close
 * is closed (instead of its backticks being shown as typed).
 */
function escapeCardText(text: string, cut: boolean): string {
  if (!MARKDOWN_CHARS.test(text)) return text; // most answers: nothing to do
  let out = "";
  let from = 0; // start of the prose not yet escaped
  let i = 0;
  while (i < text.length) {
    if (text.charCodeAt(i) !== 0x60) {
      i++;
      continue;
    }
    const run = runLength(text, i, 0x60);
    const end = codeEnd(text, i, run);
    if (end === -1 && !(cut && run >= 3)) {
      i += run; // literal backticks: escaped with the prose around them
      continue;
    }
    // The backtick follows the prose: a backslash just before it must be escaped, or Discord escapes the backtick.
    out += escapeProse(text.slice(from, i), from === 0 || text[from - 1] === "\n", "`");
    if (end === -1) {
      const code = text.slice(i);
      return `${out}${code}${code.endsWith("\n") ? "" : "\n"}${FENCE}`;
    }
    out += text.slice(i, end);
    from = i = end;
  }
  return out + escapeProse(text.slice(from), from === 0 || text[from - 1] === "\n");
}

function runLength(text: string, at: number, code: number): number {
  let n = 0;
  while (text.charCodeAt(at + n) === code) n++;
  return n;
}

/**
 * Where the code span or block opened by the backtick run of length `run` at `at` ends (after its closing run),
 * or -1 when it is never closed (then Discord shows the backticks as typed). A run of 3 or more opens a block
 * closed by the next ```; a shorter one a span closed by the next run of the same length.
 */
function codeEnd(text: string, at: number, run: number): number {
  if (run >= 3) {
    const close = text.indexOf(FENCE, at + run);
    return close === -1 ? -1 : close + FENCE.length;
  }
  let k = at + run;
  while (k < text.length) {
    const next = text.indexOf("`", k);
    if (next === -1) return -1;
    const n = runLength(text, next, 0x60);
    if (n === run && next > at + run) return next + n;
    k = next + n;
  }
  return -1;
}

/**
 * Prose (no code): each line, with its line-start syntax when it starts a line. `next`: the character shown right
 * after this prose (a code span's backtick), which decides whether a trailing backslash is an escape.
 */
function escapeProse(text: string, atLineStart: boolean, next?: string): string {
  if (text === "") return "";
  const lines = text.split("\n");
  const last = lines.length - 1;
  return lines
    .map((line, k) => escapeLine(line, atLineStart || k > 0, k === last ? next : undefined))
    .join("\n");
}

/** A list marker the deck means (kept), after the line's indentation. */
const LIST_MARKER = /^(?:[-*+•◦▪‣●–]|\d{1,9}[.)])[ \t]/;

function escapeLine(line: string, atLineStart: boolean, next?: string): string {
  if (!atLineStart) return escapeInline(line, next);
  const indent = /^[ \t]*/.exec(line)?.[0] ?? "";
  const rest = line.slice(indent.length);
  const marker = LIST_MARKER.exec(rest)?.[0];
  if (marker) return indent + marker + escapeInline(rest.slice(marker.length), next);
  // Quotes (`> `, `>>> `), headings (`# `…`### `) and subtext (`-# `) only exist at a line's start.
  if (/^(?:>|#{1,3}[ \t]|-#[ \t])/.test(rest))
    return `${indent}\\${rest[0]}${escapeInline(rest.slice(1), next)}`;
  return indent + escapeInline(rest, next);
}

const ALWAYS = new Set(["_", "~", "|", "`"]);
const isSpace = (c: string | undefined) => c === undefined || /\s/u.test(c);
const isWordChar = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}]/u.test(c);

/**
 * A bare link as Discord finds it (its rule runs before emphasis, so `_` or `*` in it are the address): shown as
 * typed, since a backslash added there would become part of the address and break the link.
 */
const BARE_URL = /(?:https?|steam):\/\/[^\s<]+[^<.,:;"')\]\s]/g;

/** One line of prose after its line-start syntax; `next` is the character shown after it, if any. */
function escapeInline(line: string, next?: string): string {
  const keep = line.includes("*") ? keptStars(line) : null;
  const links = line.includes("://") ? [...line.matchAll(BARE_URL)] : [];
  let out = "";
  for (let i = 0; i < line.length; i++) {
    const link = links.find((m) => m.index === i);
    if (link) {
      out += link[0];
      i += link[0].length - 1;
      continue;
    }
    const c = line[i] as string;
    if (ALWAYS.has(c)) out += `\\${c}`;
    else if (c === "*") out += keep?.has(i) ? c : "\\*";
    else if (c === "\\") out += needsNoEscape(i + 1 < line.length ? line[i + 1] : next) ? c : "\\\\";
    else if (c === "[" && maskedLinkAt(line, i)) out += "\\[";
    else out += c;
  }
  return out;
}

const MASKED_LINK = /\[[^\]]*\]\(/y;
const maskedLinkAt = (line: string, at: number) => {
  MASKED_LINK.lastIndex = at;
  return MASKED_LINK.test(line);
};

/** Discord takes a backslash before punctuation as an escape; before a letter, digit or space it is shown. */
const needsNoEscape = (next: string | undefined) => next === undefined || /[\p{L}\p{N}\s]/u.test(next);

/**
 * The positions of the `*` that make emphasis the deck means: runs of 1–3 stars that pair with a later run of
 * the same length, the opening one before a non-space and the closing one after a non-space. A single `*`
 * between letters or digits (`2*3*4`, `a*b`) is a star, not italics.
 */
function keptStars(line: string): Set<number> {
  const keep = new Set<number>();
  const open: { at: number; n: number }[] = [];
  for (let i = 0; i < line.length; ) {
    if (line[i] !== "*") {
      i++;
      continue;
    }
    const n = runLength(line, i, 0x2a);
    const before = line[i - 1];
    const after = line[i + n];
    const intraword = n === 1;
    const canOpen = n <= 3 && !isSpace(after) && !(intraword && isWordChar(before));
    const canClose = n <= 3 && !isSpace(before) && !(intraword && isWordChar(after));
    let match = canClose ? open.length - 1 : -1;
    while (match >= 0 && open[match]?.n !== n) match--;
    if (match !== -1) {
      const o = open[match] as { at: number; n: number };
      for (let k = 0; k < n; k++) keep.add(o.at + k).add(i + k);
      open.length = match;
    } else if (canOpen) open.push({ at: i, n });
    i += n;
  }
  return keep;
}
