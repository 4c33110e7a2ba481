import { and, eq, sql } from "drizzle-orm";
import type { Card } from "ts-fsrs";
import type { Db } from "./client.ts";
import { cardStates, guilds, reviewLogs, userSettings } from "./schema.ts";

/** Who is studying, where, and which deck (null = all subscribed decks). */
export interface Scope {
  userId: string;
  guildId: string | null;
  deckId: string | null;
}

/** The decks a user studies in a scope: subscribed, not retired, and visible in that server. */
const studyDecks = (s: Scope) => sql`(
  SELECT s.deck_id FROM subscriptions s JOIN decks d ON d.id = s.deck_id
  WHERE s.user_id = ${s.userId} AND d.retired_at IS NULL
    AND (d.source = 'file' OR d.owner_id = ${s.userId} OR (d.guild_id = ${s.guildId} AND d.owner_id IS NULL))
    AND (${s.deckId} IS NULL OR d.id = ${s.deckId}))`;

export interface StoredState extends Card {
  cardId: number;
  deckId: string;
}

type StateRow = typeof cardStates.$inferSelect;

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
  return db
    .select()
    .from(cardStates)
    .where(and(eq(cardStates.userId, userId), eq(cardStates.cardId, cardId)))
    .get();
}

/** The most overdue card due at or before `until` (ms), or undefined. */
export function nextDueCardId(db: Db, s: Scope, until: number): number | undefined {
  const row = db.get<{ card_id: number }>(sql`
    SELECT cs.card_id FROM card_states cs JOIN cards c ON c.id = cs.card_id
    WHERE cs.user_id = ${s.userId} AND cs.due <= ${until} AND c.retired_at IS NULL
      AND cs.deck_id IN ${studyDecks(s)}
    ORDER BY cs.due, cs.card_id LIMIT 1`);
  return row?.card_id;
}

/** The next card this user has never seen, in deck file order. */
export function nextNewCardId(db: Db, s: Scope): number | undefined {
  const row = db.get<{ id: number }>(sql`
    SELECT c.id FROM cards c
    WHERE c.deck_id IN ${studyDecks(s)} AND c.retired_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM card_states cs WHERE cs.user_id = ${s.userId} AND cs.card_id = c.id)
    ORDER BY c.deck_id, c.position LIMIT 1`);
  return row?.id;
}

export function countDue(db: Db, s: Scope, until: number): number {
  return (
    db.get<{ n: number }>(sql`
    SELECT count(*) AS n FROM card_states cs JOIN cards c ON c.id = cs.card_id
    WHERE cs.user_id = ${s.userId} AND cs.due <= ${until} AND c.retired_at IS NULL
      AND cs.deck_id IN ${studyDecks(s)}`)?.n ?? 0
  );
}

export function countUnseen(db: Db, s: Scope): number {
  return (
    db.get<{ n: number }>(sql`
    SELECT count(*) AS n FROM cards c
    WHERE c.deck_id IN ${studyDecks(s)} AND c.retired_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM card_states cs WHERE cs.user_id = ${s.userId} AND cs.card_id = c.id)`)
      ?.n ?? 0
  );
}

/** Earliest due instant among the user's cards in scope, or null. */
export function nextDueAt(db: Db, s: Scope): Date | null {
  const row = db.get<{ due: number | null }>(sql`
    SELECT min(cs.due) AS due FROM card_states cs JOIN cards c ON c.id = cs.card_id
    WHERE cs.user_id = ${s.userId} AND c.retired_at IS NULL AND cs.deck_id IN ${studyDecks(s)}`);
  return row?.due == null ? null : new Date(row.due);
}

/** How many cards this user saw for the first time since `since` (ms): the new-card budget used today. */
export function newIntroducedSince(db: Db, userId: string, since: number): number {
  return (
    db.get<{ n: number }>(sql`
    SELECT count(*) AS n FROM review_logs
    WHERE user_id = ${userId} AND review >= ${since} AND state = 0`)?.n ?? 0
  );
}

export function sessionTotals(
  db: Db,
  userId: string,
  since: number,
): { reviewed: number; again: number; durationMs: number } {
  const row = db.get<{ reviewed: number; again: number | null; duration: number | null }>(sql`
    SELECT count(*) AS reviewed, sum(rating = 1) AS again, sum(duration_ms) AS duration
    FROM review_logs WHERE user_id = ${userId} AND review >= ${since}`);
  return { reviewed: row?.reviewed ?? 0, again: row?.again ?? 0, durationMs: row?.duration ?? 0 };
}

export function guildTimezone(db: Db, guildId: string | null): string {
  if (!guildId) return "UTC";
  return db.select({ tz: guilds.timezone }).from(guilds).where(eq(guilds.id, guildId)).get()?.tz ?? "UTC";
}

export function newPerDay(db: Db, userId: string): number {
  return (
    db.select({ n: userSettings.newPerDay }).from(userSettings).where(eq(userSettings.userId, userId)).get()
      ?.n ?? 20
  );
}

export function writeStateAndLog(
  db: Db,
  row: typeof cardStates.$inferInsert,
  log: typeof reviewLogs.$inferInsert,
): void {
  db.insert(cardStates)
    .values(row)
    .onConflictDoUpdate({ target: [cardStates.userId, cardStates.cardId], set: row })
    .run();
  db.insert(reviewLogs).values(log).run();
}
