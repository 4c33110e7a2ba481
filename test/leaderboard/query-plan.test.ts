import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SqliteDb } from "../../src/db/handle.ts";
import { statements } from "../../src/db/review-stats.ts";
import { boardSources } from "../../src/db/stat-boards.ts";
import { statsSources } from "../../src/db/stat-user.ts";
import { leaderboard, METRICS, PERIODS } from "../../src/services/leaderboard.ts";
import { getStats } from "../../src/services/stats.ts";
import { preparedByAsync } from "../helpers/prepared.ts";
import { type World, world } from "./helpers.ts";

let w: World;
/** EXPLAIN QUERY PLAN is SQLite's planner: this suite runs on SQLite only. */
let sqlite: SqliteDb["sqlite"];

function plan(source: string): string[] {
  const params = (source.match(/\?/g) ?? []).map(() => null);
  return sqlite
    .prepare(`EXPLAIN QUERY PLAN ${source}`)
    .all(...params)
    .map((r) => (r as { detail: string }).detail);
}

/**
 * A full scan: "SCAN x" (plans name tables by their alias). Only `d` (decks, a catalogue that does not grow with
 * use) may be scanned.
 */
const FULL_SCAN = /^SCAN (?!d$|d |decks\b)\w+/;

/** Grows the tables the way years of use would (many members, days, decks, card states), then ANALYZEs. */
function grow() {
  sqlite.exec(`
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400)
    INSERT INTO decks (id, name, source, updated_at) SELECT 'deck' || i, 'Deck ' || i, 'file', 0 FROM n WHERE i <= 60;
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 6000)
    INSERT INTO cards (deck_id, key, position, front, back) SELECT 'deck' || (i % 60 + 1), 'k' || i, i, 'f', 'b' FROM n;
    WITH RECURSIVE u(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM u WHERE i < 300),
      d(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM d WHERE j < 4)
    INSERT INTO subscriptions (user_id, deck_id, created_at) SELECT 'x' || i, 'deck' || ((i + j) % 60 + 1), 0 FROM u, d;
    WITH RECURSIVE u(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM u WHERE i < 300),
      d(j) AS (SELECT 20000 UNION ALL SELECT j + 1 FROM d WHERE j < 20365)
    INSERT INTO stat_guild_days (guild_id, day, user_id, reviews, again, points, ms)
      SELECT 'g' || (i % 5), j, 'x' || i, 20, 2, 20, 60000 FROM u, d;
    WITH RECURSIVE u(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM u WHERE i < 300),
      d(j) AS (SELECT 20000 UNION ALL SELECT j + 1 FROM d WHERE j < 20365)
    INSERT INTO stat_user_days (user_id, day, reviews) SELECT 'x' || i, j, 20 FROM u, d;
    WITH RECURSIVE u(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM u WHERE i < 300),
      d(j) AS (SELECT 20000 UNION ALL SELECT j + 1 FROM d WHERE j < 20365)
    INSERT INTO stat_user_slots (user_id, slot, reviews) SELECT 'x' || i, j * 96 + 40, 20 FROM u, d;
    INSERT INTO stat_guild_members (guild_id, user_id, reviews) SELECT guild_id, user_id, sum(reviews)
      FROM stat_guild_days WHERE user_id LIKE 'x%' GROUP BY 1, 2;
    INSERT INTO stat_streaks (user_id, last_day, last_zone, run_days, longest)
      SELECT DISTINCT user_id, 20365, 'UTC', 3, 9 FROM stat_guild_members WHERE user_id LIKE 'x%';
    WITH RECURSIVE u(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM u WHERE i < 300),
      c(j) AS (SELECT 100 UNION ALL SELECT j + 1 FROM c WHERE j < 300)
    INSERT INTO card_states (user_id, card_id, deck_id, due, stability, difficulty, elapsed_days, scheduled_days,
      learning_steps, reps, lapses, state, last_review)
      SELECT 'x' || i, j, (SELECT deck_id FROM cards WHERE id = j), 1e12 + j * 1e7, 1, 5, 1, 10, 0, 3, 0, 2, 0 FROM u, c;
    ANALYZE;`);
}

beforeAll(async () => {
  w = await world("sqlite", { zone: "Europe/Berlin", cards: 30 });
  if (w.deps.db.kind !== "sqlite") throw new Error("query plans are SQLite's");
  sqlite = w.deps.db.sqlite;
  await w.subscribe("u1");
  for (const u of ["u1", "u2", "u3"]) await w.reviews(u, "2026-03-02T10:00:00Z", 25);
});
afterAll(() => w.deps.close());

describe.each([
  ["a fresh database", () => {}],
  ["a database grown large and ANALYZEd", grow],
])("GIVEN %s (SQLite: its query plans) and the leaderboard and stats queries", (_name, prepare) => {
  beforeAll(() => prepare());

  it("THEN no leaderboard query touches review_logs, scans a whole table or sorts", async () => {
    // The board's own statements are prepared once per connection: their sources, plus whatever a call prepares.
    const board = boardSources(w.deps.db);
    const sqls = [
      ...(await preparedByAsync(w.deps.db, async () => {
        for (const period of PERIODS)
          for (const metric of METRICS)
            await leaderboard(w.deps, { guildId: "g1", userId: "u1", period, metric });
      })),
      ...Object.values(board),
      // All but `biggest`: warmBoards' one pass over the members table at start (below).
    ].filter((s) => s !== board.biggest);
    expect(sqls.length).toBeGreaterThanOrEqual(4);
    for (const s of sqls) {
      expect(s).not.toMatch(/review_logs/);
      const p = plan(s);
      expect(
        p.filter((d) => FULL_SCAN.test(d) || /TEMP B-TREE/.test(d)),
        `${s}\n${p.join("\n")}`,
      ).toEqual([]);
    }
    // Once at start: the members table in key order, grouped without a temp b-tree; only the handful of per-server
    // counts are sorted.
    expect(plan(board.biggest)).toEqual([
      "SCAN stat_guild_members USING COVERING INDEX sqlite_autoindex_stat_guild_members_1",
      "USE TEMP B-TREE FOR ORDER BY",
    ]);
    // Bases: the server's members in key order, one covering seek each for their last day before the window
    // (no table lookups, no sort).
    expect(plan(board.base)).toEqual([
      "SEARCH m USING COVERING INDEX sqlite_autoindex_stat_guild_members_1 (guild_id=?)",
      "SEARCH t USING COVERING INDEX stat_guild_days_cum_idx (guild_id=? AND user_id=? AND day=?)",
      "CORRELATED SCALAR SUBQUERY 1",
      "SEARCH x USING COVERING INDEX stat_guild_days_cum_idx (guild_id=? AND user_id=? AND day<?)",
    ]);
    // Today's rows, and the days a kept base moves over: a primary-key range of days.
    expect(plan(board.days)).toEqual([
      "SEARCH stat_guild_days USING INDEX sqlite_autoindex_stat_guild_days_1 (guild_id=? AND day>? AND day<?)",
    ]);
    expect(plan(board.allTime)).toEqual([
      "SEARCH stat_guild_members USING INDEX sqlite_autoindex_stat_guild_members_1 (guild_id=?)",
    ]);
    const hidden = plan(board.hidden).join("\n");
    expect(hidden).toMatch(
      /SEARCH m USING COVERING INDEX sqlite_autoindex_stat_guild_members_1 \(guild_id=\?\)/,
    );
    expect(hidden).toMatch(/SEARCH us USING INDEX sqlite_autoindex_user_settings_1 \(user_id=\?\)/);
    const streaks = plan(board.streaks).join("\n");
    expect(streaks).toMatch(
      /SEARCH m USING COVERING INDEX sqlite_autoindex_stat_guild_members_1 \(guild_id=\?\)/,
    );
    expect(streaks).toMatch(/SEARCH s USING INDEX sqlite_autoindex_stat_streaks_1 \(user_id=\?\)/);
    expect(streaks).toMatch(/SEARCH us USING INDEX sqlite_autoindex_user_settings_1 \(user_id=\?\)/);
  });

  it("THEN no /stats query touches review_logs or scans a whole table", async () => {
    // Its statements are kept per connection: their sources, plus whatever a call prepares.
    const sqls = [
      ...(await preparedByAsync(w.deps.db, async () => {
        await getStats(w.deps, { viewerId: "u1", targetId: "u1", guildId: "g1" });
      })),
      ...statsSources(w.deps.db),
    ];
    expect(sqls.length).toBeGreaterThan(0);
    for (const s of sqls) {
      expect(s).not.toMatch(/review_logs/);
      const p = plan(s);
      expect(
        p.filter((d) => FULL_SCAN.test(d)),
        `${s}\n${p.join("\n")}`,
      ).toEqual([]);
    }
    expect(sqls.flatMap(plan).join("\n")).toMatch(/stat_user_slots.*\(user_id=\? AND slot>\?\)/);
  });

  it("THEN the write path's aggregate statements are point lookups and upserts on primary keys", () => {
    const all = Object.values(statements(w.deps.db)).map((st) => st.source);
    expect(all.length).toBeGreaterThanOrEqual(8);
    for (const s of all) {
      const p = plan(s);
      expect(
        p.filter((d) => FULL_SCAN.test(d)),
        `${s}\n${p.join("\n")}`,
      ).toEqual([]);
    }
  });
});
