import { mkdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import Database from "better-sqlite3";
import { type BetterSQLite3Database, drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import * as schema from "./schema.ts";

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export const MIGRATIONS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../drizzle");

/** Opens (creating the folder), sets the pragmas the bot relies on, and applies pending migrations. */
export function openDb(path: string): Db {
  if (path !== ":memory:") mkdirSync(dirname(resolve(path)), { recursive: true });
  const sqlite = new Database(path);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("busy_timeout = 5000");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("synchronous = NORMAL");
  // 64 MiB of page cache (SQLite's default is 2 MiB): the hot index pages of a big database stay in process.
  sqlite.pragma("cache_size = -65536");
  if (path !== ":memory:") checkpointInBackground(sqlite, resolve(path));
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder: MIGRATIONS_DIR });
  return db;
}

/** Runs `fn` in one IMMEDIATE transaction (takes the write lock up front, so two processes serialise cleanly). */
export function tx<T>(db: Db, fn: () => T): T {
  return db.$client.transaction(fn).immediate();
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
