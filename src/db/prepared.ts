import type Database from "better-sqlite3";
import type { Db } from "./client.ts";

export type Statements<K extends string> = { [P in K]: Database.Statement };

/**
 * Statements prepared once per connection, on first use. Hot paths use plain SQL this way: preparing a statement
 * costs more than running most of them, and drizzle's builder prepares on every call. `tune` may set a
 * statement's row mode (`.raw()`, `.pluck()`).
 */
export function preparedOnce<K extends string>(
  sql: Readonly<Record<K, string>>,
  tune: (key: K, stmt: Database.Statement) => Database.Statement = (_k, s) => s,
): (db: Db) => Statements<K> {
  const cache = new WeakMap<Database.Database, Statements<K>>();
  return (db) => {
    let s = cache.get(db.$client);
    if (!s) {
      const entries = (Object.keys(sql) as K[]).map((k) => [k, tune(k, db.$client.prepare(sql[k]))] as const);
      s = Object.fromEntries(entries) as Statements<K>;
      cache.set(db.$client, s);
    }
    return s;
  };
}
