/**
 * The PostgreSQL tables (src/db/schema-pg.ts, what drizzle-kit writes drizzle/pg from) are the SQLite schema's
 * (src/db/schema.ts, what every query is built on, pg/dialect.ts) column by column: a column added to one and not
 * the other fails here, not in a query on one engine.
 */
import { is } from "drizzle-orm";
import { PgTable, getTableConfig as pgConfig } from "drizzle-orm/pg-core";
import { SQLiteTable, getTableConfig as sqliteConfig } from "drizzle-orm/sqlite-core";
import { describe, expect, it } from "vitest";
import * as sqlite from "../../src/db/schema.ts";
import * as pg from "../../src/db/schema-pg.ts";

const sqliteTables = Object.values(sqlite)
  .filter((t) => is(t, SQLiteTable))
  .map(sqliteConfig);
const pgTables = new Map(
  Object.values(pg)
    .filter((t) => is(t, PgTable))
    .map(pgConfig)
    .map((c) => [c.name, c]),
);

describe("GIVEN the logical schema and PostgreSQL's tables", () => {
  it("THEN they hold the same tables", () => {
    expect([...pgTables.keys()].sort()).toEqual(sqliteTables.map((t) => t.name).sort());
  });

  for (const t of sqliteTables)
    it(`THEN ${t.name} has the same columns (name, NOT NULL, primary key), keys and indexes`, () => {
      const p = pgTables.get(t.name);
      expect(p).toBeDefined();
      if (!p) return;
      const cols = (cs: { name: string; notNull: boolean; primary: boolean }[]) =>
        cs.map((c) => [c.name, c.notNull, c.primary]).sort();
      expect(cols(p.columns)).toEqual(cols(t.columns));
      const keys = (ks: { columns: { name: string }[] }[]) => ks.map((k) => k.columns.map((c) => c.name));
      expect(keys(p.primaryKeys)).toEqual(keys(t.primaryKeys));
      const indexes = (is: { config: { name?: string; unique: boolean } }[]) =>
        is.map((i) => [i.config.name, i.config.unique]).sort();
      expect(indexes(p.indexes)).toEqual(indexes(t.indexes));
      const fks = (fs: { reference(): { columns: { name: string }[]; foreignTable: unknown } }[]) =>
        fs.map((f) => f.reference().columns.map((c) => c.name)).sort();
      expect(fks(p.foreignKeys)).toEqual(fks(t.foreignKeys));
    });
});
