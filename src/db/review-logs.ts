import { and, count, eq, gte, notInArray, sql } from "drizzle-orm";
import type { Db } from "./client.ts";
import { perConnection } from "./prepared.ts";
import { reviewLogs } from "./schema.ts";

// A Re-do round's answers (source "practice", db/practice.ts) are not reviews, and reviews brought from Anki
// ("import", db/imported-progress.ts) are not the session's, whenever Anki dated them: neither counts them.
const since = and(
  eq(reviewLogs.userId, sql.placeholder("userId")),
  gte(reviewLogs.review, sql.placeholder("since")),
  notInArray(reviewLogs.source, ["practice", "import"]),
);

const statements = perConnection((db) => ({
  sessionTotals: db
    .select({
      reviewed: count(),
      again: sql<number | null>`sum(case when ${reviewLogs.rating} = 1 then 1 else 0 end)`,
      durationMs: sql<number | null>`sum(${reviewLogs.durationMs})`,
    })
    .from(reviewLogs)
    .where(since)
    .prepare(),
}));

/** What the member reviewed since `since` (ms): a session's summary. */
export async function sessionTotals(
  db: Db,
  userId: string,
  since: number,
): Promise<{ reviewed: number; again: number; durationMs: number }> {
  const row = await statements(db).sessionTotals.get({ userId, since });
  return { reviewed: row?.reviewed ?? 0, again: row?.again ?? 0, durationMs: row?.durationMs ?? 0 };
}
