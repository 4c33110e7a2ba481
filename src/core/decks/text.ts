/** Small text helpers shared by the deck parsers. */

/** Splits text into lines: a leading BOM is dropped and CRLF, CR and LF all end a line. */
export function splitLines(text: string): string[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return body.split(/\r\n|\r|\n/);
}

/** True for an empty or whitespace-only line. */
export function isBlank(line: string): boolean {
  return line.trim() === "";
}

/** Length in Unicode code points (what a person counts as characters, and how Discord measures). */
export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** Removes blank lines at the start and the end of a list of lines. */
export function trimBlankLines(lines: string[]): string[] {
  let start = 0;
  let end = lines.length;
  while (start < end && isBlank(lines[start] ?? "")) start++;
  while (end > start && isBlank(lines[end - 1] ?? "")) end--;
  return lines.slice(start, end);
}

/** Shortens text for quoting in an error message. */
export function quote(text: string, max = 40): string {
  const t = [...text];
  return `'${t.length > max ? `${t.slice(0, max).join("")}…` : text}'`;
}

/**
 * The clean-up every imported side gets (CSV, TSV, Anki): line breaks become LF, trailing whitespace on each
 * line goes, and the whole side is trimmed. Idempotent.
 */
export function normalizeSide(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((l) => l.trimEnd())
    .join("\n")
    .trim();
}

/** 1-based line of a character offset in `text` (LF, CRLF and CR each end a line). */
export function lineOfOffset(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a || (c === 0x0d && text.charCodeAt(i + 1) !== 0x0a)) line++;
  }
  return line;
}

/** Two questions count as duplicates when they are equal after trimming and collapsing whitespace. */
export function questionFingerprint(front: string): string {
  return front.trim().replace(/\s+/g, " ");
}

/**
 * Wraps bare http(s) links in `<…>` (inside markdown links too: `[t](<u>)`), which Discord shows as links
 * without a preview. For text quoted in plain message content; embeds never preview links.
 */
export function suppressLinkPreviews(text: string): string {
  return text.replace(/(^|[^<])\b(https?:\/\/[^\s<>()]+(?:\([^\s<>()]*\)[^\s<>()]*)*)/gi, "$1<$2>");
}
