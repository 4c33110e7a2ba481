/**
 * Smoke run of the benchmarks (not the benchmarks themselves: `npm run bench`): a tiny deterministic seed, each
 * bench item once, and the seeded aggregates checked against the bot's own write path.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ITEMS, runBench } from "../../bench/run.ts";
import { ensureSeeded, readSeedMeta, SIZES } from "../../bench/seed.ts";
import type { ReviewSource } from "../../src/core/points.ts";
import { recordReviewStats } from "../../src/db/review-stats.ts";
import { testDeps } from "../helpers/deps.ts";

const dir = mkdtempSync(join(tmpdir(), "bench-smoke-"));
const path = join(dir, "tiny.db");

describe("bench smoke (SQLite: the bench seeds and measures SQLite files)", () => {
  beforeAll(async () => {
    await ensureSeeded(path, SIZES.tiny);
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("GIVEN the tiny size THEN the seed is complete, deterministic in shape, and reused when asked again", async () => {
    const meta = readSeedMeta(path);
    expect(meta?.params).toEqual(SIZES.tiny);
    expect(meta?.summary.cardStates).toBe(SIZES.tiny.users * SIZES.tiny.cards);
    expect(meta?.summary.reviewLogs).toBeGreaterThan(meta?.summary.cardStates ?? 0);
    const again = await ensureSeeded(path, SIZES.tiny);
    expect(again.reused).toBe(true);
    const db = new Database(path, { readonly: true });
    try {
      const count = (t: string) => (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
      expect(count("card_states")).toBe(meta?.summary.cardStates);
      expect(count("review_logs")).toBe(meta?.summary.reviewLogs);
      expect(count("quiz_configs")).toBe(SIZES.tiny.guilds);
      // Every state's review count matches its logs (states and logs come from the same ts-fsrs history).
      const mismatched = db
        .prepare(`SELECT count(*) AS n FROM card_states cs
          WHERE cs.reps <> (SELECT count(*) FROM review_logs rl WHERE rl.user_id = cs.user_id AND rl.card_id = cs.card_id)`)
        .get() as { n: number };
      expect(mismatched.n).toBe(0);
      const indexes = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
        .all();
      expect(indexes.length).toBeGreaterThan(5); // rebuilt after the load
    } finally {
      db.close();
    }
  });

  it("GIVEN a seeded member THEN replaying their logs through the bot's recordReviewStats gives the same aggregates", async () => {
    const seeded = new Database(path, { readonly: true });
    const fresh = testDeps();
    try {
      const user = (seeded.prepare("SELECT user_id FROM review_logs LIMIT 1").get() as { user_id: string })
        .user_id;
      const logs = seeded
        .prepare(
          "SELECT guild_id, source, rating, state, review, duration_ms FROM review_logs WHERE user_id = ? ORDER BY review, id",
        )
        .all(user) as {
        guild_id: string | null;
        source: ReviewSource;
        rating: number;
        state: number;
        review: number;
        duration_ms: number;
      }[];
      for (const l of logs)
        await recordReviewStats(fresh.db, {
          userId: user,
          guildId: l.guild_id,
          source: l.source,
          grade: l.rating,
          shownAt: l.review - l.duration_ms,
          at: l.review,
          stateBefore: l.state,
        });
      const rows = (db: Database.Database, sql: string) => db.prepare(sql).all(user);
      for (const sql of [
        "SELECT * FROM stat_user_days WHERE user_id = ? ORDER BY day",
        "SELECT * FROM stat_user_slots WHERE user_id = ? ORDER BY slot",
        "SELECT * FROM stat_guild_days WHERE user_id = ? ORDER BY guild_id, day",
        "SELECT * FROM stat_guild_members WHERE user_id = ? ORDER BY guild_id",
        "SELECT * FROM stat_streaks WHERE user_id = ?",
      ])
        expect(rows(seeded, sql)).toEqual(rows(fresh.db.sqlite, sql));
    } finally {
      seeded.close();
      fresh.close();
    }
  });

  it("GIVEN the tiny seed THEN every bench item runs once and reports finite figures", async () => {
    const results = await runBench({ params: SIZES.tiny, db: path, n: 2, warmup: 0 });
    const names = results.map((r) => r.name);
    for (const prefix of ["study.", "rate.", "leaderboard.", "stats.", "tick.", "memory.", "import."])
      expect(names.some((n) => n.startsWith(prefix))).toBe(true);
    expect(Object.keys(ITEMS).length).toBeGreaterThanOrEqual(5);
    for (const r of results) {
      expect(Number.isFinite(r.value), r.name).toBe(true);
      expect(typeof r.unit).toBe("string");
    }
  }, 180_000); // a guard against a hang: every item of the bench once, on a machine that may be busy
});
