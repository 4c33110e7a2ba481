import type { Db, SqliteDb } from "../../src/db/handle.ts";

/** The SQLite connection under `db`: EXPLAIN QUERY PLAN tests read SQLite's planner, so they run on SQLite only. */
function sqliteOf(db: Db): SqliteDb["sqlite"] {
  if (db.kind !== "sqlite") throw new Error("preparedBy spies on SQLite's prepare: give it an SQLite handle");
  return db.sqlite;
}

/** Records the SQL of every statement prepared on `db`'s SQLite connection until `restore()`. */
function spyPrepare(db: Db) {
  const client = sqliteOf(db);
  const original = client.prepare.bind(client);
  const seen: string[] = [];
  client.prepare = ((source: string) => {
    seen.push(source);
    return original(source);
  }) as typeof client.prepare;
  const restore = () => {
    client.prepare = original as typeof client.prepare;
  };
  return { seen, restore };
}

/** Runs `fn` and returns the SQL of every statement it prepared (for EXPLAIN QUERY PLAN tests). */
export function preparedBy(db: Db, fn: () => void): string[] {
  const spy = spyPrepare(db);
  try {
    fn();
  } finally {
    spy.restore();
  }
  return spy.seen;
}

export async function preparedByAsync(db: Db, fn: () => Promise<void>): Promise<string[]> {
  const spy = spyPrepare(db);
  try {
    await fn();
  } finally {
    spy.restore();
  }
  return spy.seen;
}
