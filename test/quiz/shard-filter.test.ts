import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { execSql } from "../../datagen/raw-sql.ts";
import { dueGuilds } from "../../src/db/quiz-configs.ts";
import { shardOf } from "../../src/emulator/shards.ts";
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
    });
  });
});
