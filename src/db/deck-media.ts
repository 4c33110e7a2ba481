/**
 * The images of a deck (deck_media): written with its cards by an import, in the same transaction, as the whole
 * set the deck now has (an image no card uses any more is removed); read one at a time when a card that shows one
 * is on screen. Bytes are a blob on SQLite and bytea on PostgreSQL, Buffers on both sides.
 */
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "./client.ts";
import { perConnection } from "./prepared.ts";
import { cards, deckMedia } from "./schema.ts";

const p = (name: string) => sql.placeholder(name);

export interface MediaInput {
  name: string;
  mime: string;
  sha256: string;
  bytes: Buffer;
}

/** An image as a message attaches it. */
export interface StoredImage {
  name: string;
  mime: string;
  bytes: Buffer;
}

const statements = perConnection((db) => ({
  cardImages: db
    .select({ deckId: cards.deckId, frontImage: cards.frontImage, backImage: cards.backImage })
    .from(cards)
    .where(eq(cards.id, p("cardId")))
    .prepare(),
  names: db
    .select({ name: deckMedia.name, sha256: deckMedia.sha256 })
    .from(deckMedia)
    .where(eq(deckMedia.deckId, p("deckId")))
    .prepare(),
  remove: db
    .delete(deckMedia)
    .where(and(eq(deckMedia.deckId, p("deckId")), eq(deckMedia.name, p("name"))))
    .prepare(),
  put: db
    .insert(deckMedia)
    .values({
      deckId: p("deckId"),
      name: p("name"),
      mime: p("mime"),
      size: p("size"),
      sha256: p("sha256"),
      bytes: p("bytes"),
    })
    .onConflictDoUpdate({
      target: [deckMedia.deckId, deckMedia.name],
      set: {
        mime: sql.raw("excluded.mime"),
        size: sql.raw("excluded.size"),
        sha256: sql.raw("excluded.sha256"),
        bytes: sql.raw("excluded.bytes"),
      },
    })
    .prepare(),
  image: db
    .select({ name: deckMedia.name, mime: deckMedia.mime, bytes: deckMedia.bytes })
    .from(deckMedia)
    .where(and(eq(deckMedia.deckId, p("deckId")), eq(deckMedia.name, p("name"))))
    .prepare(),
  all: db
    .select({ name: deckMedia.name, mime: deckMedia.mime, bytes: deckMedia.bytes })
    .from(deckMedia)
    .where(eq(deckMedia.deckId, p("deckId")))
    .orderBy(deckMedia.name)
    .prepare(),
}));

/**
 * Makes the deck's images exactly `media`, inside the import's transaction: unchanged ones (same sha256) are left
 * as they are, so a re-import of a large package rewrites only what changed.
 */
export async function writeDeckMedia(db: Db, deckId: string, media: MediaInput[]): Promise<void> {
  const st = statements(db);
  const wanted = new Map(media.map((m) => [m.name, m]));
  const have = new Map((await st.names.all({ deckId })).map((r) => [r.name, r.sha256]));
  for (const name of have.keys()) if (!wanted.has(name)) await st.remove.run({ deckId, name });
  for (const m of media) {
    if (have.get(m.name) === m.sha256) continue;
    await st.put.run({
      deckId,
      name: m.name,
      mime: m.mime,
      size: m.bytes.length,
      sha256: m.sha256,
      bytes: m.bytes,
    });
  }
}

/** One image of a deck, by the name its cards use (undefined: gone). */
export async function deckImage(db: Db, deckId: string, name: string): Promise<StoredImage | undefined> {
  return statements(db).image.get({ deckId, name });
}

/** Every image of a deck, by name (an export packs them). */
export async function deckImages(db: Db, deckId: string): Promise<StoredImage[]> {
  return statements(db).all.all({ deckId });
}

/** Where a card's images are (its deck, and their names), or undefined for no such card. */
export async function cardImages(
  db: Db,
  cardId: number,
): Promise<{ deckId: string; frontImage: string | null; backImage: string | null } | undefined> {
  return statements(db).cardImages.get({ cardId });
}
