import type { Card } from "ts-fsrs";
import { NEW_PER_DAY_DEFAULT } from "../core/new-cards.ts";
import type { Db } from "./client.ts";
import { DECK_IN_REACH, DECK_VISIBLE } from "./deck-visibility.ts";
import { zoneOf } from "./guilds.ts";
import { preparedOnce } from "./prepared.ts";
import type { cardStates, reviewLogs } from "./schema.ts";

/** Who is studying, where, and which deck (null = all subscribed decks). */
export interface Scope {
  userId: string;
  guildId: string | null;
  deckId: string | null;
}

/**
 * This is the path of every /study view and every rating click, so its statements are plain SQL prepared once
 * per connection (preparing a statement costs more than running most of these) and bound by name.
 */

/** The decks a user studies in a scope: subscribed, not retired, and visible in that server. */
const STUDY_DECKS = `(
  SELECT s.deck_id FROM subscriptions s JOIN decks d ON d.id = s.deck_id
  WHERE s.user_id = @userId AND ${DECK_VISIBLE} AND (@deckId IS NULL OR d.id = @deckId))`;

// Counting note: a card never changes deck (cards are keyed by (deck_id, key)) and a state row copies its card's
// deck_id, so "states of active cards in the scope" = "states in the scope" − "states of retired cards in the
// scope". The first term is a range count on card_states_user_deck_due_idx alone and the second walks only the
// scope's retired cards (CROSS JOIN keeps cards as the outer loop), instead of joining every state to its card.
const SQL = {
  getState: "SELECT * FROM card_states WHERE user_id = ? AND card_id = ?",
  studiesHere: `SELECT EXISTS ${STUDY_DECKS} AS n`,
  nextDue: `
    SELECT cs.card_id FROM card_states cs JOIN cards c ON c.id = cs.card_id
    WHERE cs.user_id = @userId AND cs.due <= @until AND c.retired_at IS NULL AND cs.deck_id IN ${STUDY_DECKS}
    ORDER BY cs.due, cs.card_id LIMIT 1`,
  nextNew: `
    SELECT c.id FROM cards c
    WHERE c.deck_id IN ${STUDY_DECKS} AND c.retired_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM card_states cs WHERE cs.user_id = @userId AND cs.card_id = c.id)
    ORDER BY c.deck_id, c.position LIMIT 1`,
  countDue: `
    SELECT
      (SELECT count(*) FROM card_states cs
        WHERE cs.user_id = @userId AND cs.deck_id IN ${STUDY_DECKS} AND cs.due <= @until)
      - (SELECT count(*) FROM cards c CROSS JOIN card_states cs ON cs.user_id = @userId AND cs.card_id = c.id
        WHERE c.deck_id IN ${STUDY_DECKS} AND c.retired_at IS NOT NULL AND cs.due <= @until) AS n`,
  countUnseen: `
    SELECT
      (SELECT count(*) FROM cards c WHERE c.deck_id IN ${STUDY_DECKS} AND c.retired_at IS NULL)
      - (SELECT count(*) FROM card_states cs WHERE cs.user_id = @userId AND cs.deck_id IN ${STUDY_DECKS})
      + (SELECT count(*) FROM cards c CROSS JOIN card_states cs ON cs.user_id = @userId AND cs.card_id = c.id
        WHERE c.deck_id IN ${STUDY_DECKS} AND c.retired_at IS NOT NULL) AS n`,
  // min(due) as "the first in due order": walks the (user_id, due) index and stops at the first match.
  nextDueAt: `
    SELECT cs.due FROM card_states cs JOIN cards c ON c.id = cs.card_id
    WHERE cs.user_id = @userId AND c.retired_at IS NULL AND cs.deck_id IN ${STUDY_DECKS}
    ORDER BY cs.due LIMIT 1`,
  newIntroducedSince: `
    SELECT count(*) AS n FROM review_logs WHERE user_id = ? AND review >= ? AND state = 0`,
  sessionTotals: `
    SELECT count(*) AS reviewed, sum(rating = 1) AS again, sum(duration_ms) AS duration
    FROM review_logs WHERE user_id = ? AND review >= ?`,
  newPerDay: "SELECT new_per_day AS n FROM user_settings WHERE user_id = ?",
  // A card is retired with its deck too: removing a deck (or deleting its file) retires the deck row only.
  cardAccess: `
    SELECT c.deck_id AS deckId, coalesce(c.retired_at, d.retired_at) AS retiredAt, ${DECK_IN_REACH} AS inReach
    FROM cards c JOIN decks d ON d.id = c.deck_id WHERE c.id = @cardId`,
  cardForView: `
    SELECT c.front, c.back, d.name AS deckName, c.retired_at AS retiredAt
    FROM cards c JOIN decks d ON d.id = c.deck_id WHERE c.id = ?`,
  upsertState: `
    INSERT INTO card_states (user_id, card_id, deck_id, due, stability, difficulty, elapsed_days, scheduled_days,
      learning_steps, reps, lapses, state, last_review)
    VALUES (@userId, @cardId, @deckId, @due, @stability, @difficulty, @elapsedDays, @scheduledDays,
      @learningSteps, @reps, @lapses, @state, @lastReview)
    ON CONFLICT (user_id, card_id) DO UPDATE SET deck_id = excluded.deck_id, due = excluded.due, stability = excluded.stability,
      difficulty = excluded.difficulty, elapsed_days = excluded.elapsed_days,
      scheduled_days = excluded.scheduled_days, learning_steps = excluded.learning_steps, reps = excluded.reps,
      lapses = excluded.lapses, state = excluded.state, last_review = excluded.last_review`,
  appendLog: `
    INSERT INTO review_logs (user_id, card_id, deck_id, guild_id, rating, state, due, stability, difficulty,
      elapsed_days, last_elapsed_days, scheduled_days, learning_steps, review, duration_ms, source)
    VALUES (@userId, @cardId, @deckId, @guildId, @rating, @state, @due, @stability, @difficulty, @elapsedDays,
      @lastElapsedDays, @scheduledDays, @learningSteps, @review, @durationMs, @source)`,
} as const;

const statements = preparedOnce(SQL);

const scopeParams = (s: Scope) => ({ userId: s.userId, guildId: s.guildId, deckId: s.deckId });

export interface StoredState extends Card {
  cardId: number;
  deckId: string;
}

type StateRow = typeof cardStates.$inferSelect;

interface RawState {
  user_id: string;
  card_id: number;
  deck_id: string;
  due: number;
  stability: number;
  difficulty: number;
  elapsed_days: number;
  scheduled_days: number;
  learning_steps: number;
  reps: number;
  lapses: number;
  state: number;
  last_review: number | null;
}

export function rowToCard(r: StateRow): Card {
  return {
    due: r.due,
    stability: r.stability,
    difficulty: r.difficulty,
    elapsed_days: r.elapsedDays,
    scheduled_days: r.scheduledDays,
    learning_steps: r.learningSteps,
    reps: r.reps,
    lapses: r.lapses,
    state: r.state,
    last_review: r.lastReview ?? undefined,
  };
}

export function cardToRow(userId: string, cardId: number, deckId: string, c: Card): StateRow {
  return {
    userId,
    cardId,
    deckId,
    due: c.due,
    stability: c.stability,
    difficulty: c.difficulty,
    elapsedDays: c.elapsed_days,
    scheduledDays: c.scheduled_days,
    learningSteps: c.learning_steps,
    reps: c.reps,
    lapses: c.lapses,
    state: c.state,
    lastReview: c.last_review ?? null,
  };
}

export function getState(db: Db, userId: string, cardId: number): StateRow | undefined {
  const r = statements(db).getState.get(userId, cardId) as RawState | undefined;
  if (!r) return undefined;
  return {
    userId: r.user_id,
    cardId: r.card_id,
    deckId: r.deck_id,
    due: new Date(r.due),
    stability: r.stability,
    difficulty: r.difficulty,
    elapsedDays: r.elapsed_days,
    scheduledDays: r.scheduled_days,
    learningSteps: r.learning_steps,
    reps: r.reps,
    lapses: r.lapses,
    state: r.state,
    lastReview: r.last_review === null ? null : new Date(r.last_review),
  };
}

/** The most overdue card due at or before `until` (ms), or undefined. */
export function nextDueCardId(db: Db, s: Scope, until: number): number | undefined {
  const row = statements(db).nextDue.get({ ...scopeParams(s), until }) as { card_id: number } | undefined;
  return row?.card_id;
}

/** The next card this user has never seen, in deck file order. */
export function nextNewCardId(db: Db, s: Scope): number | undefined {
  const row = statements(db).nextNew.get(scopeParams(s)) as { id: number } | undefined;
  return row?.id;
}

/** Whether the user studies at least one deck visible in this scope (the /study "pick a deck" check). */
export function studiesAnyDeck(db: Db, s: Scope): boolean {
  return (statements(db).studiesHere.get(scopeParams(s)) as { n: number }).n === 1;
}

export function countDue(db: Db, s: Scope, until: number): number {
  return (statements(db).countDue.get({ ...scopeParams(s), until }) as { n: number } | undefined)?.n ?? 0;
}

export function countUnseen(db: Db, s: Scope): number {
  return (statements(db).countUnseen.get(scopeParams(s)) as { n: number } | undefined)?.n ?? 0;
}

/** Earliest due instant among the user's cards in scope, or null. */
export function nextDueAt(db: Db, s: Scope): Date | null {
  const row = statements(db).nextDueAt.get(scopeParams(s)) as { due: number | null } | undefined;
  return row?.due == null ? null : new Date(row.due);
}

/** How many cards this user saw for the first time since `since` (ms): the new-card budget used today. */
export function newIntroducedSince(db: Db, userId: string, since: number): number {
  return (statements(db).newIntroducedSince.get(userId, since) as { n: number } | undefined)?.n ?? 0;
}

export function sessionTotals(
  db: Db,
  userId: string,
  since: number,
): { reviewed: number; again: number; durationMs: number } {
  const row = statements(db).sessionTotals.get(userId, since) as
    | { reviewed: number; again: number | null; duration: number | null }
    | undefined;
  return { reviewed: row?.reviewed ?? 0, again: row?.again ?? 0, durationMs: row?.duration ?? 0 };
}

export function guildTimezone(db: Db, guildId: string | null): string {
  return zoneOf(db, guildId);
}

export function newPerDay(db: Db, userId: string): number {
  return (statements(db).newPerDay.get(userId) as { n: number } | undefined)?.n ?? NEW_PER_DAY_DEFAULT;
}

export interface CardAccess {
  deckId: string;
  /** When the card, or its whole deck, was retired (ms); null while it is active. */
  retiredAt: number | null;
  /** Whether the card's deck is one this member may reach here (DECK_IN_REACH): theirs, this server's, shipped. */
  inReach: boolean;
}

/** A card's deck, retirement and whether the member may reach it in this server; undefined: no such card. */
export function cardAccess(
  db: Db,
  who: { userId: string; guildId: string | null },
  cardId: number,
): CardAccess | undefined {
  const row = statements(db).cardAccess.get({ userId: who.userId, guildId: who.guildId, cardId }) as
    | { deckId: string; retiredAt: number | null; inReach: number }
    | undefined;
  return row && { deckId: row.deckId, retiredAt: row.retiredAt, inReach: row.inReach === 1 };
}

/** What a study view shows of a card. */
export function cardForView(
  db: Db,
  cardId: number,
): { front: string; back: string; deckName: string; retiredAt: number | null } | undefined {
  return statements(db).cardForView.get(cardId) as
    | { front: string; back: string; deckName: string; retiredAt: number | null }
    | undefined;
}

const ms = (d: Date | null | undefined) => (d == null ? null : d.getTime());

export function writeStateAndLog(
  db: Db,
  row: typeof cardStates.$inferInsert,
  log: typeof reviewLogs.$inferInsert,
): void {
  const st = statements(db);
  st.upsertState.run({
    userId: row.userId,
    cardId: row.cardId,
    deckId: row.deckId,
    due: row.due.getTime(),
    stability: row.stability,
    difficulty: row.difficulty,
    elapsedDays: row.elapsedDays,
    scheduledDays: row.scheduledDays,
    learningSteps: row.learningSteps,
    reps: row.reps,
    lapses: row.lapses,
    state: row.state,
    lastReview: ms(row.lastReview),
  });
  st.appendLog.run({
    userId: log.userId,
    cardId: log.cardId,
    deckId: log.deckId,
    guildId: log.guildId ?? null,
    rating: log.rating,
    state: log.state,
    due: log.due.getTime(),
    stability: log.stability,
    difficulty: log.difficulty,
    elapsedDays: log.elapsedDays,
    lastElapsedDays: log.lastElapsedDays,
    scheduledDays: log.scheduledDays,
    learningSteps: log.learningSteps,
    review: log.review.getTime(),
    durationMs: log.durationMs,
    source: log.source,
  });
}
