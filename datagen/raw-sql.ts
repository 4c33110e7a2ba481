/**
 * Raw SQL for test setup and checks on either engine: plain standard SQL with `?` parameters, run on the SQLite
 * connection or, numbered `$1…`, on PostgreSQL. For what the bot's own src/db functions cannot write or read
 * (aggregates seeded directly, a definition checked against what the triggers kept). Rows come back as objects
 * named by the SELECT list; PostgreSQL's bigint and numeric arrive as numbers (src/db/pg/open.ts).
 */
import type { Db } from "../src/db/handle.ts";

/** `?` → `$1, $2, …` (test SQL never holds a `?` inside a string literal). */
function numbered(text: string): string {
  let n = 0;
  return text.replace(/\?/g, () => `$${++n}`);
}

/** Runs one statement; returns how many rows it changed. */
export async function execSql(db: Db, text: string, params: unknown[] = []): Promise<number> {
  if (db.kind === "sqlite") return db.sqlite.prepare(text).run(...params).changes;
  return (await db.exec.query(numbered(text), params, "objects")).changes;
}

/** Runs one query; returns its rows. */
export async function querySql<Row = Record<string, unknown>>(
  db: Db,
  text: string,
  params: unknown[] = [],
): Promise<Row[]> {
  if (db.kind === "sqlite") return db.sqlite.prepare(text).all(...params) as Row[];
  return (await db.exec.query(numbered(text), params, "objects")).rows as Row[];
}

/** The one row a query returns (an aggregate); throws when there is none. */
export async function queryOne<Row = Record<string, unknown>>(
  db: Db,
  text: string,
  params: unknown[] = [],
): Promise<Row> {
  const [row] = await querySql<Row>(db, text, params);
  if (row === undefined) throw new Error(`no row from: ${text}`);
  return row;
}
