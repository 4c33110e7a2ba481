/**
 * Conversion of a deck (parsed from any format, or read from the database) to the formats the bot writes:
 * native, Anki notes in plain text, and CSV. Every output is parsed back and must give the same cards (keys,
 * questions, answers, tags), or the conversion fails: what is exported imports back to the same deck.
 */
import { renderAnki } from "./anki.ts";
import { renderCsv } from "./csv.ts";
import { DECK_ID_PATTERN } from "./limits.ts";
import { renderNative } from "./native.ts";
import { type DeckIssue, type DeckMeta, type ParseResult, parseDeck } from "./parse.ts";
import { foldReverses, type NoteCard, unfoldReverses } from "./reverse.ts";
import { normalizeSide } from "./text.ts";

export type ConvertResult =
  | { ok: true; text: string; meta: Required<DeckMeta> }
  | { ok: false; errors: DeckIssue[] };

export type ExportFormat = "native" | "anki" | "csv";
export const EXPORT_FORMATS: readonly ExportFormat[] = ["native", "anki", "csv"];

/** File name extension per output format. */
export const EXPORT_EXTENSIONS: Record<ExportFormat, string> = {
  native: ".deck",
  anki: ".anki.txt",
  csv: ".csv",
};

/** A card to write; reverse cards (reverse.ts) are written as their card's option. */
type Card = NoteCard;

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

/** Writes cards in an output format (no check; see `exportDeck`). */
export function renderDeck(format: ExportFormat, meta: Required<DeckMeta>, cards: Card[]): string {
  if (format === "anki") return renderAnki(meta, cards);
  if (format === "csv") return renderCsv(cards);
  return renderNative(meta, cards);
}

/**
 * Renders cards in `format` and parses the output back. The native format keeps text exactly; Anki and CSV
 * imports normalise each side (text.ts `normalizeSide`: line ends, trailing spaces, outer whitespace), so the
 * read-back is compared with the normalised original.
 */
export function exportDeck(format: ExportFormat, meta: Required<DeckMeta>, cards: Card[]): ConvertResult {
  let text: string;
  try {
    text = renderDeck(format, meta, cards);
  } catch (error) {
    return {
      ok: false,
      errors: [{ line: 1, message: error instanceof Error ? error.message : String(error) }],
    };
  }
  const back = parseDeck(text, { format });
  if (back.errors.length > 0) return { ok: false, errors: back.errors };
  const norm = format === "native" ? (s: string) => s : normalizeSide;
  // A reverse card reads back right after its card, made from the card's text.
  const expected = unfoldReverses(foldReverses(cards));
  const mismatch = expected.findIndex((o, i) => {
    const c = back.cards[i];
    return (
      c === undefined ||
      c.key !== o.key ||
      c.front !== norm(o.front) ||
      c.back !== norm(o.back) ||
      c.tags.join(" ") !== o.tags.join(" ")
    );
  });
  if (mismatch !== -1 || back.cards.length !== expected.length) {
    const key = expected[mismatch]?.key;
    return {
      ok: false,
      errors: [
        {
          line: 1,
          message: `internal error: the ${format} output does not read back to the same cards${key === undefined ? "" : ` (card '${key}')`}`,
        },
      ],
    };
  }
  return { ok: true, text, meta };
}

/** Converts a parsed deck; refuses a deck with errors. `overrides` win over the parsed meta. */
export function convertDeck(
  parsed: ParseResult,
  to: ExportFormat,
  overrides: DeckMeta & { id: string },
): ConvertResult {
  if (parsed.errors.length > 0) return { ok: false, errors: parsed.errors };
  const meta: Required<DeckMeta> = {
    id: overrides.id,
    name: overrides.name ?? parsed.meta.name ?? overrides.id,
    description: overrides.description ?? parsed.meta.description ?? "",
  };
  return exportDeck(to, meta, parsed.cards);
}

/** Converts a parsed deck to the native format (see `convertDeck`). */
export function convertToNative(parsed: ParseResult, overrides: DeckMeta & { id: string }): ConvertResult {
  return convertDeck(parsed, "native", overrides);
}
