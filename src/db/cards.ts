import { eq, sql } from "drizzle-orm";
import type { Db } from "./client.ts";
import { deckInReach } from "./deck-visibility.ts";
import { perConnection } from "./prepared.ts";
import { cards, decks } from "./schema.ts";

/**
 * What a card's access is, for a select from `cards` joined to its deck (placeholders `userId`, `guildId`); the
 * review write's context read (reviews.ts) selects them too. A card is retired with its deck too: removing a deck
 * (or deleting its file) retires the deck row only.
 */
export const cardAccessFields = {
  deckId: cards.deckId,
  /** When the card, or its whole deck, was retired (ms); null while it is active. */
  retiredAt: sql<number | null>`coalesce(${cards.retiredAt}, ${decks.retiredAt})`,
  /** Whether the card's deck is one this member may reach here: theirs, this server's, shipped. */
  inReach: sql`${deckInReach(decks, sql.placeholder("userId"), sql.placeholder("guildId"))}`.mapWith(Boolean),
};

const statements = perConnection((db) => ({
  access: db
    .select(cardAccessFields)
    .from(cards)
    .innerJoin(decks, eq(decks.id, cards.deckId))
    .where(eq(cards.id, sql.placeholder("cardId")))
    .prepare(),
}));

export type CardAccess = NonNullable<Awaited<ReturnType<typeof cardAccess>>>;

/** A card's deck, retirement and whether the member may reach it in this server; undefined: no such card. */
export async function cardAccess(db: Db, who: { userId: string; guildId: string | null }, cardId: number) {
  return statements(db).access.get({ userId: who.userId, guildId: who.guildId, cardId });
}

/** The same, for services (see `cardAccess`). */
export async function cardAccessHere(
  db: Db,
  who: { userId: string; guildId: string | null },
  cardId: number,
): Promise<CardAccess | undefined> {
  return cardAccess(db, who, cardId);
}
