/** The shipped decks: every `*.deck` file of decks/ loaded into the database at start (and by `npm run deck`). */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { decodeDeckBytes } from "../core/decks/decode.ts";
import { type DeckMeta, parseDeck } from "../core/decks/parse.ts";
import {
  type DeckInput,
  type DeckWrite,
  deckIdsOfFile,
  retireFileDecksExcept,
  saveDeck,
  syncDeckFile,
} from "../db/deck-cards.ts";
import type { Deps } from "./deps.ts";

export const DECK_FILE_EXT = ".deck";

export interface SyncReport {
  loaded: { file: string; deckId: string; cards: number; added: number; retired: number }[];
  failed: { file: string; line: number; message: string }[];
}

/**
 * Loads every `*.deck` file of `dir` into the database, idempotently. Cards are matched by their stable key, so
 * an edited card keeps its schedule; a card gone from its file is retired (history kept); a malformed file is
 * reported with file and line and leaves its deck as it was.
 */
export async function syncDeckDir(
  deps: Pick<Deps, "db" | "clock" | "log">,
  dir: string,
): Promise<SyncReport> {
  const report: SyncReport = { loaded: [], failed: [] };
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => f.endsWith(DECK_FILE_EXT))
      .sort();
  } catch (err) {
    deps.log.warn({ dir, err: String(err) }, "decks folder not readable; no shipped decks loaded");
    return report;
  }
  const seenIds = new Set<string>();
  for (const file of files) {
    const path = join(dir, file);
    const decoded = decodeDeckBytes(readFileSync(path));
    const parsed = decoded.ok
      ? parseDeck(decoded.text, { format: "native" })
      : { meta: {} as DeckMeta, cards: [], errors: [{ line: 1, message: decoded.reason }] };
    const id = parsed.meta.id;
    const problem = parsed.errors[0] ?? (!id ? { line: 1, message: "missing deck id" } : undefined);
    if (problem || !id) {
      const p = problem ?? { line: 1, message: "missing deck id" };
      report.failed.push({ file: path, ...p });
      deps.log.error(
        { file: path, line: p.line, problem: p.message },
        "deck file rejected; other decks unaffected",
      );
      // A broken file must not retire its deck, even when its id line is what broke.
      if (id) seenIds.add(id);
      for (const deckId of await deckIdsOfFile(deps.db, path)) seenIds.add(deckId);
      continue;
    }
    if (seenIds.has(id)) {
      report.failed.push({ file: path, line: 1, message: `deck id '${id}' is used by another file` });
      continue;
    }
    const r = await syncDeckFile(
      deps.db,
      {
        id,
        name: parsed.meta.name ?? id,
        description: parsed.meta.description ?? "",
        filePath: path,
        cards: parsed.cards,
      },
      deps.clock.now(),
    );
    // Imported decks share the id namespace: a file must never take over (and re-own) an imported deck.
    if (r === "taken by an import") {
      report.failed.push({ file: path, line: 1, message: `deck id '${id}' is taken by an imported deck` });
      deps.log.error({ file: path, deckId: id }, "deck file rejected: its id belongs to an imported deck");
      continue;
    }
    seenIds.add(id);
    report.loaded.push({ file: path, deckId: id, cards: parsed.cards.length, ...r });
  }
  await retireFileDecksExcept(deps.db, seenIds, deps.clock.now());
  return report;
}

/** Writes one deck and its cards in one transaction; returns how many cards were added and retired. */
export async function upsertDeck(deps: Pick<Deps, "db" | "clock">, d: DeckInput): Promise<DeckWrite> {
  return saveDeck(deps.db, d, deps.clock.now());
}
