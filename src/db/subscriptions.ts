/** Which decks a member studies: subscribing and unsubscribing. (`isSubscribed` is read in decks.ts.) */
import { and, eq } from "drizzle-orm";
import { type Db, tx } from "./client.ts";
import { findVisibleDeck } from "./decks.ts";
import { subscriptions } from "./schema.ts";

/** Subscribes, synchronously, for units of work (an import subscribes its importer in its transaction). */
export function addSubscription(db: Db, userId: string, deckId: string, now: Date): boolean {
  const res = db.insert(subscriptions).values({ userId, deckId, createdAt: now }).onConflictDoNothing().run();
  return res.changes > 0;
}

/**
 * Subscribes the member to a deck they see here: the deck and whether they were not subscribed before, or
 * undefined (no such deck here).
 */
export async function subscribeTo(db: Db, userId: string, guildId: string | null, deckId: string, now: Date) {
  return tx(db, () => {
    const deck = findVisibleDeck(db, userId, guildId, deckId);
    return deck && { deck, changed: addSubscription(db, userId, deck.id, now) };
  });
}

/** Unsubscribes the member from a deck they see here (their progress stays): as `subscribeTo`. */
export async function unsubscribeFrom(db: Db, userId: string, guildId: string | null, deckId: string) {
  return tx(db, () => {
    const deck = findVisibleDeck(db, userId, guildId, deckId);
    if (deck === undefined) return undefined;
    const res = db
      .delete(subscriptions)
      .where(and(eq(subscriptions.userId, userId), eq(subscriptions.deckId, deck.id)))
      .run();
    return { deck, changed: res.changes > 0 };
  });
}
