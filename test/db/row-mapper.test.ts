import Database from "better-sqlite3";
import { eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { describe, expect, it } from "vitest";
import { rowMapper } from "../../src/db/row-mapper.ts";

// The mapper must give what drizzle's own mapping gives, for every kind of column src/db selects.
const t = sqliteTable("t", {
  id: integer("id").primaryKey(),
  at: integer("at", { mode: "timestamp_ms" }),
  flag: integer("flag", { mode: "boolean" }).notNull(),
  tags: text("tags", { mode: "json" }).$type<string[]>(),
  name: text("name"),
});

function setup() {
  const sqlite = new Database(":memory:");
  sqlite.exec(
    "CREATE TABLE t (id INTEGER PRIMARY KEY, at INTEGER, flag INTEGER NOT NULL, tags TEXT, name TEXT)",
  );
  sqlite.exec(`INSERT INTO t VALUES (1, 1700000000123, 1, '["a","b"]', 'x'), (2, NULL, 0, NULL, NULL)`);
  return { sqlite, db: drizzle(sqlite) };
}

describe("GIVEN rowMapper over drizzle's prepared selects", () => {
  it("WHEN a flat selection of every column kind is mapped THEN rows equal drizzle's own mapping", () => {
    const { sqlite, db } = setup();
    const q = db
      .select({
        id: t.id,
        at: t.at,
        flag: t.flag,
        tags: t.tags,
        name: t.name,
        n: sql<number>`${t.id} * 2`.mapWith(Number),
        s: sql<string>`upper(${t.name})`.as("s"),
      })
      .from(t)
      .orderBy(t.id)
      .prepare();
    const map = rowMapper(q);
    expect(typeof map).toBe("function");
    if (typeof map !== "function") return;
    const raw = sqlite.prepare(q.getQuery().sql).raw().all() as unknown[][];
    const mine = raw.map(map);
    expect(mine).toEqual(q.all());
    expect(mine[0]?.at).toBeInstanceOf(Date);
    expect(mine[0]?.flag).toBe(true);
    expect(mine[1]).toMatchObject({ at: null, flag: false, tags: null, name: null, s: null });
  });

  it("WHEN a selection nests a table (a join's row) THEN it is left to drizzle", () => {
    const { db } = setup();
    const q = db.select({ row: t, id: t.id }).from(t).where(eq(t.id, 1)).prepare();
    expect(rowMapper(q)).toBe("drizzle");
  });

  it("WHEN a statement selects nothing (an update without returning) THEN there is no mapper", () => {
    const { db } = setup();
    const q = db.update(t).set({ name: "y" }).where(eq(t.id, 1)).prepare();
    expect(rowMapper(q)).toBeNull();
  });
});
