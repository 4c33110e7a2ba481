/** Browsing decks and choosing what to study: `/deck list`, subscribe, unsubscribe, autocomplete. */
import { UserError } from "../core/errors.ts";
import type { Db } from "../db/client.ts";
import { newCardsLeftToday } from "../db/daily-limits.ts";
import { deckSummaries, searchVisibleDecks } from "../db/decks.ts";
import { subscribeTo, unsubscribeFrom } from "../db/subscriptions.ts";
import type { Deps } from "./deps.ts";

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

export async function listDecks(deps: Deps, userId: string, guildId: string | null): Promise<DeckSummary[]> {
  const rows = await deckSummaries(deps.db, userId, guildId, deps.clock.now());
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

/** What `/deck list` shows: the decks and how many new cards the member may still start today. */
export interface DeckListView {
  decks: DeckSummary[];
  newLeft: number;
}

export async function deckListView(
  deps: Deps,
  userId: string,
  guildId: string | null,
): Promise<DeckListView> {
  return {
    decks: await listDecks(deps, userId, guildId),
    newLeft: await newLeftToday(deps, userId, guildId),
  };
}

/** New cards the user may still start today (their daily limit minus cards introduced since their day began). */
export async function newLeftToday(deps: Deps, userId: string, guildId: string | null): Promise<number> {
  return newCardsLeftToday(deps.db, userId, guildId, deps.clock.now().getTime());
}

export const noSuchDeck = (deckId: string) =>
  new UserError(`There is no deck \`${deckId.slice(0, 40)}\` here. See \`/deck list\`.`);

export async function subscribe(deps: Deps, userId: string, guildId: string | null, deckId: string) {
  const r = await subscribeTo(deps.db, userId, guildId, deckId, deps.clock.now());
  if (!r) throw noSuchDeck(deckId);
  return r;
}

export async function unsubscribe(deps: Deps, userId: string, guildId: string | null, deckId: string) {
  const r = await unsubscribeFrom(deps.db, userId, guildId, deckId);
  if (!r) throw noSuchDeck(deckId);
  return r;
}

/** Autocomplete: visible decks whose id or name contains `query`, at most 25. */
export async function searchDecks(db: Db, userId: string, guildId: string | null, query: string) {
  return searchVisibleDecks(db, userId, guildId, query);
}
