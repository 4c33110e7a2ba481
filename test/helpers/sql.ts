/**
 * Raw SQL in tests, on either engine: a fixture or a reference query the bot has no function for, written in SQL
 * both engines read. Parameters are `?` (an array) or `@name` (an object); on PostgreSQL they become `$n`. One
 * statement per call (PostgreSQL's extended protocol takes one).
 */
import type { Db } from "../../src/db/client.ts";

export type SqlParams = readonly unknown[] | Readonly<Record<string, unknown>>;

/** The rows of `text`, as objects named by its SELECT list (quote camelCase aliases: PostgreSQL folds names). */
export async function sqlAll<Row>(db: Db, text: string, params: SqlParams = []): Promise<Row[]> {
  if (db.kind === "sqlite") {
    const st = db.sqlite.prepare(text);
    return (Array.isArray(params) ? st.all(...params) : st.all(params)) as Row[];
  }
  const [pgText, values] = toPg(text, params);
  return (await db.exec.query(pgText, values, "objects")).rows as Row[];
}

/** The first row of `text`, or undefined. */
export async function sqlGet<Row>(db: Db, text: string, params: SqlParams = []): Promise<Row | undefined> {
  return (await sqlAll<Row>(db, text, params))[0];
}

/** Runs a write; how many rows it changed. */
export async function sqlRun(db: Db, text: string, params: SqlParams = []): Promise<number> {
  if (db.kind === "sqlite") {
    const st = db.sqlite.prepare(text);
    return (Array.isArray(params) ? st.run(...params) : st.run(params)).changes;
  }
  const [pgText, values] = toPg(text, params);
  return (await db.exec.query(pgText, values, "arrays")).changes;
}

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
