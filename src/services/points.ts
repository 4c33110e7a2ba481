/**
 * Points for answers to the question of the day that were NOT recorded as a review.
 *
 * A quiz answer recorded through `recordReview` with source "daily" (the member studies that deck) already earns
 * its +2 there (services/stats-record.ts). For an answer that was not (the member does not study the deck, or
 * `recordReview` returned false), the quiz calls this once, in the answer's transaction:
 *
 *   if (!reviewed) awardQuizPoints(deps.db, { guildId, userId, at: now.getTime(), correct });
 *
 * so every correct answer is worth the same +2. Such an answer is not a review: it adds no review and does not
 * count as a study day for the streak.
 */
import { sql } from "drizzle-orm";
import { POINTS } from "../core/points.ts";
import { studyDayNumber } from "../core/streaks.ts";
import type { Db } from "../db/client.ts";
import { guildTimezone } from "../db/study-queries.ts";

export function awardQuizPoints(
  db: Db,
  a: { guildId: string | null; userId: string; at: number; correct: boolean },
): number {
  if (!a.correct || a.guildId === null) return 0;
  const points = POINTS.quizCorrect;
  const day = studyDayNumber(a.at, guildTimezone(db, a.guildId));
  db.run(sql`
    INSERT INTO stat_guild_days (guild_id, day, user_id, points) VALUES (${a.guildId}, ${day}, ${a.userId}, ${points})
    ON CONFLICT (guild_id, day, user_id) DO UPDATE SET points = points + excluded.points`);
  db.run(sql`
    INSERT INTO stat_guild_members (guild_id, user_id, points) VALUES (${a.guildId}, ${a.userId}, ${points})
    ON CONFLICT (guild_id, user_id) DO UPDATE SET points = points + excluded.points`);
  return points;
}
