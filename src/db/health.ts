/**
 * What the health check and the metrics ask of the database (src/ops/): whether it answers, and how big it is.
 * No table of the bot's: these hold on a database at any migration level.
 */
import { statSync } from "node:fs";
import { sql } from "drizzle-orm";
import type { Db } from "./client.ts";
import { perConnection, rawPrepared } from "./prepared.ts";

const statements = perConnection((_b, kind) => ({
  // SQLite: a read of the schema page, so the file (and its WAL index) must be readable, which `SELECT 1` never
  // touches; PostgreSQL: a round trip to the server.
  ping: rawPrepared<{ n: number }>(
    kind === "sqlite" ? sql`SELECT count(*) AS n FROM sqlite_schema` : sql`SELECT 1 AS n`,
  ),
}));

/** PostgreSQL only (SQLite would refuse to prepare the function). */
const pgStatements = perConnection(() => ({
  size: rawPrepared<{ bytes: number }>(sql`SELECT pg_database_size(current_database()) AS bytes`),
}));

/** Resolves once the database answered a trivial query; rejects with the engine's error. */
export async function databaseAnswers(db: Db): Promise<void> {
  await statements(db).ping.get();
}

/**
 * Bytes the database takes on disk: SQLite the file and its `-wal` (a long-running reader can keep the WAL
 * large); PostgreSQL `pg_database_size`. Null for an SQLite database in memory.
 */
export async function databaseBytes(db: Db): Promise<number | null> {
  if (db.kind === "pg") return Number((await pgStatements(db).size.get())?.bytes ?? 0);
  if (db.path === null) return null;
  const size = (file: string) => statSync(file, { throwIfNoEntry: false })?.size ?? 0;
  return size(db.path) + size(`${db.path}-wal`);
}
