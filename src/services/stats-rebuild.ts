/**
 * Rebuilds the leaderboard/stats aggregates from review_logs, replaying every review in the order it was written through the same
 * `recordReviewStats` the live write path uses. For a database whose history predates the aggregates (or to
 * check them). Limits, by nature of a replay: days are counted in the zones configured NOW (the live path fixes
 * each day in the zone in force at the time), and quiz points awarded without a review (`awardQuizPoints`) are
 * not in review_logs, so they are not restored.
 */
import type { ReviewSource } from "../core/points.ts";
import { type Db, tx } from "../db/client.ts";
import { recordReviewStats } from "../db/review-stats.ts";
import { forgetBoards } from "./leaderboard.ts";

interface LogRow {
  id: number;
  user_id: string;
  guild_id: string | null;
  rating: number;
  state: number;
  review: number;
  duration_ms: number;
  source: ReviewSource;
}

/** Replaces all aggregates with those implied by review_logs; returns the number of reviews replayed. */
export function rebuildStats(db: Db): number {
  forgetBoards(db); // past days change: the boards' kept bases go
  return tx(db, () => {
    for (const t of [
      "stat_guild_days",
      "stat_guild_members",
      "stat_user_days",
      "stat_user_slots",
      "stat_streaks",
    ])
      db.$client.prepare(`DELETE FROM ${t}`).run();
    // Pages in write order (rowid ranges; a connection cannot write while it iterates).
    const page = db.$client.prepare(
      `SELECT id, user_id, guild_id, rating, state, review, duration_ms, source FROM review_logs
       WHERE id > ? ORDER BY id LIMIT 5000`,
    );
    let n = 0;
    let after = 0;
    for (;;) {
      const rows = page.all(after) as LogRow[];
      for (const r of rows)
        recordReviewStats(db, {
          userId: r.user_id,
          guildId: r.guild_id,
          source: r.source,
          grade: r.rating,
          shownAt: r.review - r.duration_ms,
          at: r.review,
          stateBefore: r.state,
        });
      n += rows.length;
      const last = rows.at(-1);
      if (!last || rows.length < 5000) break;
      after = last.id;
    }
    return n;
  });
}
