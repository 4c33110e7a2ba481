import { statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import { type Engine, Gate, type SqliteDb } from "../handle.ts";
import { explainSqliteError, preparePath } from "./open-errors.ts";

export const SQLITE_MIGRATIONS = resolve(dirname(fileURLToPath(import.meta.url)), "../../../drizzle/sqlite");

/**
 * Opens (creating the folder), sets the pragmas the bot relies on, and applies pending migrations. A path that
 * cannot serve as the database (a directory, not a database, truncated, corrupt, an unwritable folder…) throws a
 * DatabaseOpenError that says so in one line.
 */
export function openSqlite(path: string): SqliteDb {
  if (path === ":memory:") return setUp(new Database(path), null);
  const abs = resolve(path);
  preparePath(abs);
  let sqlite: Database.Database | null = null;
  try {
    sqlite = new Database(abs);
    const db = setUp(sqlite, abs);
    probeTables(sqlite);
    return db;
  } catch (err) {
    sqlite?.close();
    throw explainSqliteError(abs, err) ?? err;
  }
}

function setUp(sqlite: Database.Database, path: string | null): SqliteDb {
  sqlite.pragma("busy_timeout = 5000"); // first: a second process starting mid-migration waits, not fails
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("synchronous = NORMAL");
  // 64 MiB of page cache (SQLite's default is 2 MiB): the hot index pages of a big database stay in process.
  sqlite.pragma("cache_size = -65536");
  if (path !== null) checkpointInBackground(sqlite, path);
  const builder = drizzle(sqlite);
  migrateOnce(builder);
  return sqliteHandle(sqlite, path, {
    kind: "sqlite",
    builder,
    dialect: new SQLiteSyncDialect(),
    compiled: new WeakMap(),
  });
}

/**
 * drizzle's migrator reads which migrations are applied before it takes the write lock, so two processes starting
 * together on a fresh file (two shards, two machines' first shards) can both try the first migration: the second
 * waits for the lock (busy_timeout), then fails on a table the first created. Read again and retry: by then the
 * first process committed, and there is nothing left to apply (or only what it had not reached).
 */
function migrateOnce(builder: ReturnType<typeof drizzle>): void {
  for (let attempt = 1; ; attempt++) {
    try {
      migrate(builder, { migrationsFolder: SQLITE_MIGRATIONS });
      return;
    } catch (err) {
      const raced = err instanceof Error && /already exists/.test(err.message);
      if (!raced || attempt >= 5) throw err;
    }
  }
}

/** The connection's handle and the one its transactions run with (client.ts `tx`). */
function sqliteHandle(sqlite: Database.Database, path: string | null, engine: Engine): SqliteDb {
  const gate = new Gate();
  const inTx: SqliteDb = {
    kind: "sqlite",
    engine,
    sqlite,
    gate,
    path,
    txHandle: null,
    bound: new WeakMap(),
    depth: 1,
  };
  return { kind: "sqlite", engine, sqlite, gate, path, txHandle: inTx, bound: new WeakMap(), depth: 0 };
}

/**
 * Reads the first row of every table, so damage to the schema or a table's first pages stops start-up with one
 * line instead of failing the first command that reads them. A few pages per table: a full `PRAGMA
 * quick_check` reads the whole file (minutes for a large one), so damage deep inside a big table is still only
 * found by the query that reads it.
 */
function probeTables(sqlite: Database.Database): void {
  const tables = sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
  for (const name of tables)
    sqlite.prepare(`SELECT * FROM "${String(name).replaceAll('"', '""')}" LIMIT 1`).get();
}

/**
 * Closes the connection at shutdown, after `PRAGMA optimize` (SQLite refreshes the statistics its plans use) when
 * it can have the write lock at once: shards stopping together on one file each run it, and one's ANALYZE of a
 * big table holds the lock for seconds, past the others' busy timeout. Statistics are a refresh, not a duty: the
 * next close does it.
 */
export function closeSqlite(db: SqliteDb): void {
  if (!db.sqlite.open) return;
  db.sqlite.pragma("busy_timeout = 0");
  try {
    db.sqlite.pragma("optimize");
  } catch (err) {
    // SQLITE_BUSY, or an extended code of it (BUSY_SNAPSHOT: another shard committed meanwhile).
    if (!String((err as { code?: string }).code).startsWith("SQLITE_BUSY")) throw err;
  }
  db.sqlite.close();
}

// ── WAL checkpoints off the event loop ────────────────────────────────────────────────────────────────────
//
// SQLite's automatic checkpoint runs inside the commit that crosses 1,000 WAL pages: that one rating then copies
// ~4 MB back into the database and fsyncs it, 10–25 ms on a small VPS, the whole p99 of the rating path. Here the
// connection only checkpoints as a last resort (a much larger WAL), and once the WAL has really grown, a worker
// thread with its own connection runs PASSIVE checkpoints every second. A PASSIVE checkpoint never blocks
// writers or readers; commits (synchronous=NORMAL) never wait for its fsync. Small databases (tests) never
// reach the threshold and never start the thread.

const FALLBACK_AUTOCHECKPOINT_PAGES = 20_000;
const START_AFTER_BYTES = 4 * 1024 * 1024;
const CHECK_EVERY_MS = 1_000;
const BETTER_SQLITE3 = createRequire(import.meta.url).resolve("better-sqlite3");

const CHECKPOINTER = `
const { workerData, parentPort } = require("node:worker_threads");
const Database = require(workerData.module);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma("busy_timeout = 0");
const checkpoint = () => {
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch {
    // busy (another checkpointer) or closing: try again next time
  }
};
const timer = setInterval(checkpoint, workerData.everyMs);
parentPort.once("message", () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
checkpoint();
`;

function checkpointInBackground(sqlite: Database.Database, path: string): void {
  sqlite.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
  let worker: Worker | null = null;
  const watch = setInterval(() => {
    let size = 0;
    try {
      size = statSync(`${path}-wal`).size;
    } catch {
      return;
    }
    if (size < START_AFTER_BYTES) return;
    clearInterval(watch);
    worker = new Worker(CHECKPOINTER, {
      eval: true,
      workerData: { module: BETTER_SQLITE3, path, everyMs: CHECK_EVERY_MS },
    });
    worker.on("error", () => sqlite.open && sqlite.pragma("wal_autocheckpoint = 1000"));
    worker.unref();
  }, CHECK_EVERY_MS);
  watch.unref();
  const close = sqlite.close.bind(sqlite);
  sqlite.close = () => {
    clearInterval(watch);
    worker?.postMessage("stop");
    return close();
  };
}
