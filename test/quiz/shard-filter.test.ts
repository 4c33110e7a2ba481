import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { execSql } from "../../datagen/raw-sql.ts";
import { dueGuilds, holdsGuild } from "../../src/db/quiz-configs.ts";
import { shardOf } from "../../src/emulator/shards.ts";
import { keptBases } from "../../src/services/board-bases.ts";
import { warmBoards } from "../../src/services/leaderboard.ts";
import { engineDeps } from "../helpers/deps.ts";
import { ENGINES } from "../helpers/engines.ts";

/** Real-looking snowflakes (2015–2030 timestamps, all worker bits) so the integer cast meets 19-digit ids. */
const ids = Array.from({ length: 60 }, (_, k) =>
  ((BigInt(1_000_000_000 + k * 7_919_003_341) << 22n) | (BigInt(k * 65_537) % 4_194_304n)).toString(),
);

describe.each(ENGINES)("%s", (engine) => {
  let deps: Awaited<ReturnType<typeof engineDeps>>;
  beforeEach(async () => {
    deps = await engineDeps(engine);
  });
  afterEach(() => deps.close());

  describe("GIVEN due servers and a process that holds some shards", () => {
    it("THEN the due list holds exactly the servers of those shards, as Discord routes them, and null lists them all", async () => {
      for (const id of ids)
        await execSql(
          deps.db,
          `INSERT INTO quiz_configs (guild_id, channel_id, time, timezone, paused, next_date, next_run_at, updated_at)
          VALUES (?, 'c', '09:00', 'UTC', 0, '2026-03-02', 1, 0)`,
          [id],
        );
      expect(new Set(ids.map((id) => shardOf(id, 7))).size).toBe(7); // every shard has servers
      expect((await dueGuilds(deps.db, 5)).sort()).toEqual([...ids].sort());
      for (const shardIds of [[0], [3], [1, 5, 6], [0, 1, 2, 3, 4, 5, 6]]) {
        const got = await dueGuilds(deps.db, 5, { shardIds, shardCount: 7 });
        expect(got.sort(), `shards ${shardIds}`).toEqual(
          ids.filter((id) => shardIds.includes(shardOf(id, 7))).sort(),
        );
      }
      expect(await dueGuilds(deps.db, 0, { shardIds: [0, 1], shardCount: 2 })).toEqual([]); // not due yet
      for (const shardIds of [[0], [3], [1, 5, 6]])
        for (const id of ids)
          expect(holdsGuild({ shardIds, shardCount: 7 }, id)).toBe(shardIds.includes(shardOf(id, 7)));
      expect(ids.every((id) => holdsGuild(null, id))).toBe(true);
    });
  });

  describe("GIVEN the biggest servers spread over shards", () => {
    const servers = ids.slice(0, 12); // server k has 30 − k members: ids[0] is the biggest
    /** Members with a study day long before any window, so that every window has a base to keep. */
    async function fill(db: typeof deps.db) {
      for (const [k, id] of servers.entries())
        for (let u = 0; u < 30 - k; u++) {
          await execSql(db, "INSERT INTO stat_guild_members (guild_id, user_id, reviews) VALUES (?, ?, 1)", [
            id,
            `u${u}`,
          ]);
          await execSql(
            db,
            "INSERT INTO stat_guild_days (guild_id, day, user_id, reviews) VALUES (?, 1, ?, 1)",
            [id, `u${u}`],
          );
        }
    }
    const warmed = (db: typeof deps.db) => [...new Set(keptBases(db).map((b) => b.guildId))].sort();
    const boards = { minMembers: 1, maxEntries: 6 }; // 3 servers' week and month bases per process

    it("THEN a shard process warms the leaderboards of the biggest of its own servers only", async () => {
      await fill(deps.db);
      expect(await warmBoards({ ...deps, boards })).toBe(6);
      expect(warmed(deps.db)).toEqual(servers.slice(0, 3).sort()); // one process: the three biggest of all
      for (const shardIds of [[0], [1]]) {
        const d = await engineDeps(engine);
        try {
          await fill(d.db);
          expect(await warmBoards({ ...d, boards }, { shardIds, shardCount: 2 })).toBe(6);
          const mine = servers.filter((id) => shardIds.includes(shardOf(id, 2))).slice(0, 3);
          expect(mine).toHaveLength(3);
          expect(warmed(d.db)).toEqual(mine.sort());
        } finally {
          await d.close();
        }
      }
    });
  });
});
