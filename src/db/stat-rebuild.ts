/**
 * The aggregates rebuilt from review_logs (services/stats-rebuild.ts says when and what it cannot restore): one
 * transaction that empties every stat_* table and replays each logged review, in write order, through the same
 * `recordReviewStats` the live write path uses (reviews brought from Anki through the import's own
 * `addImportedReviewSlots`: /stats history only); then the review parties' points, which are kept per answer
 * (party_answers), through the same `awardGuildPoints` a round's close used.
 */

import { and, asc, eq, gt, sql } from "drizzle-orm";
import type { ReviewSource } from "../core/points.ts";
import { type Db, tx } from "./client.ts";
import { addImportedReviewSlots, type ImportedReviewFact } from "./imported-progress.ts";
import { once } from "./prepared.ts";
import { awardGuildPoints, recordReviewStats } from "./review-stats.ts";
import {
  parties,
  partyAnswers,
  partyRounds,
  reviewLogs,
  statGuildDays,
  statGuildMembers,
  statStreaks,
  statUserDays,
  statUserSlots,
} from "./schema.ts";

const PAGE = 5000;

/** Replaces all aggregates with those implied by review_logs; returns the number of reviews replayed. */
export async function replayReviewLogs(db: Db): Promise<number> {
  return tx(db, async (t) => {
    for (const table of [statGuildDays, statGuildMembers, statUserDays, statUserSlots, statStreaks])
      await once(t, (b) => b.delete(table).prepare()).run();
    // Pages in write order (id ranges; a connection cannot write while it iterates).
    const page = once(t, (b) =>
      b
        .select({
          id: reviewLogs.id,
          userId: reviewLogs.userId,
          guildId: reviewLogs.guildId,
          rating: reviewLogs.rating,
          state: reviewLogs.state,
          review: reviewLogs.review,
          durationMs: reviewLogs.durationMs,
          source: reviewLogs.source,
        })
        .from(reviewLogs)
        .where(gt(reviewLogs.id, sql.placeholder("after")))
        .orderBy(asc(reviewLogs.id))
        .limit(PAGE)
        .prepare(),
    );
    let n = 0;
    let after = 0;
    for (;;) {
      const rows = await page.all({ after });
      const imported: ImportedReviewFact[] = [];
      for (const r of rows) {
        // A Re-do round's answer (db/practice.ts) is no review: it added nothing, so it replays as nothing.
        if (r.source === "practice") continue;
        const at = r.review.getTime();
        if (r.source === "import") {
          imported.push({ userId: r.userId, at, rating: r.rating, stateBefore: r.state, ms: r.durationMs });
          continue;
        }
        await recordReviewStats(t, {
          userId: r.userId,
          guildId: r.guildId,
          source: r.source as ReviewSource,
          grade: r.rating,
          shownAt: at - r.durationMs,
          at,
          stateBefore: r.state,
        });
      }
      await addImportedReviewSlots(t, imported);
      n += rows.length;
      const last = rows.at(-1);
      if (!last || rows.length < PAGE) break;
      after = last.id;
    }
    await replayPartyPoints(t);
    return n;
  });
}

/** Each scored party answer's points, on the day its round closed (in the server's zone now). */
async function replayPartyPoints(t: Db): Promise<void> {
  const scored = await once(t, (b) =>
    b
      .select({
        guildId: parties.guildId,
        userId: partyAnswers.userId,
        points: partyAnswers.points,
        at: partyRounds.closedAt,
      })
      .from(partyAnswers)
      .innerJoin(parties, eq(parties.id, partyAnswers.partyId))
      .innerJoin(
        partyRounds,
        and(eq(partyRounds.partyId, partyAnswers.partyId), eq(partyRounds.round, partyAnswers.round)),
      )
      .where(gt(partyAnswers.points, 0))
      .orderBy(asc(partyRounds.closedAt))
      .prepare(),
  ).all();
  for (const a of scored)
    await awardGuildPoints(t, { guildId: a.guildId, userId: a.userId, points: a.points, at: a.at ?? 0 });
}
