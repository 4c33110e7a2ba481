/** Conversion of a parsed deck (any format) to the native format, checked by parsing the output back. */
import { DECK_ID_PATTERN } from "./limits.ts";
import { type DeckIssue, type DeckMeta, type ParseResult, parseDeck, renderNative } from "./parse.ts";

export type ConvertResult =
  | { ok: true; text: string; meta: Required<DeckMeta> }
  | { ok: false; errors: DeckIssue[] };

/** A deck id from a file name: "pytorch-flashcards.brainscape.txt" → "pytorch-flashcards". */
export function deckIdFromFileName(fileName: string): string {
  const base = (fileName.split(/[\\/]/).pop() ?? "").split(".")[0] ?? "";
  const id = base
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+/, "")
    .slice(0, 40)
    .replace(/-+$/, "");
  return DECK_ID_PATTERN.test(id) ? id : "deck";
}

/**
 * Renders a parsed deck as a native deck. Refuses a deck with errors; `overrides` win over the parsed meta.
 * The output is parsed back and must give the same cards and meta, or the conversion fails.
 */
export function convertToNative(parsed: ParseResult, overrides: DeckMeta & { id: string }): ConvertResult {
  if (parsed.errors.length > 0) return { ok: false, errors: parsed.errors };
  const meta: Required<DeckMeta> = {
    id: overrides.id,
    name: overrides.name ?? parsed.meta.name ?? overrides.id,
    description: overrides.description ?? parsed.meta.description ?? "",
  };
  const text = renderNative(meta, parsed.cards);
  const back = parseDeck(text, { format: "native" });
  if (back.errors.length > 0) return { ok: false, errors: back.errors };
  const same =
    back.cards.length === parsed.cards.length &&
    back.cards.every((c, i) => {
      const o = parsed.cards[i];
      return (
        o !== undefined &&
        c.key === o.key &&
        c.front === o.front &&
        c.back === o.back &&
        c.tags.join(" ") === o.tags.join(" ")
      );
    });
  if (!same)
    return {
      ok: false,
      errors: [
        { line: 1, message: "internal error: the native output does not read back to the same cards" },
      ],
    };
  return { ok: true, text, meta };
}
