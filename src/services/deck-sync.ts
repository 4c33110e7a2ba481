import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { and, eq, isNull } from "drizzle-orm";
import { decodeDeckBytes } from "../core/decks/decode.ts";
import { type DeckMeta, type ParsedCard, parseDeck } from "../core/decks/parse.ts";
import { tx } from "../db/client.ts";
import { preparedOnce } from "../db/prepared.ts";
import { decks } from "../db/schema.ts";
import type { Deps } from "./deps.ts";

export const DECK_FILE_EXT = ".deck";

const statements = preparedOnce(
  {
    cardKeys: "SELECT key FROM cards WHERE deck_id = @deckId",
    // Every card in one statement over a JSON array (position = its index): a third less than a row at a time.
    upsertCards: `INSERT INTO cards (deck_id, key, position, front, back, tags, retired_at)
      SELECT @deckId, j.value ->> 'key', j.key, j.value ->> 'front', j.value ->> 'back', j.value -> 'tags', NULL
      FROM json_each(@cards) j WHERE true
      ON CONFLICT (deck_id, key) DO UPDATE SET position = excluded.position, front = excluded.front,
        back = excluded.back, tags = excluded.tags, retired_at = NULL`,
    retireMissing: `UPDATE cards SET retired_at = @now
      WHERE deck_id = @deckId AND retired_at IS NULL AND key NOT IN (SELECT value FROM json_each(@keys))`,
  },
  (key, stmt) => (key === "cardKeys" ? stmt.pluck() : stmt),
);

export interface SyncReport {
  loaded: { file: string; deckId: string; cards: number; added: number; retired: number }[];
  failed: { file: string; line: number; message: string }[];
}

/**
 * Loads every `*.deck` file of `dir` into the database, idempotently. Cards are matched by their stable key, so
 * an edited card keeps its schedule; a card gone from its file is retired (history kept); a malformed file is
 * reported with file and line and leaves its deck as it was.
 */
export function syncDeckDir(deps: Pick<Deps, "db" | "clock" | "log">, dir: string): SyncReport {
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
      for (const d of deps.db.select({ id: decks.id }).from(decks).where(eq(decks.filePath, path)).all())
        seenIds.add(d.id);
      continue;
    }
    if (seenIds.has(id)) {
      report.failed.push({ file: path, line: 1, message: `deck id '${id}' is used by another file` });
      continue;
    }
    // Imported decks share the id namespace: a file must never take over (and re-own) an imported deck.
    const owner = deps.db.select({ source: decks.source }).from(decks).where(eq(decks.id, id)).get();
    if (owner?.source === "import") {
      report.failed.push({ file: path, line: 1, message: `deck id '${id}' is taken by an imported deck` });
      deps.log.error({ file: path, deckId: id }, "deck file rejected: its id belongs to an imported deck");
      continue;
    }
    seenIds.add(id);
    const r = upsertDeck(deps, {
      id,
      name: parsed.meta.name ?? id,
      description: parsed.meta.description ?? "",
      filePath: path,
      cards: parsed.cards,
    });
    report.loaded.push({ file: path, deckId: id, cards: parsed.cards.length, ...r });
  }
  retireMissingFileDecks(deps, seenIds);
  return report;
}

/** Writes one deck and its cards in one transaction; returns how many cards were added and retired. */
export function upsertDeck(
  deps: Pick<Deps, "db" | "clock">,
  d: {
    id: string;
    name: string;
    description: string;
    filePath: string | null;
    cards: Pick<ParsedCard, "key" | "front" | "back" | "tags">[];
    source?: "file" | "import";
    guildId?: string | null;
    ownerId?: string | null;
  },
): { added: number; retired: number } {
  const { db } = deps;
  const now = deps.clock.now();
  return tx(db, () => {
    const deckRow = {
      id: d.id,
      name: d.name,
      description: d.description,
      source: d.source ?? "file",
      filePath: d.filePath,
      guildId: d.guildId ?? null,
      ownerId: d.ownerId ?? null,
      retiredAt: null,
      updatedAt: now,
    } as const;
    db.insert(decks).values(deckRow).onConflictDoUpdate({ target: decks.id, set: deckRow }).run();
    // Plain prepared statements: drizzle's builder cost ~0.2 ms a row, a second for a 5,000-card import, all of
    // it inside the transaction and on the event loop (other members' clicks waited).
    const st = statements(db);
    const existing = new Set(st.cardKeys.all({ deckId: d.id }) as string[]);
    const added = d.cards.filter((c) => !existing.has(c.key)).length;
    const rows = d.cards.map(({ key, front, back, tags }) => ({ key, front, back, tags }));
    st.upsertCards.run({ deckId: d.id, cards: JSON.stringify(rows) });
    const keys = JSON.stringify(d.cards.map((c) => c.key));
    const retired = st.retireMissing.run({ deckId: d.id, keys, now: now.getTime() }).changes;
    return { added, retired };
  });
}

function retireMissingFileDecks(deps: Pick<Deps, "db" | "clock">, keep: Set<string>): void {
  const fileDecks = deps.db
    .select({ id: decks.id })
    .from(decks)
    .where(and(eq(decks.source, "file"), isNull(decks.retiredAt)))
    .all();
  for (const d of fileDecks) {
    if (!keep.has(d.id))
      deps.db.update(decks).set({ retiredAt: deps.clock.now() }).where(eq(decks.id, d.id)).run();
  }
}
