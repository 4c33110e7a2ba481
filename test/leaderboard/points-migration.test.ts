/**
 * Migration 0007 on a database as the previous release left it: reviews of a session started from the daily
 * post's "Start my review" and quiz answers were both logged with source 'daily', and every 'daily' review not
 * rated Again earned the quiz's +2 in the aggregates. After the migration the logs say which is which, and the
 * boards, the running totals and /stats are what the live path now keeps (src/core/points.ts).
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.ts";
import { Schedulers } from "../../src/core/scheduling.ts";
import { studyDayNumber } from "../../src/core/streaks.ts";
import { type Db, openDb } from "../../src/db/client.ts";
import type { Deps } from "../../src/services/deps.ts";
import { leaderboard, type Metric, type Period } from "../../src/services/leaderboard.ts";
import { getStats } from "../../src/services/stats.ts";
import { rebuildStats } from "../../src/services/stats-rebuild.ts";
import { migrationsBefore } from "../helpers/migrations.ts";

const ZONE = "Europe/Berlin";
const DAY1 = Date.parse("2026-03-02T10:00:00Z"); // 11:00 in Berlin
const DAY2 = DAY1 + 86_400_000;

interface OldLog {
  user: string;
  card: number;
  at: number;
  rating: number;
  ms: number;
  /** What the previous release logged: both kinds were 'daily'. */
  kind: "study" | "session" | "answer";
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** A database at migration 0005 holding `logs` and the aggregates the previous release kept for them. */
function previousRelease(logs: OldLog[], quizOnly: { user: string; at: number }[]): string {
  const folder = migrationsBefore("0006_");
  const path = join(folder, "old.db");
  const sqlite = new Database(path);
  migrate(drizzle(sqlite), { migrationsFolder: folder });
  sqlite.exec(`
    INSERT INTO guilds (id, timezone, created_at) VALUES ('g1', '${ZONE}', 0);
    INSERT INTO decks (id, name, source, updated_at) VALUES ('alpha', 'Alpha', 'file', 0);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10)
    INSERT INTO cards (id, deck_id, key, position, front, back) SELECT i, 'alpha', 'k' || i, i, 'f', 'b' FROM n;`);
  const log =
    sqlite.prepare(`INSERT INTO review_logs (user_id, card_id, deck_id, guild_id, rating, state, due,
      stability, difficulty, elapsed_days, last_elapsed_days, scheduled_days, learning_steps, review, duration_ms,
      source) VALUES (?, ?, 'alpha', 'g1', ?, 0, ?, 0, 0, 0, 0, 0, 0, ?, ?, ?)`);
  const add = (table: string, key: string, cols: string) =>
    sqlite.prepare(`INSERT INTO ${table} (${key}, ${cols}) VALUES (${[...key.split(","), ...cols.split(",")]
      .map(() => "?")
      .join(", ")})
      ON CONFLICT (${key}) DO UPDATE SET ${cols
        .split(",")
        .map((c) => `${c} = ${c} + excluded.${c}`)
        .join(", ")}`);
  const guildDay = add("stat_guild_days", "guild_id,day,user_id", "reviews,again,points,ms");
  const member = add("stat_guild_members", "guild_id,user_id", "reviews,again,points,ms");
  const userDay = add("stat_user_days", "user_id,day", "reviews,again,points,ms");
  const post =
    sqlite.prepare(`INSERT INTO quiz_posts (guild_id, local_date, channel_id, status, claimed_at, card_id,
      correct_index, choices) VALUES ('g1', ?, 'c1', 'posted', 0, ?, 0, '[]')`);
  const answer =
    sqlite.prepare(`INSERT INTO quiz_answers (post_id, user_id, choice, correct, reviewed, answered_at)
      VALUES (?, ?, ?, ?, 1, ?)`);
  for (const l of logs) {
    log.run(l.user, l.card, l.rating, l.at, l.at, l.ms, l.kind === "study" ? "study" : "daily");
    if (l.kind === "answer") {
      const postId = post.run(new Date(l.at).toISOString().slice(0, 10) + l.user, l.card).lastInsertRowid;
      // The previous release read the clock twice: the answer's instant (answered_at, the review's shown-at),
      // then the review's own a moment later, so the log's duration is the gap between the two.
      answer.run(postId, l.user, l.rating === 1 ? 1 : 0, l.rating === 1 ? 0 : 1, l.at - l.ms);
    }
    // The previous release's points: 1 per review of 1 s or more, +2 for every 'daily' one not rated Again.
    const points = (l.ms >= 1000 ? 1 : 0) + (l.kind !== "study" && l.rating !== 1 ? 2 : 0);
    const day = studyDayNumber(l.at, ZONE);
    const again = l.rating === 1 ? 1 : 0;
    guildDay.run("g1", day, l.user, 1, again, points, l.ms);
    member.run("g1", l.user, 1, again, points, l.ms);
    userDay.run(l.user, day, 1, again, points, l.ms);
  }
  // A correct answer from a member who does not study the deck: points without a review (services/points.ts).
  for (const q of quizOnly) {
    guildDay.run("g1", studyDayNumber(q.at, ZONE), q.user, 0, 0, 2, 0);
    member.run("g1", q.user, 0, 0, 2, 0);
  }
  sqlite.close();
  cleanups.push(() => rmSync(folder, { recursive: true, force: true }));
  return path;
}

function depsOn(db: Db, at: number): Deps {
  return {
    db,
    clock: new ManualClock(new Date(at)),
    schedulers: new Schedulers({ fuzz: false }),
    log: pino({ level: "silent" }),
  };
}

const board = async (deps: Deps, period: Period, metric: Metric = "points") =>
  (await leaderboard(deps, { guildId: "g1", userId: "alice", period, metric })).top.map((e) => [
    e.userId,
    e.score,
  ]);

const at = (day: number, minute: number) => day + minute * 60_000;

// SQLite only: migration 0007 rewrote what releases before it stored in SQLite files (PostgreSQL came later).
describe("sqlite: GIVEN a database from before review sources were separated", () => {
  // alice only ever uses Start my review: 4 reviews on day 1 (one Again), 2 on day 2, 5 s each.
  // bob studies with /study, answers the question of the day (right on day 1, wrong on day 2) and starts one
  // review from the post on day 2. carol answers right without studying the deck.
  const logs: OldLog[] = [
    ...[3, 3, 1, 3].map((rating, k) => ({
      user: "alice",
      card: k + 1,
      at: at(DAY1, k),
      rating,
      ms: 5000,
      kind: "session" as const,
    })),
    ...[3, 4].map((rating, k) => ({
      user: "alice",
      card: k + 5,
      at: at(DAY2, k),
      rating,
      ms: 5000,
      kind: "session" as const,
    })),
    { user: "bob", card: 1, at: at(DAY1, 1), rating: 3, ms: 4000, kind: "study" },
    { user: "bob", card: 2, at: at(DAY1, 2), rating: 3, ms: 4000, kind: "study" },
    // Its review read the clock 2 ms after the answer did (a real clock moves between two reads).
    { user: "bob", card: 3, at: at(DAY1, 30), rating: 3, ms: 2, kind: "answer" },
    { user: "bob", card: 4, at: at(DAY2, 30), rating: 1, ms: 0, kind: "answer" },
    { user: "bob", card: 5, at: at(DAY2, 31), rating: 3, ms: 6000, kind: "session" },
  ];

  it("WHEN it is migrated THEN each source is right and the boards, running totals and /stats follow", async () => {
    const path = previousRelease(logs, [{ user: "carol", at: at(DAY1, 40) }]);
    const old = new Database(path, { readonly: true });
    const oldPoints = old.prepare("SELECT user_id, points FROM stat_guild_members ORDER BY user_id").all();
    old.close();
    expect(oldPoints).toEqual([
      { user_id: "alice", points: 3 * 3 + 1 + 2 * 3 },
      { user_id: "bob", points: 2 + 2 + 0 + 3 },
      { user_id: "carol", points: 2 },
    ]);

    const db = await openDb(path); // the bot's start-up: pending migrations apply
    if (db.kind !== "sqlite") throw new Error(`${path} should open as SQLite`);
    cleanups.push(() => db.sqlite.close());
    const deps = depsOn(db, at(DAY2, 60));
    const c = db.sqlite;

    expect(c.prepare("SELECT user_id, card_id, source FROM review_logs ORDER BY id").all()).toEqual(
      logs.map((l) => ({
        user_id: l.user,
        card_id: l.card,
        source: { study: "study", session: "daily", answer: "quiz" }[l.kind],
      })),
    );
    // A member who only uses Start my review earns exactly 1 point per timed review.
    expect(await board(deps, "all")).toEqual([
      ["alice", 6],
      ["bob", 5],
      ["carol", 2],
    ]);
    expect(await board(deps, "today")).toEqual([
      ["alice", 2],
      ["bob", 1],
    ]);
    expect(await board(deps, "week")).toEqual(await board(deps, "all"));
    expect(await board(deps, "all", "reviews")).toEqual([
      ["alice", 6],
      ["bob", 5],
    ]);
    expect(
      c
        .prepare(`SELECT * FROM (
          SELECT cum_points, sum(points) OVER (PARTITION BY guild_id, user_id ORDER BY day) AS points
          FROM stat_guild_days) WHERE cum_points != points`)
        .all(),
    ).toEqual([]);
    expect(c.prepare("SELECT user_id, day, points FROM stat_user_days ORDER BY user_id, day").all()).toEqual([
      { user_id: "alice", day: studyDayNumber(DAY1, ZONE), points: 4 },
      { user_id: "alice", day: studyDayNumber(DAY2, ZONE), points: 2 },
      { user_id: "bob", day: studyDayNumber(DAY1, ZONE), points: 4 },
      { user_id: "bob", day: studyDayNumber(DAY2, ZONE), points: 1 },
    ]);
    // /stats reads the quarter-hour slots the migration filled from the log.
    expect((await getStats(deps, { viewerId: "alice", targetId: "alice", guildId: "g1" })).reviews).toEqual({
      today: 2,
      week: 6,
      month: 6,
    });

    // And it is exactly what replaying the corrected log through the live write path gives (carol's points
    // without a review are not in the log, so the replay is compared without her).
    const dump = () =>
      ["stat_guild_days", "stat_guild_members", "stat_user_days", "stat_user_slots"].map((t) =>
        c.prepare(`SELECT * FROM ${t} WHERE user_id != 'carol' ORDER BY 1, 2, 3`).all(),
      );
    const migrated = dump();
    await rebuildStats(db);
    expect(dump()).toEqual(migrated);
  });
});
