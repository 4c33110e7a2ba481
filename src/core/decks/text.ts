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
