/**
 * Rebuilds the leaderboard/stats aggregates from review_logs, replaying every review in the order it was written
 * through the same `recordReviewStats` the live write path uses (src/db/stat-rebuild.ts). For a database whose
 * history predates the aggregates (or to check them). Limits, by nature of a replay: days are counted in the zones
 * configured NOW (the live path fixes each day in the zone in force at the time), and quiz points awarded without a
 * review (`awardQuizPoints`) are not in review_logs, so they are not restored. Review party points are: each
 * answer keeps its points (party_answers), replayed on the day its round closed.
 */
import type { Db } from "../db/client.ts";
import { replayReviewLogs } from "../db/stat-rebuild.ts";
import { forgetBoards } from "./board-bases.ts";

/** Replaces all aggregates with those implied by review_logs; returns the number of reviews replayed. */
export async function rebuildStats(db: Db): Promise<number> {
  forgetBoards(db); // past days change: the boards' kept bases go
  return replayReviewLogs(db);
}
