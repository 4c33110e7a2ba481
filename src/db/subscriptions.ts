/**
 * Which decks a member studies: subscribing and unsubscribing, and a subscription's own new cards per day.
 * (`isSubscribed` is read in decks.ts.)
 */
import { and, asc, eq, isNotNull } from "drizzle-orm";
import { type Db, tx } from "./client.ts";
import { findVisibleDeck } from "./decks.ts";
import { once } from "./prepared.ts";
import { decks, subscriptions } from "./schema.ts";

/** Subscribes, inside units of work (an import subscribes its importer in its transaction). */
export async function addSubscription(db: Db, userId: string, deckId: string, now: Date): Promise<boolean> {
  const res = await once(db, (b) =>
    b.insert(subscriptions).values({ userId, deckId, createdAt: now }).onConflictDoNothing().prepare(),
  ).run();
  return res.changes > 0;
}

/**
 * Subscribes the member to a deck they see here: the deck and whether they were not subscribed before, or
 * undefined (no such deck here).
 */
export async function subscribeTo(db: Db, userId: string, guildId: string | null, deckId: string, now: Date) {
  return tx(db, async (t) => {
    const deck = await findVisibleDeck(t, userId, guildId, deckId);
    return deck && { deck, changed: await addSubscription(t, userId, deck.id, now) };
  });
}

/** Unsubscribes the member from a deck they see here (their progress stays): as `subscribeTo`. */
export async function unsubscribeFrom(db: Db, userId: string, guildId: string | null, deckId: string) {
  return tx(db, async (t) => {
    const deck = await findVisibleDeck(t, userId, guildId, deckId);
    if (deck === undefined) return undefined;
    const res = await once(t, (b) =>
      b
        .delete(subscriptions)
        .where(and(eq(subscriptions.userId, userId), eq(subscriptions.deckId, deck.id)))
        .prepare(),
    ).run();
    return { deck, changed: res.changes > 0 };
  });
}

/**
 * Sets (a number) or clears (null) the member's own new-card limit for a deck they see here and study: the deck
 * and whether they study it, or undefined (no such deck here). Unsubscribing drops it with the subscription.
 */
export async function setDeckNewPerDay(
  db: Db,
  userId: string,
  guildId: string | null,
  deckId: string,
  perDay: number | null,
) {
  return tx(db, async (t) => {
    const deck = await findVisibleDeck(t, userId, guildId, deckId);
    if (deck === undefined) return undefined;
    const res = await once(t, (b) =>
      b
        .update(subscriptions)
        .set({ newPerDay: perDay })
        .where(and(eq(subscriptions.userId, userId), eq(subscriptions.deckId, deck.id)))
        .prepare(),
    ).run();
    return { deck, subscribed: res.changes > 0 };
  });
}

/** The member's decks with a new-card limit of their own, by deck name (the /settings view). */
export async function deckNewPerDay(
  db: Db,
  userId: string,
): Promise<{ deckId: string; name: string; perDay: number }[]> {
  const rows = await once(db, (b) =>
    b
      .select({ deckId: subscriptions.deckId, name: decks.name, perDay: subscriptions.newPerDay })
      .from(subscriptions)
      .innerJoin(decks, eq(decks.id, subscriptions.deckId))
      .where(and(eq(subscriptions.userId, userId), isNotNull(subscriptions.newPerDay)))
      .orderBy(asc(decks.name), asc(subscriptions.deckId))
      .prepare(),
  ).all();
  return rows.map((r) => ({ ...r, perDay: r.perDay ?? 0 }));
}
