/** `/deck export`: a visible deck's active cards as a file in the native, Anki or CSV format. */
import { EXPORT_EXTENSIONS, type ExportFormat, exportDeck } from "../core/decks/convert.ts";
import { UserError } from "../core/errors.ts";
import { deckWithCards } from "../db/decks.ts";
import { noSuchDeck } from "./decks.ts";
import type { Deps } from "./deps.ts";

/** Discord's smallest upload limit for a bot: larger exports are refused rather than failing at send. */
export const MAX_EXPORT_BYTES = 8 * 1024 * 1024;

export interface ExportedDeck {
  deckId: string;
  name: string;
  format: ExportFormat;
  fileName: string;
  bytes: Buffer;
  cards: number;
}

/**
 * Renders the deck's active cards (in deck order) and checks that the file reads back to the same cards
 * (convert.ts), so an export always imports again: keys included, which keeps progress on a re-import.
 */
export async function exportDeckFile(
  deps: Pick<Deps, "db" | "log">,
  userId: string,
  guildId: string | null,
  deckId: string,
  format: ExportFormat,
): Promise<ExportedDeck> {
  const found = await deckWithCards(deps.db, userId, guildId, deckId);
  if (!found) throw noSuchDeck(deckId);
  const { deck, cards: rows } = found;
  if (rows.length === 0) throw new UserError(`**${deck.name}** has no cards to export.`);
  const result = exportDeck(format, { id: deck.id, name: deck.name, description: deck.description }, rows);
  if (!result.ok) {
    deps.log.error(
      { deck: deck.id, format, errors: result.errors.slice(0, 3) },
      "deck export does not read back",
    );
    throw new Error(`export of ${deck.id} as ${format} failed its read-back check`);
  }
  const bytes = Buffer.from(result.text, "utf8");
  if (bytes.byteLength > MAX_EXPORT_BYTES) {
    throw new UserError(`**${deck.name}** is too large to attach as one file (${bytes.byteLength} bytes).`);
  }
  return {
    deckId: deck.id,
    name: deck.name,
    format,
    fileName: `${deck.id}${EXPORT_EXTENSIONS[format]}`,
    bytes,
    cards: rows.length,
  };
}
