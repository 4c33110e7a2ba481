/**
 * Writes of a deck and its cards: a deck file's sync (decks/) and an import (deck-imports.ts) both end in
 * `writeDeck`. Cards are matched by their stable key, so an edited card keeps its schedule; a card gone from
 * the file is retired (its history kept).
 */
import { and, count, eq, isNull, sql } from "drizzle-orm";
import { type Db, tx } from "./client.ts";
import { perConnection } from "./prepared.ts";
import { cards, decks } from "./schema.ts";

/** A card as a deck file or an import gives it. */
export interface CardInput {
  key: string;
  front: string;
  back: string;
  tags: string[];
}

export interface DeckInput {
  id: string;
  name: string;
  description: string;
  filePath: string | null;
  cards: CardInput[];
  source?: "file" | "import";
  guildId?: string | null;
  ownerId?: string | null;
}

/** How many cards a write added (keys the deck never had) and retired. */
export interface DeckWrite {
  added: number;
  retired: number;
}

const deckId = sql.placeholder("deckId");

// Prepared once: drizzle's unprepared builder cost ~0.2 ms a row, a second for a 5,000-card import, all of it
// inside the transaction and on the event loop (other members' clicks waited).
const statements = perConnection((db) => ({
  // Keys the deck has never had, counted in SQL: a 5,000-card deck's keys read back as rows cost more.
  // json_each is a table-valued function the builder cannot name.
  newKeys: db
    .select({ n: count() })
    .from(sql`json_each(${sql.placeholder("keys")})`)
    .where(sql`value not in (select ${cards.key} from ${cards} where ${cards.deckId} = ${deckId})`)
    .prepare(),
  // Every card in one statement over a JSON array (position = its index): a third less than a row at a time.
  // json_each is a table-valued function the builder cannot name; `where true` lets SQLite parse the upsert.
  upsertCards: db
    .insert(cards)
    .select(
      sql`select null, ${deckId}, j.value ->> 'key', j.key, j.value ->> 'front', j.value ->> 'back',
        j.value -> 'tags', null from json_each(${sql.placeholder("cards")}) j where true`,
    )
    .onConflictDoUpdate({
      target: [cards.deckId, cards.key],
      set: {
        position: sql`excluded.position`,
        front: sql`excluded.front`,
        back: sql`excluded.back`,
        tags: sql`excluded.tags`,
        retiredAt: null,
      },
    })
    .prepare(),
  retireMissing: db
    .update(cards)
    .set({ retiredAt: sql`${sql.placeholder("now")}` })
    .where(
      and(
        eq(cards.deckId, deckId),
        isNull(cards.retiredAt),
        sql`${cards.key} not in (select value from json_each(${sql.placeholder("keys")}))`,
      ),
    )
    .prepare(),
}));

/** Writes one deck and its cards; synchronous, inside a unit of work's transaction. */
export function writeDeck(db: Db, d: DeckInput, now: Date): DeckWrite {
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
  const st = statements(db);
  const keys = JSON.stringify(d.cards.map((c) => c.key));
  const added = st.newKeys.get({ deckId: d.id, keys })?.n ?? 0;
  const rows = d.cards.map(({ key, front, back, tags }) => ({ key, front, back, tags }));
  st.upsertCards.run({ deckId: d.id, cards: JSON.stringify(rows) });
  const retired = st.retireMissing.run({ deckId: d.id, keys, now: now.getTime() }).changes;
  return { added, retired };
}

/** Writes one deck and its cards in one transaction. */
export async function saveDeck(db: Db, d: DeckInput, now: Date): Promise<DeckWrite> {
  return tx(db, () => writeDeck(db, d, now));
}

/**
 * Syncs one deck file's deck in one transaction, unless its id belongs to an imported deck (imported decks share
 * the id namespace: a file must never take over, and re-own, one): then nothing is written.
 */
export async function syncDeckFile(
  db: Db,
  d: Omit<DeckInput, "source" | "guildId" | "ownerId">,
  now: Date,
): Promise<DeckWrite | "taken by an import"> {
  return tx(db, () => {
    const owner = db.select({ source: decks.source }).from(decks).where(eq(decks.id, d.id)).get();
    if (owner?.source === "import") return "taken by an import";
    return writeDeck(db, { ...d, source: "file" }, now);
  });
}

/** The ids of the decks loaded from this file path (a broken file keeps them). */
export async function deckIdsOfFile(db: Db, path: string): Promise<string[]> {
  const rows = db.select({ id: decks.id }).from(decks).where(eq(decks.filePath, path)).all();
  return rows.map((r) => r.id);
}

/** Retires every shipped (file) deck not in `keep`: its file is gone from decks/. */
export async function retireFileDecksExcept(db: Db, keep: ReadonlySet<string>, now: Date): Promise<void> {
  const fileDecks = db
    .select({ id: decks.id })
    .from(decks)
    .where(and(eq(decks.source, "file"), isNull(decks.retiredAt)))
    .all();
  for (const d of fileDecks) {
    if (!keep.has(d.id)) db.update(decks).set({ retiredAt: now }).where(eq(decks.id, d.id)).run();
  }
}
