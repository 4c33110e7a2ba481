import { and, eq, inArray, not, sql } from "drizzle-orm";
import type { Card } from "ts-fsrs";
import { suspended } from "./card-holds.ts";
import type { Db } from "./client.ts";
import { once, perConnection, preparedWrite, type Values, type WriteStatement } from "./prepared.ts";
import { cardStates, reviewLogs } from "./schema.ts";

export type CardStateRow = typeof cardStates.$inferSelect;
export type ReviewLogInsert = typeof reviewLogs.$inferInsert;

const p = (name: string) => sql.placeholder(name);
/** `excluded.<column>` of an upsert: the value the INSERT tried to write. */
const excluded = (column: { name: string }) => sql.raw(`excluded.${column.name}`);

// Insert placeholders go through their column's mapping (Date → ms), except a nullable instant: the mapping
// does not take null, so `lastReview` is a bare `sql` placeholder bound as epoch ms or null.
const statements = perConnection((db) => ({
  state: db
    .select()
    .from(cardStates)
    .where(and(eq(cardStates.userId, p("userId")), eq(cardStates.cardId, p("cardId"))))
    .prepare(),
  upsertState: preparedWrite(
    db
      .insert(cardStates)
      .values({
        userId: p("userId"),
        cardId: p("cardId"),
        deckId: p("deckId"),
        due: p("due"),
        stability: p("stability"),
        difficulty: p("difficulty"),
        elapsedDays: p("elapsedDays"),
        scheduledDays: p("scheduledDays"),
        learningSteps: p("learningSteps"),
        reps: p("reps"),
        lapses: p("lapses"),
        state: p("state"),
        lastReview: sql`${p("lastReview")}`,
      })
      .onConflictDoUpdate({
        target: [cardStates.userId, cardStates.cardId],
        set: {
          deckId: excluded(cardStates.deckId),
          due: excluded(cardStates.due),
          stability: excluded(cardStates.stability),
          difficulty: excluded(cardStates.difficulty),
          elapsedDays: excluded(cardStates.elapsedDays),
          scheduledDays: excluded(cardStates.scheduledDays),
          learningSteps: excluded(cardStates.learningSteps),
          reps: excluded(cardStates.reps),
          lapses: excluded(cardStates.lapses),
          state: excluded(cardStates.state),
          lastReview: excluded(cardStates.lastReview),
        },
      }),
  ),
  appendLog: preparedWrite(
    db.insert(reviewLogs).values({
      userId: p("userId"),
      cardId: p("cardId"),
      deckId: p("deckId"),
      guildId: p("guildId"),
      rating: p("rating"),
      state: p("state"),
      due: p("due"),
      stability: p("stability"),
      difficulty: p("difficulty"),
      elapsedDays: p("elapsedDays"),
      lastElapsedDays: p("lastElapsedDays"),
      scheduledDays: p("scheduledDays"),
      learningSteps: p("learningSteps"),
      review: p("review"),
      durationMs: p("durationMs"),
      source: p("source"),
    }),
  ),
}));

/** The ts-fsrs Card a stored state is: the one mapping between the two models (with `cardToRow`). */
export function rowToCard(r: CardStateRow): Card {
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

export function cardToRow(userId: string, cardId: number, deckId: string, c: Card): CardStateRow {
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

/** Stabilities of the member's cards in review (or relearning), not suspended: the workload estimate's input. */
export async function reviewStabilities(db: Db, userId: string): Promise<number[]> {
  const rows = await once(db, (b) =>
    b
      .select({ s: cardStates.stability })
      .from(cardStates)
      .where(
        and(
          eq(cardStates.userId, userId),
          inArray(cardStates.state, [2, 3]),
          not(suspended(cardStates.cardId, sql`${userId}`)),
        ),
      )
      .prepare(),
  ).all();
  return rows.map((r) => r.s);
}

/** The member's stored state of a card; undefined for a card they have never rated. */
export async function getState(db: Db, userId: string, cardId: number): Promise<CardStateRow | undefined> {
  return statements(db).state.get({ userId, cardId });
}

/**
 * A rating's state write and its log line, for `runWrites` (reviews.ts sends them with the review's first
 * aggregate write). Inside the review's transaction.
 */
export function stateAndLogWrites(
  db: Db,
  row: CardStateRow,
  log: ReviewLogInsert,
): [WriteStatement, Values][] {
  return [stateWrite(db, row), logWrite(db, log)];
}

/** The append of one review_logs line, for `runWrites` (a rating's, or a Re-do round's answer: practice.ts). */
export function logWrite(db: Db, log: ReviewLogInsert): [WriteStatement, Values] {
  return [statements(db).appendLog, { ...log, guildId: log.guildId ?? null }];
}

/** The write of a member's state of a card (insert or replace), for `runWrites`. */
export function stateWrite(db: Db, row: CardStateRow): [WriteStatement, Values] {
  return [statements(db).upsertState, { ...row, lastReview: row.lastReview?.getTime() ?? null }];
}
