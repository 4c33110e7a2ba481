/**
 * `/deck export`: a visible deck's active cards as a file in the native, Anki or CSV format, or as an Anki package
 * with its images (anki-package/write.ts).
 */
import { EXPORT_EXTENSIONS, EXPORT_FORMATS, type ExportFormat, exportDeck } from "../core/decks/convert.ts";
import { UserError } from "../core/errors.ts";
import { deckImages } from "../db/deck-media.ts";
import { deckWithCards } from "../db/decks.ts";
import { parsePackage } from "./anki-package/read.ts";
import { ankiPackage } from "./anki-package/write.ts";
import { noSuchDeck } from "./decks.ts";
import type { Deps } from "./deps.ts";

/** Discord's smallest upload limit for a bot: larger exports are refused rather than failing at send. */
export const MAX_EXPORT_BYTES = 8 * 1024 * 1024;

/** The text formats, and an Anki package (the one that carries images). */
export type DeckExportFormat = ExportFormat | "apkg";
export const DECK_EXPORT_FORMATS: readonly DeckExportFormat[] = [...EXPORT_FORMATS, "apkg"];

export interface ExportedDeck {
  deckId: string;
  name: string;
  format: DeckExportFormat;
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
  format: DeckExportFormat,
  now: Date = new Date(),
): Promise<ExportedDeck> {
  const found = await deckWithCards(deps.db, userId, guildId, deckId);
  if (!found) throw noSuchDeck(deckId);
  const { deck, cards: rows } = found;
  if (rows.length === 0) throw new UserError(`**${deck.name}** has no cards to export.`);
  if (format === "apkg") {
    const images = await deckImages(deps.db, deck.id);
    const bytes = ankiPackage(deck.name, rows, images, now);
    // A name the deck has no image of is left out of the package (write.ts): so it is of the check.
    const have = new Set(images.map((m) => m.name));
    const present = (name: string | null) => (name !== null && have.has(name) ? name : null);
    checkPackage(
      deps,
      deck.id,
      bytes,
      rows.map((r) => ({ ...r, frontImage: present(r.frontImage), backImage: present(r.backImage) })),
    );
    if (bytes.byteLength > MAX_EXPORT_BYTES)
      throw new UserError(
        `**${deck.name}** with its images is too large to attach as one file (${bytes.byteLength} bytes).`,
      );
    return {
      deckId: deck.id,
      name: deck.name,
      format,
      fileName: `${deck.id}.apkg`,
      bytes,
      cards: rows.length,
    };
  }
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

/** The package reads back to the same cards (keys, text, images): else it is a bug, not the member's to fix. */
function checkPackage(
  deps: Pick<Deps, "log">,
  deckId: string,
  bytes: Buffer,
  rows: { key: string; front: string; back: string; frontImage: string | null; backImage: string | null }[],
): void {
  const read = parsePackage(bytes);
  const got = read.cards.map((c) => [c.key, c.front, c.back, c.frontImage ?? null, c.backImage ?? null]);
  const want = rows.map((c) => [c.key, c.front, c.back, c.frontImage, c.backImage]);
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    deps.log.error(
      { deck: deckId, got: got.slice(0, 3), want: want.slice(0, 3) },
      "package export does not read back",
    );
    throw new Error(`export of ${deckId} as an Anki package failed its read-back check`);
  }
}
