/**
 * Writes of a deck and its cards: a deck file's sync (decks/) and an import (deck-imports.ts) both end in
 * `writeDeck`. Cards are matched by their stable key, so an edited card keeps its schedule; a card gone from
 * the file is retired (its history kept).
 */
import { and, count, eq, isNull, type SQL, sql } from "drizzle-orm";
import { questionFingerprint } from "../core/decks/text.ts";
import { type Db, type EngineKind, tx } from "./client.ts";
import { once, perConnection } from "./prepared.ts";
import { cards, decks } from "./schema.ts";

/** A card as a deck file or an import gives it. */
export interface CardInput {
  key: string;
  front: string;
  back: string;
  tags: string[];
  /** Names in the deck's media (deck-media.ts) of the question's and the answer's image. */
  frontImage?: string | null;
  backImage?: string | null;
  /** Siblings share it (schema.ts `cards.noteKey`): an Anki note's cards, a card and its reverse. */
  noteKey?: string | null;
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
/** The elements of a JSON array parameter as a table `j` (`value`; index: SQLite `key`, PostgreSQL `ord` from 1). */
const jsonRows = (kind: EngineKind, param: string): SQL =>
  kind === "pg"
    ? sql`json_array_elements(${sql.placeholder(param)}::json) with ordinality j(value, ord)`
    : sql`json_each(${sql.placeholder(param)}) j`;
const jsonTexts = (kind: EngineKind, param: string): SQL =>
  kind === "pg"
    ? sql`(select json_array_elements_text(${sql.placeholder(param)}::json) as value) k`
    : sql`json_each(${sql.placeholder(param)}) k`;

const statements = perConnection((db, kind) => ({
  // Keys the deck has never had, counted in SQL: a 5,000-card deck's keys read back as rows cost more.
  // A table-valued function over JSON, which the builder cannot name.
  newKeys: db
    .select({ n: count() })
    .from(jsonTexts(kind, "keys"))
    .where(sql`k.value not in (select ${cards.key} from ${cards} where ${cards.deckId} = ${deckId})`)
    .prepare(),
  // Every card in one statement over a JSON array (position = its index): a third less than a row at a time.
  // The id is the next rowid (SQLite: null) or the identity's next value; `where true` lets SQLite parse the
  // upsert.
  upsertCards: db
    .insert(cards)
    .select(
      sql`select ${kind === "pg" ? sql`nextval(pg_get_serial_sequence('cards', 'id'))` : sql`null`}, ${deckId},
        j.value ->> 'key', ${kind === "pg" ? sql`(j.ord - 1)::int` : sql`j.key`}, j.value ->> 'front',
        j.value ->> 'back', ${kind === "pg" ? sql`(j.value -> 'tags')::text` : sql`j.value -> 'tags'`},
        ${kind === "pg" ? sql`null::bigint` : sql`null`}, j.value ->> 'frontImage', j.value ->> 'backImage',
        j.value ->> 'noteKey' from ${jsonRows(kind, "cards")} where true`,
    )
    .onConflictDoUpdate({
      target: [cards.deckId, cards.key],
      set: {
        position: sql`excluded.position`,
        front: sql`excluded.front`,
        back: sql`excluded.back`,
        tags: sql`excluded.tags`,
        frontImage: sql`excluded.front_image`,
        backImage: sql`excluded.back_image`,
        noteKey: sql`excluded.note_key`,
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
        sql`${cards.key} not in (select k.value from ${jsonTexts(kind, "keys")})`,
      ),
    )
    .prepare(),
}));

/** Writes one deck and its cards, inside a unit of work's transaction. */
export async function writeDeck(db: Db, d: DeckInput, now: Date): Promise<DeckWrite> {
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
  await once(db, (b) =>
    b.insert(decks).values(deckRow).onConflictDoUpdate({ target: decks.id, set: deckRow }).prepare(),
  ).run();
  const st = statements(db);
  const keys = JSON.stringify(d.cards.map((c) => c.key));
  const added = (await st.newKeys.get({ deckId: d.id, keys }))?.n ?? 0;
  const rows = d.cards.map(({ key, front, back, tags, frontImage, backImage, noteKey }) => ({
    key,
    front,
    back,
    tags,
    frontImage: frontImage ?? null,
    backImage: backImage ?? null,
    noteKey: noteKey ?? null,
  }));
  await st.upsertCards.run({ deckId: d.id, cards: JSON.stringify(rows) });
  const retired = (await st.retireMissing.run({ deckId: d.id, keys, now: now.getTime() })).changes;
  return { added, retired };
}

/** Writes one deck and its cards in one transaction. */
export async function saveDeck(db: Db, d: DeckInput, now: Date): Promise<DeckWrite> {
  return tx(db, (t) => writeDeck(t, d, now), { lockKey: `deck:${d.id}` });
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
  return tx(
    db,
    async (t) => {
      const owner = await once(t, (b) =>
        b.select({ source: decks.source }).from(decks).where(eq(decks.id, d.id)).prepare(),
      ).get();
      if (owner?.source === "import") return "taken by an import";
      return writeDeck(t, { ...d, source: "file" }, now);
    },
    { lockKey: `deck:${d.id}` },
  );
}

/** The ids of the decks loaded from this file path (a broken file keeps them). */
export async function deckIdsOfFile(db: Db, path: string): Promise<string[]> {
  const rows = await once(db, (b) =>
    b.select({ id: decks.id }).from(decks).where(eq(decks.filePath, path)).prepare(),
  ).all();
  return rows.map((r) => r.id);
}

/** Retires every shipped (file) deck not in `keep`: its file is gone from decks/. */
export async function retireFileDecksExcept(db: Db, keep: ReadonlySet<string>, now: Date): Promise<void> {
  const fileDecks = await once(db, (b) =>
    b
      .select({ id: decks.id })
      .from(decks)
      .where(and(eq(decks.source, "file"), isNull(decks.retiredAt)))
      .prepare(),
  ).all();
  for (const d of fileDecks) {
    if (!keep.has(d.id))
      await once(db, (b) =>
        b.update(decks).set({ retiredAt: now }).where(eq(decks.id, d.id)).prepare(),
      ).run();
  }
}

export type AddedCard = { kind: "added"; cardId: number } | { kind: "exists"; front: string };

/**
 * One card added to a deck (`/card add`), at its end, under the deck's write lock: a card of the same key that is
 * active answers `exists` and nothing changes; a retired one comes back with the new text (and its schedule).
 */
export async function addCardToDeck(db: Db, deckId: string, c: CardInput, now: Date): Promise<AddedCard> {
  return tx(
    db,
    async (t): Promise<AddedCard> => {
      const same = await once(t, (b) =>
        b
          .select({ id: cards.id, front: cards.front, retiredAt: cards.retiredAt })
          .from(cards)
          .where(and(eq(cards.deckId, deckId), eq(cards.key, c.key)))
          .prepare(),
      ).get();
      if (same && same.retiredAt === null) return { kind: "exists", front: same.front };
      // The same question under another key (a deck keyed by its file, an edited card): a duplicate too.
      const twin = await sameQuestion(t, deckId, c.front);
      if (twin !== undefined) return { kind: "exists", front: twin };
      const last = await once(t, (b) =>
        b
          .select({ n: sql<number>`coalesce(max(${cards.position}), -1)`.mapWith(Number) })
          .from(cards)
          .where(eq(cards.deckId, deckId))
          .prepare(),
      ).get();
      const position = (last?.n ?? -1) + 1;
      const [row] = await once(t, (b) =>
        b
          .insert(cards)
          .values({ deckId, key: c.key, position, front: c.front, back: c.back, tags: c.tags })
          .onConflictDoUpdate({
            target: [cards.deckId, cards.key],
            // A card written here has no siblings nor images, whatever a removed card of its key had.
            set: {
              position,
              front: c.front,
              back: c.back,
              tags: c.tags,
              noteKey: null,
              frontImage: null,
              backImage: null,
              retiredAt: null,
            },
          })
          .returning({ id: cards.id })
          .prepare(),
      ).all();
      await once(t, (b) =>
        b.update(decks).set({ updatedAt: now }).where(eq(decks.id, deckId)).prepare(),
      ).run();
      if (!row) throw new Error("the card row was not returned");
      return { kind: "added", cardId: row.id };
    },
    { lockKey: `deck:${deckId}` },
  );
}

/**
 * The front of an active card of the deck with the same question as `front` (questionFingerprint, the rule every
 * import applies), other than the cards `except`; undefined when there is none. `/card add` and an Edit refuse it.
 */
export async function sameQuestion(
  db: Db,
  deckId: string,
  front: string,
  except: readonly number[] = [],
  /** The question's image: two cards with the same words and other images ask other questions (as an import). */
  frontImage: string | null = null,
): Promise<string | undefined> {
  const question = questionFingerprint(front);
  const active = await once(db, (b) =>
    b
      .select({ id: cards.id, front: cards.front, frontImage: cards.frontImage })
      .from(cards)
      .where(and(eq(cards.deckId, deckId), isNull(cards.retiredAt)))
      .prepare(),
  ).all();
  return active.find(
    (a) =>
      !except.includes(a.id) &&
      questionFingerprint(a.front) === question &&
      (a.frontImage ?? null) === frontImage,
  )?.front;
}
