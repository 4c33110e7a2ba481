import { and, eq } from "drizzle-orm";
import { UserError } from "../core/errors.ts";
import type { Db } from "../db/client.ts";
import { DECK_VISIBLE } from "../db/deck-visibility.ts";
import { findVisibleDeck } from "../db/decks.ts";
import { newCardsLeft } from "../db/new-cards.ts";
import { preparedOnce } from "../db/prepared.ts";
import { subscriptions } from "../db/schema.ts";
import type { Deps } from "./deps.ts";

// Until the deck service moves to src/db/decks.ts: callers of these two keep their import.
export { findVisibleDeck, isSubscribed } from "../db/decks.ts";

export interface DeckSummary {
  id: string;
  name: string;
  description: string;
  total: number;
  /** Cards due now in a deck the member studies; 0 for a deck they do not (nothing of it is scheduled for them). */
  due: number;
  /** Cards the member has progress on (kept after unsubscribing) and cards they have never seen. */
  seen: number;
  unseen: number;
  subscribed: boolean;
}

const SQL = {
  list: `
    SELECT d.id, d.name, d.description,
      (SELECT count(*) FROM cards c WHERE c.deck_id = d.id AND c.retired_at IS NULL) AS total,
      (SELECT count(*) FROM card_states cs JOIN cards c ON c.id = cs.card_id
        WHERE cs.user_id = @userId AND cs.deck_id = d.id AND cs.due <= @now AND c.retired_at IS NULL) AS due,
      (SELECT count(*) FROM card_states cs JOIN cards c ON c.id = cs.card_id
        WHERE cs.user_id = @userId AND cs.deck_id = d.id AND c.retired_at IS NULL) AS seen,
      EXISTS (SELECT 1 FROM subscriptions s WHERE s.user_id = @userId AND s.deck_id = d.id) AS subscribed
    FROM decks d WHERE ${DECK_VISIBLE}
    ORDER BY d.name COLLATE NOCASE, d.id`,
  search: `
    SELECT d.id, d.name FROM decks d WHERE ${DECK_VISIBLE}
      AND (lower(d.id) LIKE @q ESCAPE '\\' OR lower(d.name) LIKE @q ESCAPE '\\')
    ORDER BY d.name COLLATE NOCASE LIMIT 25`,
} as const;
const statements = preparedOnce(SQL);

export function listDecks(deps: Deps, userId: string, guildId: string | null): DeckSummary[] {
  const now = deps.clock.now().getTime();
  const rows = statements(deps.db).list.all({ userId, guildId, now }) as {
    id: string;
    name: string;
    description: string;
    total: number;
    due: number;
    seen: number;
    subscribed: number;
  }[];
  // Due counts agree with /study and /stats, which schedule only the decks a member studies.
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    description: r.description,
    total: r.total,
    due: r.subscribed === 1 ? r.due : 0,
    seen: r.seen,
    unseen: r.total - r.seen,
    subscribed: r.subscribed === 1,
  }));
}

/** New cards the user may still start today (their daily limit minus cards introduced since their day began). */
export function newLeftToday(deps: Deps, userId: string, guildId: string | null): number {
  return newCardsLeft(deps.db, userId, guildId, deps.clock.now().getTime());
}

function requireDeck(deps: Deps, userId: string, guildId: string | null, deckId: string) {
  const deck = findVisibleDeck(deps.db, userId, guildId, deckId);
  if (!deck) throw new UserError(`There is no deck \`${deckId.slice(0, 40)}\` here. See \`/deck list\`.`);
  return deck;
}

export function subscribe(deps: Deps, userId: string, guildId: string | null, deckId: string) {
  const deck = requireDeck(deps, userId, guildId, deckId);
  const res = deps.db
    .insert(subscriptions)
    .values({ userId, deckId: deck.id, createdAt: deps.clock.now() })
    .onConflictDoNothing()
    .run();
  return { deck, changed: res.changes > 0 };
}

export function unsubscribe(deps: Deps, userId: string, guildId: string | null, deckId: string) {
  const deck = requireDeck(deps, userId, guildId, deckId);
  const res = deps.db
    .delete(subscriptions)
    .where(and(eq(subscriptions.userId, userId), eq(subscriptions.deckId, deck.id)))
    .run();
  return { deck, changed: res.changes > 0 };
}

/** Autocomplete: visible decks whose id or name contains `query`, at most 25. */
export function searchDecks(db: Db, userId: string, guildId: string | null, query: string) {
  const q = `%${query.toLowerCase().replace(/[%_\\]/g, "\\$&")}%`;
  return statements(db).search.all({ userId, guildId, q }) as { id: string; name: string }[];
}
