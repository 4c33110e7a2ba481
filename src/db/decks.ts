import { and, eq, sql } from "drizzle-orm";
import type { Db } from "./client.ts";
import { DECK_VISIBLE } from "./deck-visibility.ts";
import { preparedOnce } from "./prepared.ts";
import { subscriptions } from "./schema.ts";

const SQL = {
  find: `SELECT d.id, d.name FROM decks d WHERE d.id = @deckId AND ${DECK_VISIBLE}`,
} as const;
const statements = preparedOnce(SQL);

/** A deck the member sees here (in reach and not removed), or undefined. */
export function findVisibleDeck(db: Db, userId: string, guildId: string | null, deckId: string) {
  return statements(db).find.get({ userId, guildId, deckId }) as { id: string; name: string } | undefined;
}

export function isSubscribed(db: Db, userId: string, deckId: string): boolean {
  return !!db
    .select({ one: sql`1` })
    .from(subscriptions)
    .where(and(eq(subscriptions.userId, userId), eq(subscriptions.deckId, deckId)))
    .get();
}

/**
 * Whether the member studies this deck here: subscribed, and the deck is visible in this server. Synchronous, for
 * the units of work of src/db (a quiz answer counts as a review only then).
 */
export function studiesDeckHere(db: Db, userId: string, guildId: string | null, deckId: string): boolean {
  return isSubscribed(db, userId, deckId) && findVisibleDeck(db, userId, guildId, deckId) !== undefined;
}
