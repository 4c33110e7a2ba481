/**
 * A drizzle `sql` template run as one statement on either engine, for the reads a test makes beside the bot's own
 * src/db functions (what an e2e test checks the database holds). Values interpolated into the template are bound
 * as parameters (`?` on SQLite, `$n` on PostgreSQL). Write SQL both engines read; quote camelCase aliases
 * (PostgreSQL folds bare names to lower case).
 */
import type { SQL } from "drizzle-orm";
import type { Db } from "../../src/db/client.ts";

/** The rows, as objects named by the SELECT list. */
export async function sqlRows<Row>(db: Db, query: SQL): Promise<Row[]> {
  const { sql: text, params } = db.engine.dialect.sqlToQuery(query);
  if (db.kind === "sqlite") return db.sqlite.prepare(text).all(...params) as Row[];
  return (await db.exec.query(text, params, "objects")).rows as Row[];
}

/** The first row, or undefined. */
export async function sqlRow<Row>(db: Db, query: SQL): Promise<Row | undefined> {
  return (await sqlRows<Row>(db, query))[0];
}

/** Runs a write; how many rows it changed. */
export async function sqlRun(db: Db, query: SQL): Promise<number> {
  const { sql: text, params } = db.engine.dialect.sqlToQuery(query);
  if (db.kind === "sqlite") return db.sqlite.prepare(text).run(...params).changes;
  return (await db.exec.query(text, params, "arrays")).changes;
}
