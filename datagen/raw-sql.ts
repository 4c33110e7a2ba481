import type { Db } from "../src/db/client.ts";

/**
 * Raw SQL for test setup on either engine: `text` in plain standard SQL with `?` parameters (renumbered `$1…` for
 * PostgreSQL). For the few fixtures the bot's own src/db functions cannot write (a row backdated, a state forced).
 */
export async function execSql(db: Db, text: string, params: unknown[] = []): Promise<number> {
  if (db.kind === "sqlite") return db.sqlite.prepare(text).run(...params).changes;
  let n = 0;
  const pgText = text.replace(/\?/g, () => `$${++n}`);
  return (await db.exec.query(pgText, params, "objects")).changes;
}

/** Rows of a raw `SELECT` (same parameter rules as `execSql`); quote camelCase aliases for PostgreSQL. */
export async function querySql<Row>(db: Db, text: string, params: unknown[] = []): Promise<Row[]> {
  if (db.kind === "sqlite") return db.sqlite.prepare(text).all(...params) as Row[];
  let n = 0;
  const pgText = text.replace(/\?/g, () => `$${++n}`);
  return (await db.exec.query(pgText, params, "objects")).rows as Row[];
}
