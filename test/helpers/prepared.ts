import type { SqliteDb } from "../../src/db/handle.ts";

/** Records the SQL of every statement prepared on `db` until `restore()` (EXPLAIN QUERY PLAN: SQLite only). */
function spyPrepare(db: SqliteDb) {
  const client = db.sqlite;
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
export function preparedBy(db: SqliteDb, fn: () => void): string[] {
  const spy = spyPrepare(db);
  try {
    fn();
  } finally {
    spy.restore();
  }
  return spy.seen;
}

export async function preparedByAsync(db: SqliteDb, fn: () => Promise<void>): Promise<string[]> {
  const spy = spyPrepare(db);
  try {
    await fn();
  } finally {
    spy.restore();
  }
  return spy.seen;
}
