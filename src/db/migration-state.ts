/**
 * Whether the two databases of a copy are at the migrations this checkout ships (drizzle/sqlite, drizzle/pg), read
 * from drizzle's own journal tables (`__drizzle_migrations`: one row per applied migration, `created_at` = the
 * migration's journal time). The copy moves rows column for column, so both sides must have the same tables: a
 * file behind is migrated by starting the bot on it, never by the copy (which opens it read-only).
 */
import type Database from "better-sqlite3";
import { readMigrationFiles } from "drizzle-orm/migrator";
import type { PgExecutor } from "./handle.ts";
import { PG_MIGRATIONS } from "./pg/open.ts";
import { SQLITE_MIGRATIONS } from "./sqlite/open.ts";

export type MigrationState =
  | { kind: "current"; applied: number }
  | { kind: "behind" | "ahead"; applied: number; known: number }
  | { kind: "none" };

/** Compares the applied migrations' times with the ones a migrations folder holds. */
export function compareMigrations(applied: number[], known: number[]): MigrationState {
  if (applied.length === 0) return { kind: "none" };
  const last = Math.max(...applied);
  const lastKnown = Math.max(...known);
  if (last > lastKnown || applied.some((t) => !known.includes(t)))
    return { kind: "ahead", applied: applied.length, known: known.length };
  if (last < lastKnown) return { kind: "behind", applied: applied.length, known: known.length };
  return { kind: "current", applied: applied.length };
}

function knownTimes(folder: string): number[] {
  return readMigrationFiles({ migrationsFolder: folder }).map((m) => m.folderMillis);
}

/** The SQLite file's migrations against drizzle/sqlite (`none` when it has no journal: not the bot's file). */
export function sqliteMigrationState(sqlite: Database.Database): MigrationState {
  const journal = sqlite
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'")
    .get();
  if (journal === undefined) return { kind: "none" };
  const applied = sqlite
    .prepare("SELECT created_at FROM __drizzle_migrations")
    .raw()
    .all()
    .map((r) => Number((r as unknown[])[0]));
  return compareMigrations(applied, knownTimes(SQLITE_MIGRATIONS));
}

/** PostgreSQL's migrations (drizzle keeps them in the `drizzle` schema) against drizzle/pg. */
export async function pgMigrationState(exec: PgExecutor): Promise<MigrationState> {
  const { rows } = await exec.query("SELECT created_at FROM drizzle.__drizzle_migrations", [], "arrays");
  const applied = rows.map((r) => Number((r as unknown[])[0]));
  return compareMigrations(applied, knownTimes(PG_MIGRATIONS));
}

/** One line for a state that is not `current`, naming what to do. */
export function explainMigrationState(what: string, s: MigrationState): string {
  switch (s.kind) {
    case "none":
      return `${what} has no drizzle migrations table: it is not a database the bot made`;
    case "behind":
      return `${what} has ${s.applied} of this version's ${s.known} migrations: start the bot on it once (it migrates on start), then copy`;
    case "ahead":
      return `${what} has migrations this version does not know (${s.applied} applied, ${s.known} known): copy with the version that wrote it`;
    case "current":
      return `${what} is up to date`;
  }
}
