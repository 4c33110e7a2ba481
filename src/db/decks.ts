/**
 * Reads of decks as members see them (lists, search, one deck, export), and the removal of an imported deck.
 * The reach rule is deck-visibility.ts's; card writes of imports and file syncs are in deck-cards.ts.
 */
import { and, asc, count, eq, isNull, lte, not, or, type SQL, type SQLWrapper, sql } from "drizzle-orm";
import { held } from "./card-holds.ts";
import { type Db, type EngineKind, tx } from "./client.ts";
import { deckVisible } from "./deck-visibility.ts";
import { once, perConnection } from "./prepared.ts";
import { cardStates, cards, decks, subscriptions } from "./schema.ts";

const userId = sql.placeholder("userId");
const guildId = sql.placeholder("guildId");
const deckId = sql.placeholder("deckId");

/** `lower(id) or lower(name) LIKE q` with `\` escaping (the builder's `like` has no ESCAPE clause). */
const matching = (q: SQLWrapper | string): SQL =>
  sql`(lower(${decks.id}) like ${q} escape '\\' or lower(${decks.name}) like ${q} escape '\\')`;

/** `%query%` for `matching`, the query's own `%`, `_` and `\` taken literally. */
const likePattern = (query: string): string => `%${query.toLowerCase().replace(/[%_\\]/g, "\\$&")}%`;

/** Deck names in SQLite's NOCASE order (ASCII folded, then bytes), which PostgreSQL spells its own way. */
const byName = (kind: EngineKind): SQL =>
  kind === "pg" ? sql`lower(${decks.name}) collate "C"` : sql`${decks.name} collate nocase`;

const statements = perConnection((db, kind) => ({
  find: db
    .select({ id: decks.id, name: decks.name })
    .from(decks)
    .where(and(eq(decks.id, deckId), deckVisible(decks, userId, guildId)))
    .prepare(),
  subscribed: db
    .select({ one: sql`1` })
    .from(subscriptions)
    .where(and(eq(subscriptions.userId, userId), eq(subscriptions.deckId, deckId)))
    .prepare(),
  // A drizzle select inside `sql` brings its own parentheses.
  list: db
    .select({
      id: decks.id,
      name: decks.name,
      description: decks.description,
      total: db.$count(cards, and(eq(cards.deckId, decks.id), isNull(cards.retiredAt))),
      due: sql<number>`${db
        .select({ n: count() })
        .from(cardStates)
        .innerJoin(cards, eq(cards.id, cardStates.cardId))
        .where(
          and(
            eq(cardStates.userId, userId),
            eq(cardStates.deckId, decks.id),
            lte(cardStates.due, sql.placeholder("now")),
            isNull(cards.retiredAt),
            not(held(cards.id, userId)),
          ),
        )}`,
      seen: sql<number>`${db
        .select({ n: count() })
        .from(cardStates)
        .innerJoin(cards, eq(cards.id, cardStates.cardId))
        .where(
          and(eq(cardStates.userId, userId), eq(cardStates.deckId, decks.id), isNull(cards.retiredAt)),
        )}`,
      // case … then 1 else 0: a bare exists is 1/0 on SQLite but a boolean on PostgreSQL.
      subscribed: sql<number>`case when exists ${db
        .select({ one: sql`1` })
        .from(subscriptions)
        .where(and(eq(subscriptions.userId, userId), eq(subscriptions.deckId, decks.id)))} then 1 else 0 end`,
    })
    .from(decks)
    .where(deckVisible(decks, userId, guildId))
    .orderBy(byName(kind), decks.id)
    .prepare(),
  search: db
    .select({ id: decks.id, name: decks.name })
    .from(decks)
    .where(and(deckVisible(decks, userId, guildId), matching(sql.placeholder("q"))))
    .orderBy(byName(kind))
    .limit(25)
    .prepare(),
}));

// ── For the units of work of src/db (other areas call them inside their transactions) ───────────────────────

/** A deck the member sees here (in reach and not removed), or undefined. */
export async function findVisibleDeck(db: Db, userId: string, guildId: string | null, deckId: string) {
  return statements(db).find.get({ userId, guildId, deckId });
}

export async function isSubscribed(db: Db, userId: string, deckId: string): Promise<boolean> {
  return (await statements(db).subscribed.get({ userId, deckId })) !== undefined;
}

/**
 * Whether the member studies this deck here: subscribed, and the deck is visible in this server (a quiz answer
 * counts as a review only then).
 */
export async function studiesDeckHere(
  db: Db,
  userId: string,
  guildId: string | null,
  deckId: string,
): Promise<boolean> {
  return (
    (await isSubscribed(db, userId, deckId)) &&
    (await findVisibleDeck(db, userId, guildId, deckId)) !== undefined
  );
}

// ── For services ─────────────────────────────────────────────────────────────────────────────────────────

/**
 * The decks the member sees here, by name, with their active card count and the member's own counts: cards due
 * at `now`, cards they have progress on, and whether they study it (`subscribed` 1 or 0).
 */
export async function deckSummaries(db: Db, userId: string, guildId: string | null, now: Date) {
  return statements(db).list.all({ userId, guildId, now: now.getTime() });
}

/** Autocomplete: visible decks whose id or name contains `query`, at most 25. */
export async function searchVisibleDecks(db: Db, userId: string, guildId: string | null, query: string) {
  return statements(db).search.all({ userId, guildId, q: likePattern(query) });
}

/**
 * Imported decks the member may update or remove here, matching `query` (autocomplete), at most 25: their
 * personal decks, and this server's decks when they hold Manage Server.
 */
export async function searchManageableDecks(
  db: Db,
  userId: string,
  guildId: string | null,
  canManageServer: boolean,
  query: string,
) {
  const mine = eq(decks.ownerId, userId);
  const reach =
    canManageServer && guildId !== null
      ? or(mine, and(eq(decks.guildId, guildId), isNull(decks.ownerId)))
      : mine;
  return once(db, (b) =>
    b
      .select({
        id: decks.id,
        name: decks.name,
        personal: sql<number>`case when ${decks.ownerId} is not null then 1 else 0 end`,
      })
      .from(decks)
      .where(and(eq(decks.source, "import"), isNull(decks.retiredAt), reach, matching(likePattern(query))))
      .orderBy(byName(db.kind))
      .limit(25)
      .prepare(),
  ).all();
}

/** A visible deck and its active cards in deck order, or undefined (`/deck export`). */
export async function deckWithCards(db: Db, userId: string, guildId: string | null, id: string) {
  const deck = await once(db, (b) =>
    b
      .select({ id: decks.id, name: decks.name, description: decks.description })
      .from(decks)
      .where(and(eq(decks.id, id), deckVisible(decks, userId, guildId)))
      .prepare(),
  ).get();
  if (deck === undefined) return undefined;
  const rows = await once(db, (b) =>
    b
      .select({
        key: cards.key,
        front: cards.front,
        back: cards.back,
        tags: cards.tags,
        frontImage: cards.frontImage,
        backImage: cards.backImage,
        noteKey: cards.noteKey,
      })
      .from(cards)
      .where(and(eq(cards.deckId, deck.id), isNull(cards.retiredAt)))
      .orderBy(asc(cards.position), asc(cards.id))
      .prepare(),
  ).all();
  return { deck, cards: rows };
}

/** What decides who may change a deck: where it comes from, its server and owner, and whether it was removed. */
export type ManagedDeck = Pick<
  typeof decks.$inferSelect,
  "id" | "name" | "source" | "guildId" | "ownerId" | "retiredAt"
>;

/** What deciding who may manage (update, remove) an imported deck reads of it. */
export const MANAGED_COLUMNS = {
  id: decks.id,
  name: decks.name,
  source: decks.source,
  guildId: decks.guildId,
  ownerId: decks.ownerId,
  retiredAt: decks.retiredAt,
};

/** A deck by id whatever its reach (the caller checks who may manage it), for units of work. */
export async function managedDeck(db: Db, id: string): Promise<ManagedDeck | undefined> {
  return once(db, (b) => b.select(MANAGED_COLUMNS).from(decks).where(eq(decks.id, id)).prepare()).get();
}

/** A deck by id whatever its reach, for a permission check before a question (`/deck remove`). */
export async function deckToManage(db: Db, id: string): Promise<ManagedDeck | undefined> {
  return managedDeck(db, id);
}

/**
 * Removes (retires) a deck in one transaction, if `check` (the service's permission rule, which throws a
 * refusal) lets the member do it on the deck as it is now: its cards, card states and history stay.
 */
export async function retireDeck(
  db: Db,
  id: string,
  now: Date,
  check: (deck: ManagedDeck | undefined) => ManagedDeck,
): Promise<ManagedDeck> {
  return tx(db, async (t) => {
    const deck = check(await managedDeck(t, id));
    await once(t, (b) =>
      b.update(decks).set({ retiredAt: now, updatedAt: now }).where(eq(decks.id, deck.id)).prepare(),
    ).run();
    return deck;
  });
}
