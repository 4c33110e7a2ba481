/**
 * Backups of the SQLite file: SQLite's online backup API (better-sqlite3 `backup`), which copies a consistent
 * snapshot page by page while the bot keeps reading and writing (every transaction committed before it starts is
 * in the copy, none half-written), into a temporary name renamed into place when complete; and the checks a
 * restore makes of a file first (`integrity_check`, the migration level).
 */
import { renameSync, rmSync, statSync } from "node:fs";
import Database from "better-sqlite3";
import { explainMigrationState, sqliteMigrationState } from "../migration-state.ts";

/** Copies the open database into `out` (replaced only once the copy is complete); resolves to its size. */
export async function backupInto(sqlite: Database.Database, out: string): Promise<number> {
  const partial = `${out}.partial-${process.pid}`;
  try {
    await sqlite.backup(partial);
    // One self-contained file: the copy keeps the source's WAL mode, in which even a read-only look at it leaves
    // -wal and -shm files behind. The bot sets WAL again when it opens a restored file.
    const copy = new Database(partial);
    try {
      copy.pragma("journal_mode = DELETE");
    } finally {
      copy.close();
    }
    renameSync(partial, out);
  } finally {
    rmSync(partial, { force: true });
  }
  return statSync(out).size;
}

/** Copies the SQLite file at `source` (a running bot's, as like as not) into `out`. */
export async function backupFile(source: string, out: string): Promise<number> {
  const sqlite = new Database(source, { readonly: true, fileMustExist: true });
  try {
    return await backupInto(sqlite, out);
  } finally {
    sqlite.close();
  }
}

/** What a restore checks of a backup before it puts it in place: its problems, empty when none. */
export function checkBackup(path: string): string[] {
  let sqlite: Database.Database;
  try {
    sqlite = new Database(path, { readonly: true, fileMustExist: true });
  } catch (err) {
    return [`it cannot be opened as SQLite (${(err as Error).message})`];
  }
  try {
    const integrity = sqlite.pragma("integrity_check", { simple: false }) as { integrity_check: string }[];
    const bad = integrity.map((r) => r.integrity_check).filter((r) => r !== "ok");
    if (bad.length > 0) return [`integrity_check failed: ${bad.slice(0, 3).join("; ")}`];
    const state = sqliteMigrationState(sqlite);
    // Behind is fine: the bot migrates it on its next start. Ahead or none is not a file this version can run.
    if (state.kind === "none" || state.kind === "ahead") return [explainMigrationState("it", state)];
    return [];
  } catch (err) {
    return [`it cannot be read as SQLite (${(err as Error).message})`];
  } finally {
    sqlite.close();
  }
}
