/**
 * The seed's parallel path (members generated in child processes, part files copied in) at a tiny size: it must
 * give the same database as the one-process path, with the leaderboard's running totals (stat_guild_days.cum_*)
 * equal to their definition and to what the bot's own write path and triggers give.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MEMBER_TABLES } from "../../bench/lib/members.ts";
import { type SeedSummary, SIZES, seedDatabase } from "../../bench/seed.ts";
import { type ReviewFact, recordReviewStats } from "../../src/db/review-stats.ts";
import { testDeps } from "../helpers/deps.ts";

const dir = mkdtempSync(join(tmpdir(), "bench-parts-"));
const onePath = join(dir, "one.db");
const partsPath = join(dir, "parts.db");
const PARTS = 3;

/** Each member table's rows in a stable order (review_logs without its id: the copy order assigns it). */
const ORDERED: Record<(typeof MEMBER_TABLES)[number], string> = {
  card_states: "SELECT * FROM card_states ORDER BY user_id, card_id",
  review_logs: `SELECT user_id, card_id, deck_id, guild_id, rating, state, due, stability, difficulty, elapsed_days,
      last_elapsed_days, scheduled_days, learning_steps, review, duration_ms, source
    FROM review_logs ORDER BY user_id, card_id, review`,
  stat_user_days: "SELECT * FROM stat_user_days ORDER BY user_id, day",
  stat_user_slots: "SELECT * FROM stat_user_slots ORDER BY user_id, slot",
  stat_guild_days: "SELECT * FROM stat_guild_days ORDER BY guild_id, user_id, day",
  stat_guild_members: "SELECT * FROM stat_guild_members ORDER BY guild_id, user_id",
  stat_streaks: "SELECT * FROM stat_streaks ORDER BY user_id",
};

describe("bench seed in parts (SQLite: the bench seeds SQLite files)", () => {
  let one: SeedSummary;
  let parts: SeedSummary;
  const lines: string[] = [];
  beforeAll(async () => {
    one = await seedDatabase(onePath, SIZES.tiny, () => {}, 1);
    parts = await seedDatabase(partsPath, SIZES.tiny, (l) => lines.push(l), PARTS);
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("GIVEN the tiny size in 3 parts THEN it copies 3 parts and holds the same members as the one-process seed", () => {
    expect(lines).toContain(`seed: copying ${PARTS} parts in`);
    expect(parts.cardStates).toBe(SIZES.tiny.users * SIZES.tiny.cards);
    expect({ states: parts.cardStates, logs: parts.reviewLogs }).toEqual({
      states: one.cardStates,
      logs: one.reviewLogs,
    });
    const a = new Database(onePath, { readonly: true });
    const b = new Database(partsPath, { readonly: true });
    try {
      for (const t of MEMBER_TABLES) {
        const rows = b.prepare(ORDERED[t]).all();
        expect(rows.length, t).toBeGreaterThan(0);
        expect(rows, t).toEqual(a.prepare(ORDERED[t]).all());
      }
    } finally {
      a.close();
      b.close();
    }
  });

  it("GIVEN the parts seed THEN every running total is the sum of the member's days up to that day", () => {
    const db = new Database(partsPath, { readonly: true });
    try {
      const wrong = db
        .prepare(`SELECT count(*) AS n FROM stat_guild_days d WHERE (d.cum_reviews, d.cum_again, d.cum_points) IS NOT (
            SELECT sum(e.reviews), sum(e.again), sum(e.points) FROM stat_guild_days e
            WHERE e.guild_id = d.guild_id AND e.user_id = d.user_id AND e.day <= d.day)`)
        .get() as { n: number };
      expect(wrong.n).toBe(0);
      // Not vacuous: most rows carry earlier days in their totals.
      const carried = db
        .prepare("SELECT count(*) AS n FROM stat_guild_days WHERE cum_reviews > reviews")
        .get() as {
        n: number;
      };
      expect(carried.n).toBeGreaterThan(SIZES.tiny.users);
    } finally {
      db.close();
    }
  });

  it("GIVEN every member of the parts seed THEN replaying their logs through recordReviewStats and the triggers gives the same aggregates", async () => {
    const seeded = new Database(partsPath, { readonly: true });
    const fresh = testDeps();
    try {
      const logs = seeded
        .prepare(
          "SELECT user_id, guild_id, source, rating, state, review, duration_ms FROM review_logs ORDER BY user_id, review, id",
        )
        .all() as {
        user_id: string;
        guild_id: string | null;
        source: ReviewFact["source"];
        rating: number;
        state: number;
        review: number;
        duration_ms: number;
      }[];
      for (const l of logs)
        await recordReviewStats(fresh.db, {
          userId: l.user_id,
          guildId: l.guild_id,
          source: l.source,
          grade: l.rating,
          shownAt: l.review - l.duration_ms,
          at: l.review,
          stateBefore: l.state,
        });
      for (const t of [
        "stat_user_days",
        "stat_user_slots",
        "stat_guild_days",
        "stat_guild_members",
        "stat_streaks",
      ] as const)
        expect(seeded.prepare(ORDERED[t]).all(), t).toEqual(fresh.db.sqlite.prepare(ORDERED[t]).all());
    } finally {
      seeded.close();
      fresh.close();
    }
  });
});
