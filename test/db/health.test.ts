import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { closeDb, openDb } from "../../src/db/client.ts";
import { addGuild } from "../../src/db/guilds.ts";
import { databaseAnswers, databaseBytes } from "../../src/db/health.ts";
import { ENGINES, openTestDb, type TestDb } from "../helpers/engines.ts";

describe.each(ENGINES)("%s", (engine) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await openTestDb(engine);
  });
  afterEach(() => t.close());

  describe("GIVEN an open database", () => {
    it("THEN it answers the health check's query", async () => {
      await expect(databaseAnswers(t.db)).resolves.toBeUndefined();
    });

    it("THEN its size on disk is reported in bytes, and grows with what it holds", async () => {
      const before = await databaseBytes(t.db);
      expect(before).toBeGreaterThan(0);
      // 300 rows fill more than the pages an empty table and its index have (SQLite: in the WAL at first).
      for (let n = 0; n < 300; n++) await addGuild(t.db, String(100_000 + n), new Date(0));
      expect(await databaseBytes(t.db)).toBeGreaterThan(before ?? 0);
    });
  });

  describe("GIVEN a database that can no longer answer", () => {
    it("THEN the health check's query rejects", async (ctx) => {
      // A handle of its own on the same database, closed under it (the connection or pool gone).
      if (t.target === null) return ctx.skip("PGlite: no second handle on the same database");
      const own = await openDb(t.target);
      if (own.kind === "sqlite") own.sqlite.close();
      else await closeDb(own);
      await expect(databaseAnswers(own)).rejects.toThrow();
    });
  });
});
