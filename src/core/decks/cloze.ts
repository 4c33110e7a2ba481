/**
 * Anki's cloze deletions (`{{c1::Paris::capital}}`): the numbers a text holds, and for one number the question (its
 * deletions as `[…]`, or `[hint]`) and the answer (the whole text with them in bold). Shared by the plain-text
 * import (anki.ts) and the package import (src/services/anki-package).
 */

export const CLOZE = /\{\{c(\d+)::([\s\S]*?)(?:::([\s\S]*?))?\}\}/g;

/**
 * The part of a field that can hold cloze deletions: up to its last `}}`. Searching only there keeps a field
 * full of unclosed `{{c1::` linear (each failed match would otherwise scan to the end of the field).
 */
function clozeSpan(text: string): number {
  const end = text.lastIndexOf("}}");
  return end === -1 ? 0 : end + 2;
}

export function clozeNumbers(text: string): number[] {
  const seen = new Set<number>();
  for (const m of text.slice(0, clozeSpan(text)).matchAll(CLOZE)) seen.add(Number(m[1]));
  return [...seen].filter((k) => Number.isSafeInteger(k)).sort((a, b) => a - b);
}

/** The question and answer for cloze number `k`, still in the field's markup (HTML or plain). */
export function clozeSides(full: string, k: number, html: boolean): { question: string; answer: string } {
  const span = clozeSpan(full);
  const text = full.slice(0, span);
  const rest = full.slice(span);
  const question = text.replace(CLOZE, (_m, num: string, body: string, hint: string | undefined) =>
    Number(num) === k ? `[${hint !== undefined && hint.trim() !== "" ? hint : "…"}]` : body,
  );
  const answer = text.replace(CLOZE, (_m, num: string, body: string) =>
    Number(num) === k ? (html ? `<b>${body}</b>` : `**${body}**`) : body,
  );
  return { question: question + rest, answer: answer + rest };
}
