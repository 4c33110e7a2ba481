/**
 * Points for answers to the question of the day that were NOT recorded as a review.
 *
 * A quiz answer recorded through `recordReview` with source "quiz" (the member studies that deck) already earns
 * its +2 there (services/stats-record.ts). For an answer that was not (the member does not study the deck, or
 * `recordReview` returned false), the quiz calls this once, in the answer's transaction:
 *
 *   if (!reviewed) awardQuizPoints(deps.db, { guildId, userId, at: now.getTime(), correct });
 *
 * so every correct answer is worth the same +2. Such an answer is not a review: it adds no review and does not
 * count as a study day for the streak. Right or wrong, it makes the member a member of the server: their
 * `stat_guild_members` row is created if missing (0 points for a wrong answer), which is what the daily post's
 * due summary counts as the server's members (services/quiz-queries.ts `serverMembers`).
 */
import { POINTS } from "../core/points.ts";
import { studyDayNumber } from "../core/streaks.ts";
import type { Db } from "../db/client.ts";
import { serverZone, statements } from "./stats-record.ts";

export function awardQuizPoints(
  db: Db,
  a: { guildId: string | null; userId: string; at: number; correct: boolean },
): number {
  if (a.guildId === null) return 0;
  const points = a.correct ? POINTS.quizCorrect : 0;
  const st = statements(db);
  if (points > 0)
    st.addGuildDay.run(a.guildId, studyDayNumber(a.at, serverZone(db, a.guildId)), a.userId, 0, 0, points, 0);
  st.addGuildMember.run(a.guildId, a.userId, 0, 0, points, 0);
  return points;
}
