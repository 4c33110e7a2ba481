import { existsSync } from "node:fs";
import { dirname } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { closeDb, type Db, openDb } from "../../src/db/client.ts";
import { ENGINES, openTestDb, skipWithoutPgServer, type TestDb } from "../helpers/engines.ts";
import { withAdmin } from "../helpers/pg-server.ts";

// Plain statements on each engine's own connection: this checks the harness, not src/db's queries.
async function addGuild(db: Db, id: string, createdAt: number): Promise<void> {
  if (db.kind === "sqlite")
    db.sqlite.prepare("INSERT INTO guilds (id, created_at) VALUES (?, ?)").run(id, createdAt);
  else await db.exec.query("INSERT INTO guilds (id, created_at) VALUES ($1, $2)", [id, createdAt], "arrays");
}

async function guilds(db: Db): Promise<unknown[]> {
  const q = "SELECT id, timezone, created_at FROM guilds ORDER BY id";
  return db.kind === "sqlite" ? db.sqlite.prepare(q).all() : (await db.exec.query(q, [], "objects")).rows;
}

describe.each(ENGINES)("test databases on %s", (engine) => {
  const open: TestDb[] = [];
  const fresh = async () => {
    const t = await openTestDb(engine);
    open.push(t);
    return t;
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((t) => t.close()));
  });

  it("GIVEN a fresh database THEN it is migrated and a written row reads back with its column default", async () => {
    const t = await fresh();
    expect(t.engine).toBe(engine);
    expect(t.db.kind).toBe(engine);
    expect(await guilds(t.db)).toEqual([]);
    await addGuild(t.db, "g1", 1_700_000_000_000);
    // created_at is bigint on PostgreSQL: it must come back as a number, as SQLite gives it.
    expect(await guilds(t.db)).toEqual([{ id: "g1", timezone: "UTC", created_at: 1_700_000_000_000 }]);
  });

  it("GIVEN two databases open at once THEN neither sees the other's rows", async () => {
    const [a, b] = await Promise.all([fresh(), fresh()]);
    await addGuild(a.db, "only-a", 1);
    await addGuild(b.db, "only-b", 2);
    expect(await guilds(a.db)).toEqual([{ id: "only-a", timezone: "UTC", created_at: 1 }]);
    expect(await guilds(b.db)).toEqual([{ id: "only-b", timezone: "UTC", created_at: 2 }]);
    // And the template they came from kept nothing: a third one is empty.
    expect(await guilds((await fresh()).db)).toEqual([]);
  });

  it("GIVEN a database WHEN it is closed THEN it is gone, and a second close changes nothing", async () => {
    const t = await openTestDb(engine);
    await addGuild(t.db, "g1", 1);
    await t.close();
    await t.close();
    if (t.db.kind === "pg" && t.target === null) {
      // PGlite: the in-process instance is closed; nothing is left on disk (it lived in memory).
      await expect(t.db.exec.query("SELECT 1", [], "arrays")).rejects.toThrow();
    } else if (t.db.kind === "sqlite" && t.target !== null) {
      expect(existsSync(t.target)).toBe(false);
      expect(existsSync(dirname(t.target))).toBe(false);
    } else {
      expect(t.target).toMatch(/\/study_t_\d+_\d+_\d+$/);
      await expect(withAdmin(t.target ?? "", (c) => c.query("SELECT 1"))).rejects.toMatchObject({
        code: "3D000",
      });
    }
  });

  it("GIVEN a database THEN a second connection through its target sees the first one's commits", async (ctx) => {
    skipWithoutPgServer(ctx, engine, "a second connection to the same database");
    const t = await fresh();
    expect(t.target).not.toBeNull();
    const other = await openDb(t.target ?? "");
    try {
      await addGuild(t.db, "seen", 5);
      expect(await guilds(other)).toEqual([{ id: "seen", timezone: "UTC", created_at: 5 }]);
    } finally {
      await closeDb(other);
    }
  });
});
