/**
 * stat_guild_days.cum_* (the running totals the leaderboard's windows subtract) against their definition: the sum
 * of the member's rows in that server up to and including the day. The triggers must keep it for every writer and
 * any day order (reviews and quiz points through the services, out-of-order days, updates, deletes), and the
 * migration that added the columns must fill them for rows written before it.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { afterEach, describe, expect, it } from "vitest";
import { execSql, queryOne, querySql } from "../../datagen/raw-sql.ts";
import { mulberry32 } from "../../datagen/rng.ts";
import { type Db, tx } from "../../src/db/client.ts";
import { setServerZone } from "../../src/db/guilds.ts";
import { awardQuizPoints, recordReviewStats } from "../../src/db/review-stats.ts";
import { SQLITE_MIGRATIONS as MIGRATIONS_DIR } from "../../src/db/sqlite/open.ts";
import { engineDeps } from "../helpers/deps.ts";
import { ENGINES } from "../helpers/engines.ts";

/** Rows whose running totals differ from the sums they stand for (standard SQL: either engine). */
const WRONG_RUNNING_TOTALS = `
  SELECT * FROM (
    SELECT guild_id, user_id, day, cum_reviews, cum_again, cum_points,
      sum(reviews) OVER w AS reviews, sum(again) OVER w AS again, sum(points) OVER w AS points
    FROM stat_guild_days WINDOW w AS (PARTITION BY guild_id, user_id ORDER BY day)) AS sums
  WHERE cum_reviews != reviews OR cum_again != again OR cum_points != points`;

/** The rows of `WRONG_RUNNING_TOTALS` (empty when all are right). */
function wrongRunningTotals(db: Db): Promise<unknown[]> {
  return querySql(db, WRONG_RUNNING_TOTALS);
}

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe.each(ENGINES)("%s: GIVEN the running totals of stat_guild_days", (engine) => {
  it("WHEN reviews and quiz points are recorded over weeks THEN every row's running totals are its sums so far", async () => {
    const deps = await engineDeps(engine, "2026-03-02T08:00:00Z");
    cleanups.push(() => deps.close());
    const rng = mulberry32(3);
    const start = deps.clock.now().getTime();
    await setServerZone(deps.db, "g2", "Asia/Tokyo", deps.clock.now());
    for (let k = 0; k < 600; k++) {
      const at = start + Math.floor(rng() * 40) * 86_400_000 + Math.floor(rng() * 86_400_000);
      const userId = `u${Math.floor(rng() * 6)}`;
      const guildId = rng() < 0.5 ? "g1" : "g2";
      // Each in its own transaction, as the bot writes them (with the review or the answer).
      if (rng() < 0.2) {
        const correct = rng() < 0.7;
        await tx(deps.db, (t) => awardQuizPoints(t, { guildId, userId, at, correct }));
      } else {
        const fact = {
          userId,
          guildId,
          source: "study" as const,
          grade: 1 + Math.floor(rng() * 4),
          shownAt: at - Math.floor(rng() * 20_000),
          at, // random order: many reviews land on a day before the member's latest
          stateBefore: Math.floor(rng() * 4),
        };
        await tx(deps.db, (t) => recordReviewStats(t, fact));
      }
    }
    const rows = await queryOne<{ n: number }>(deps.db, "SELECT count(*) AS n FROM stat_guild_days");
    expect(rows.n).toBeGreaterThan(200);
    expect(await wrongRunningTotals(deps.db)).toEqual([]);
    // The last day's running totals are the member's all-time totals.
    const mismatched = await querySql(
      deps.db,
      `SELECT m.guild_id, m.user_id FROM stat_guild_members m
        WHERE NOT EXISTS (
          SELECT 1 FROM stat_guild_days t
          WHERE t.guild_id = m.guild_id AND t.user_id = m.user_id
            AND t.cum_reviews = m.reviews AND t.cum_again = m.again AND t.cum_points = m.points
            AND t.day = (SELECT max(x.day) FROM stat_guild_days x WHERE x.guild_id = m.guild_id AND x.user_id = m.user_id))`,
    );
    expect(mismatched).toEqual([]);
  });

  it("WHEN rows are inserted out of order, changed and deleted directly THEN the running totals follow", async () => {
    const deps = await engineDeps(engine);
    cleanups.push(() => deps.close());
    const rng = mulberry32(9);
    const upsert = `INSERT INTO stat_guild_days (guild_id, day, user_id, reviews, again, points)
      VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, day, user_id) DO UPDATE SET reviews = excluded.reviews,
        again = excluded.again, points = excluded.points`;
    const del = "DELETE FROM stat_guild_days WHERE guild_id = ? AND day = ? AND user_id = ?";
    for (let k = 0; k < 800; k++) {
      const key = [`g${Math.floor(rng() * 2)}`, 100 + Math.floor(rng() * 30), `u${Math.floor(rng() * 4)}`];
      if (rng() < 0.2) await execSql(deps.db, del, key);
      else {
        const reviews = Math.floor(rng() * 9);
        await execSql(deps.db, upsert, [
          ...key,
          reviews,
          Math.floor(rng() * (reviews + 1)),
          Math.floor(rng() * 12),
        ]);
      }
      if (k % 100 === 0) expect(await wrongRunningTotals(deps.db)).toEqual([]);
    }
    expect(await wrongRunningTotals(deps.db)).toEqual([]);
  });
});

// SQLite only: the history of drizzle/sqlite (PostgreSQL's migrations started with the running totals in place).
describe("sqlite: GIVEN the migration that added the running totals", () => {
  it("WHEN a database from before the running totals is migrated THEN they are filled in", () => {
    const dir = mkdtempSync(join(tmpdir(), "running-totals-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    // The migrations as they stood before running totals: the first four.
    const before = join(dir, "drizzle");
    cpSync(MIGRATIONS_DIR, before, { recursive: true });
    const journalPath = join(before, "meta", "_journal.json");
    const journal = JSON.parse(readFileSync(journalPath, "utf8")) as { entries: { tag: string }[] };
    const cut = journal.entries.findIndex((e) => e.tag.startsWith("0004_"));
    expect(cut).toBe(4);
    journal.entries = journal.entries.slice(0, cut);
    writeFileSync(journalPath, JSON.stringify(journal));

    const sqlite = new Database(join(dir, "old.db"));
    cleanups.push(() => void sqlite.close());
    const db = drizzle(sqlite);
    migrate(db, { migrationsFolder: before });
    const insert = sqlite.prepare(
      "INSERT INTO stat_guild_days (guild_id, day, user_id, reviews, again, points) VALUES (?, ?, ?, ?, ?, ?)",
    );
    const rng = mulberry32(5);
    // Newest day first: the fill must not depend on the order rows were written in.
    for (let day = 200; day > 150; day--)
      for (const user of ["a", "b", "c"])
        if (rng() < 0.6) insert.run("g", day, user, day % 7, day % 3, day % 5);
    migrate(db, { migrationsFolder: MIGRATIONS_DIR });
    const filled = sqlite
      .prepare("SELECT count(*) AS n FROM stat_guild_days WHERE cum_reviews > 0")
      .get() as {
      n: number;
    };
    expect(filled.n).toBeGreaterThan(50);
    expect(sqlite.prepare(WRONG_RUNNING_TOTALS).all()).toEqual([]);
    insert.run("g", 120, "a", 4, 1, 4); // and the triggers work on from there
    expect(sqlite.prepare(WRONG_RUNNING_TOTALS).all()).toEqual([]);
  });
});
