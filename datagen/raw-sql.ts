/**
 * Raw SQL for test setup and checks (and the bench's fixtures) on either engine: plain standard SQL run on the
 * SQLite connection or, numbered `$1…`, on PostgreSQL. Parameters are `?` (an array) or `@name` (an object). For
 * what the bot's own src/db functions cannot write or read (aggregates seeded directly, a definition checked against
 * what the triggers kept, a reference query). Rows come back as objects named by the SELECT list (quote camelCase
 * aliases: PostgreSQL folds bare names); PostgreSQL's bigint and numeric arrive as numbers (src/db/pg/open.ts). One
 * statement per call (PostgreSQL's extended protocol takes one).
 */
import type { Db } from "../src/db/handle.ts";

export type SqlParams = readonly unknown[] | Readonly<Record<string, unknown>>;

/** `?` → `$1, $2…` in order; `@name` → `$n` per distinct name. (Test SQL has neither inside string literals.) */
function toPg(text: string, params: SqlParams): [string, unknown[]] {
  if (Array.isArray(params)) {
    let n = 0;
    return [text.replace(/\?/g, () => `$${++n}`), [...params]];
  }
  const named = params as Readonly<Record<string, unknown>>;
  const order: string[] = [];
  const out = text.replace(/@(\w+)/g, (_, name: string) => {
    if (!(name in named)) throw new Error(`no value for @${name}`);
    let k = order.indexOf(name);
    if (k < 0) k = order.push(name) - 1;
    return `$${k + 1}`;
  });
  return [out, order.map((name) => named[name])];
}

/** Runs one statement; returns how many rows it changed. */
export async function execSql(db: Db, text: string, params: SqlParams = []): Promise<number> {
  if (db.kind === "sqlite") {
    const st = db.sqlite.prepare(text);
    return (Array.isArray(params) ? st.run(...params) : st.run(params)).changes;
  }
  const [pgText, values] = toPg(text, params);
  return (await db.exec.query(pgText, values, "objects")).changes;
}

/** Runs one query; returns its rows. */
export async function querySql<Row = Record<string, unknown>>(
  db: Db,
  text: string,
  params: SqlParams = [],
): Promise<Row[]> {
  if (db.kind === "sqlite") {
    const st = db.sqlite.prepare(text);
    return (Array.isArray(params) ? st.all(...params) : st.all(params)) as Row[];
  }
  const [pgText, values] = toPg(text, params);
  return (await db.exec.query(pgText, values, "objects")).rows as Row[];
}

/** The first row of a query, or undefined. */
export async function queryFirst<Row = Record<string, unknown>>(
  db: Db,
  text: string,
  params: SqlParams = [],
): Promise<Row | undefined> {
  return (await querySql<Row>(db, text, params))[0];
}

/** The one row a query returns (an aggregate); throws when there is none. */
export async function queryOne<Row = Record<string, unknown>>(
  db: Db,
  text: string,
  params: SqlParams = [],
): Promise<Row> {
  const row = await queryFirst<Row>(db, text, params);
  if (row === undefined) throw new Error(`no row from: ${text}`);
  return row;
}
