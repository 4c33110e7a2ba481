/**
 * Item 0, on PostgreSQL only: the promise db:copy makes to an install that moves over. The bench's PostgreSQL
 * database was copied from the seed file by `npm run db:copy`; here the bot's `/stats` figures (getStats, whole) of
 * a spread of members, in the big server and outside any server, are compared between the two engines. It runs
 * first, before the rating item adds review logs to one of them, and refuses a copy that has been benched since.
 */

import { querySql } from "../../datagen/raw-sql.ts";
import { closeDb } from "../../src/db/client.ts";
import { openSqlite } from "../../src/db/sqlite/open.ts";
import { getStats } from "../../src/services/stats.ts";
import type { Result } from "../lib/measure.ts";
import { BIG_GUILD, guildId, userId } from "../lib/world.ts";
import type { BenchContext } from "./context.ts";

/** Members compared: every `users / MEMBERS`-th one, from member 0 (in every server). */
const MEMBERS = 100;

async function reviewLogs(db: Parameters<typeof querySql>[0]): Promise<number> {
  const [row] = await querySql<{ n: number }>(db, "SELECT count(*) AS n FROM review_logs");
  return Number(row?.n ?? 0);
}

export async function benchCopied(ctx: BenchContext): Promise<Result[]> {
  if (ctx.pgUrl === null || ctx.seedFile === null) {
    ctx.log("bench: copied: only on PostgreSQL next to its seed file (--pg URL): skipped");
    return [];
  }
  const sqlite = openSqlite(ctx.seedFile);
  try {
    const [onPg, onFile] = [await reviewLogs(ctx.deps.db), await reviewLogs(sqlite)];
    if (onPg !== onFile)
      throw new Error(
        `${ctx.pgUrl} holds ${onPg} review logs, ${ctx.seedFile} ${onFile}: compare a fresh db:copy before any rating bench`,
      );
    const fileDeps = { ...ctx.deps, db: sqlite };
    const step = Math.max(1, Math.floor(ctx.params.users / MEMBERS));
    let compared = 0;
    let reviews = 0;
    for (let u = 0; u < ctx.params.users; u += step)
      for (const guild of [guildId(BIG_GUILD), null]) {
        const q = { viewerId: userId(u), targetId: userId(u), guildId: guild };
        const [a, b] = [await getStats(fileDeps, q), await getStats(ctx.deps, q)];
        if (JSON.stringify(a) !== JSON.stringify(b))
          throw new Error(
            `/stats of member ${u} (${guild ?? "no server"}) differs:\nSQLite ${JSON.stringify(a)}\nPostgreSQL ${JSON.stringify(b)}`,
          );
        compared++;
        reviews += a.reviews.month;
      }
    return [
      {
        name: "copied.stats_equal",
        value: compared,
        unit: "answers",
        extra: `/stats equal on SQLite and on its db:copy (members × {big server, none}; ${reviews} reviews this month among them)`,
      },
    ];
  } finally {
    await closeDb(sqlite);
  }
}
