/**
 * Opening the database the bot was given (an SQLite file by default, PostgreSQL for a `postgres://` URL, an
 * in-process PGlite for `pglite:`), transactions on either engine, and closing.
 */
import type Database from "better-sqlite3";
import type { Db, PgDb, SqliteDb } from "./handle.ts";
import { openPglite, openPostgres, pgTxHandle } from "./pg/open.ts";
import { closeSqlite, openSqlite } from "./sqlite/open.ts";

export type { Db, EngineKind } from "./handle.ts";

/** Which engine a `DATABASE_URL` / path names. */
export function engineOf(target: string): "sqlite" | "pg" | "pglite" {
  if (/^postgres(ql)?:\/\//i.test(target)) return "pg";
  if (/^pglite:/i.test(target)) return "pglite";
  return "sqlite";
}

/**
 * Opens `target` and applies pending migrations: `postgres://…` (a pool), `pglite:` (memory) or `pglite:<dir>`,
 * else an SQLite file path (or `:memory:`).
 */
export async function openDb(target: string): Promise<Db> {
  switch (engineOf(target)) {
    case "pg":
      return openPostgres(target);
    case "pglite": {
      const dir = target.replace(/^pglite:(\/\/)?/i, "");
      return openPglite(dir === "" ? undefined : dir);
    }
    default:
      return openSqlite(target);
  }
}

/** Closes the connection (SQLite: after `PRAGMA optimize`) or the pool. */
export async function closeDb(db: Db): Promise<void> {
  if (db.kind === "sqlite") closeSqlite(db);
  else await db.close();
}

export interface TxOptions {
  /**
   * Serialises with every other transaction of the same key, in every process (PostgreSQL: an advisory lock;
   * a member's id for the writes that check a card state's version). SQLite's IMMEDIATE transactions are already
   * serial, so there it changes nothing.
   */
  lockKey?: string;
  /**
   * Several keys at once, taken in sorted order (so two transactions never wait on each other's): a unit of work
   * that writes several members' reviews (a party round's close).
   */
  lockKeys?: readonly string[];
}

/**
 * Runs `fn` as one transaction, with the handle it must use for every statement inside (`t`, never the outer
 * `db`): SQLite BEGIN IMMEDIATE (the write lock up front, so two processes serialise cleanly); PostgreSQL a
 * client of its own, READ COMMITTED, with `lockKey`'s advisory lock. Inside a transaction it is a savepoint.
 * Rolls back when `fn` throws.
 */
export function tx<T>(db: Db, fn: (t: Db) => Promise<T>, o: TxOptions = {}): Promise<T> {
  return db.kind === "sqlite" ? sqliteTx(db, fn, "IMMEDIATE") : pgTx(db, fn, false, lockKeysOf(o));
}

/** A read-only transaction: one consistent snapshot for several reads (SQLite DEFERRED; PostgreSQL REPEATABLE READ). */
export function readTx<T>(db: Db, fn: (t: Db) => Promise<T>): Promise<T> {
  return db.kind === "sqlite" ? sqliteTx(db, fn, "DEFERRED") : pgTx(db, fn, true, undefined);
}

/**
 * Whether units of work on this handle make progress side by side. SQLite: no, its one connection runs one
 * transaction at a time (client.ts's gate), so a job that starts several at once only lets the JavaScript
 * between one worker's statements run inside another's transaction, holding the write lock meanwhile.
 * PostgreSQL: yes, each on a client of the pool.
 */
export function runsSideBySide(db: Db): boolean {
  return db.kind === "pg";
}

/** Whether `db` is a transaction's handle. */
export function inTransaction(db: Db): boolean {
  return db.depth > 0;
}

const lockKeysOf = (o: TxOptions): string[] =>
  [...new Set([...(o.lockKey === undefined ? [] : [o.lockKey]), ...(o.lockKeys ?? [])])].sort();

function pgTx<T>(db: PgDb, fn: (t: Db) => Promise<T>, readOnly: boolean, lockKeys?: string[]): Promise<T> {
  if (db.depth > 0) return nested(db, () => db.begin(() => fn(db), { readOnly }));
  return db.begin((exec) => fn(pgTxHandle(db, exec)), { readOnly, lockKeys });
}

async function nested<T>(db: Db, run: () => Promise<T>): Promise<T> {
  db.depth++;
  try {
    return await run();
  } finally {
    db.depth--;
  }
}

const CONTROL = new WeakMap<Database.Database, Record<string, Database.Statement>>();

/** BEGIN/COMMIT/… prepared once per connection. */
function control(sqlite: Database.Database, what: string): Database.Statement {
  let all = CONTROL.get(sqlite);
  if (all === undefined) {
    all = {};
    CONTROL.set(sqlite, all);
  }
  all[what] ??= sqlite.prepare(what);
  return all[what];
}

async function sqliteTx<T>(db: SqliteDb, fn: (t: Db) => Promise<T>, mode: string): Promise<T> {
  const { sqlite } = db;
  if (db.txHandle === null) {
    const name = `sp${db.depth}`;
    return nested(db, async () => {
      control(sqlite, `SAVEPOINT ${name}`).run();
      try {
        const result = await fn(db);
        control(sqlite, `RELEASE ${name}`).run();
        return result;
      } catch (err) {
        control(sqlite, `ROLLBACK TO ${name}`).run();
        control(sqlite, `RELEASE ${name}`).run();
        throw err;
      }
    });
  }
  const wait = db.gate.enter();
  if (wait) await wait;
  try {
    if (mode === "IMMEDIATE") await beginImmediate(sqlite);
    else control(sqlite, `BEGIN ${mode}`).run();
    const t0 = mode === "IMMEDIATE" && db.onWriteTx ? performance.now() : 0;
    let body = 0;
    try {
      const result = await fn(db.txHandle);
      if (t0 > 0) body = performance.now() - t0;
      control(sqlite, "COMMIT").run();
      return result;
    } catch (err) {
      if (sqlite.inTransaction) control(sqlite, "ROLLBACK").run();
      throw err;
    } finally {
      if (t0 > 0) db.onWriteTx?.(body, performance.now() - t0 - body);
    }
  } finally {
    db.gate.leave();
  }
}

/** As the connection's busy_timeout (sqlite/open.ts): how long a transaction waits for another's write lock. */
const BEGIN_WAIT_MS = 5_000;

/**
 * BEGIN IMMEDIATE, waiting for another connection's write lock with timers instead of busy_timeout's synchronous
 * sleep: a transaction's body awaits between its statements, so when the lock holder is another connection in
 * this same process (two bots on one file in a test, the sandbox), blocking the thread would stop the holder
 * from ever committing. Another process's lock is waited out the same way, for as long as busy_timeout would.
 */
async function beginImmediate(sqlite: Database.Database): Promise<void> {
  const deadline = Date.now() + BEGIN_WAIT_MS;
  control(sqlite, "PRAGMA busy_timeout = 0").get();
  try {
    for (let pause = 1; ; pause = Math.min(pause * 2, 50)) {
      try {
        control(sqlite, "BEGIN IMMEDIATE").run();
        return;
      } catch (err) {
        const busy = err instanceof Error && "code" in err && err.code === "SQLITE_BUSY";
        if (!busy || Date.now() >= deadline) throw err;
      }
      await new Promise((res) => setTimeout(res, pause));
    }
  } finally {
    control(sqlite, `PRAGMA busy_timeout = ${BEGIN_WAIT_MS}`).get();
  }
}
