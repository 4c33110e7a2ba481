/**
 * Issue 13's promise for an install that moves over: after `db:copy`, the bot on PostgreSQL answers `/stats` for a
 * member with the same numbers as on the SQLite file it came from. The file is filled through the real write path
 * (ratings in a server with its own zone, one outside any server, a member with their own zone), copied by the
 * real copy into a fresh database of the test server, and both engines' `getStats` are compared whole.
 */
import { afterEach, describe, expect, it } from "vitest";
import { copyDatabase } from "../../src/db/copy/copy-database.ts";
import { getStats } from "../../src/services/stats.ts";
import { hasPgServer, openTestDb, type TestDb } from "../helpers/engines.ts";
import { DAY, type World, world } from "../leaderboard/helpers.ts";

describe("GIVEN a SQLite file with weeks of study, copied into PostgreSQL by db:copy", () => {
  let w: World | undefined;
  let target: TestDb | undefined;
  afterEach(async () => {
    await w?.deps.close();
    await target?.close();
  });

  it("THEN /stats gives every member the same numbers on both engines", async (ctx) => {
    if (!hasPgServer())
      ctx.skip("db:copy needs a PostgreSQL server (PGlite cannot be copied into): set TEST_DATABASE_URL");
    w = await world("sqlite", { zone: "Europe/Berlin", cards: 40 });
    await w.subscribe("u1");
    await w.subscribe("u2");
    await w.setZone("u2", "America/Los_Angeles");
    const t0 = Date.parse("2026-02-01T09:00:00Z");
    await w.reviews("u1", t0, 10, { grade: 4 });
    await w.reviews("u1", t0 + 20 * DAY, 10, { grade: 3 });
    await w.reviews("u1", t0 + 27 * DAY, 4, { grade: 1 });
    await w.reviews("u1", t0 + 27 * DAY + 3_600_000, 6, { grade: 3, card: 4, guild: null });
    await w.reviews("u2", t0 + 5 * DAY + 23 * 3_600_000, 12, { grade: 2 }); // across the member's midnight
    await w.reviews("u2", t0 + 26 * DAY, 8, { grade: 3, card: 3 });
    w.at("2026-02-28T20:00:00Z");
    const from = w.deps.target;
    target = await openTestDb("pg");
    if (from === null || target.target === null)
      throw new Error("both databases must be reachable by path or URL");

    const report = await copyDatabase(from, target.target);
    expect(report.rowsCompared).toBeGreaterThan(0);

    const onPg = { ...w.deps, db: target.db };
    for (const member of ["u1", "u2"]) {
      for (const guildId of ["g1", null]) {
        const q = { viewerId: member, targetId: member, guildId };
        const sqlite = await getStats(w.deps, q);
        expect(sqlite.reviews.month).toBeGreaterThan(0);
        expect(await getStats(onPg, q)).toEqual(sqlite);
      }
    }
  });
});
