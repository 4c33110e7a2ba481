import type { Card, ReviewLog } from "ts-fsrs";
import type { ReviewSource } from "../core/points.ts";
import { type Grade, MAX_ANSWER_MS } from "../core/scheduling.ts";
import { cardToRow, getState, rowToCard, writeStateAndLog } from "./card-states.ts";
import { cardAccess } from "./cards.ts";
import { type Db, tx } from "./client.ts";
import { recordReviewStats } from "./review-stats.ts";

/** The state after one rating and its log line; `before` is null for a card the member has never seen. */
export type DecideReview = (before: Card | null, now: Date) => { card: Card; log: ReviewLog };

export interface ReviewWrite {
  userId: string;
  guildId: string | null;
  cardId: number;
  grade: Grade;
  source: ReviewSource;
  /** When the card was shown (ms), for time spent. */
  shownAt: number;
  /** The state version the click was made against; null = whatever the current state is (quiz answers). */
  version: number | null;
}

/**
 * The one review write path (a `/study` rating, a quiz answer): read state → `decide` (ts-fsrs, pure, from the
 * service) → write state + append log + the leaderboard and /stats aggregates. Must run inside a transaction.
 * Returns false and writes nothing when the card (or its deck) is retired, is outside the member's reach here, or
 * the version no longer matches.
 */
export async function writeReview(db: Db, r: ReviewWrite, now: Date, decide: DecideReview): Promise<boolean> {
  const card = await cardAccess(db, r, r.cardId);
  if (!card?.inReach || card.retiredAt !== null) return false;
  const state = await getState(db, r.userId, r.cardId);
  if (r.version !== null && (state?.reps ?? 0) !== r.version) return false;
  const { card: after, log } = decide(state ? rowToCard(state) : null, now);
  await writeStateAndLog(db, cardToRow(r.userId, r.cardId, card.deckId, after), {
    userId: r.userId,
    cardId: r.cardId,
    deckId: card.deckId,
    guildId: r.guildId,
    rating: log.rating,
    state: log.state,
    due: log.due,
    stability: log.stability,
    difficulty: log.difficulty,
    elapsedDays: log.elapsed_days,
    lastElapsedDays: log.last_elapsed_days,
    scheduledDays: log.scheduled_days,
    learningSteps: log.learning_steps,
    review: log.review,
    durationMs: Math.min(MAX_ANSWER_MS, Math.max(0, now.getTime() - r.shownAt)),
    source: r.source,
  });
  await recordReviewStats(db, { ...r, at: now.getTime(), stateBefore: log.state });
  return true;
}

/**
 * The unit of work of a `/study` rating: `writeReview` in one transaction (IMMEDIATE on SQLite; on PostgreSQL
 * under the member's lock, so that the version check and the write are one step). Resolves to whether the
 * rating was recorded (false: stale version, retired or out-of-reach card; nothing written).
 */
export async function recordRating(
  db: Db,
  r: ReviewWrite,
  now: Date,
  decide: DecideReview,
): Promise<boolean> {
  return tx(db, (t) => writeReview(t, r, now, decide), { lockKey: r.userId });
}
