import type Database from "better-sqlite3";
import type { BaseSQLiteDatabase, SQLiteDialect } from "drizzle-orm/sqlite-core";

/**
 * What every query in src/db is built with: drizzle's SQLite builder over the one logical schema (`schema.ts`).
 * (No relational schema: src/db uses the builder, never `db.query`.) On SQLite it is the real connection; on PostgreSQL a builder whose dialect renders PostgreSQL parameters
 * (pg/dialect.ts) and that never runs anything itself. One definition of each query serves both engines.
 */
export type Builder = BaseSQLiteDatabase<"sync" | "async", unknown>;

export type EngineKind = "sqlite" | "pg";

/** One statement on PostgreSQL: the pool outside a transaction, the transaction's own client inside. */
export interface PgExecutor {
  query(text: string, params: unknown[], rows: "objects" | "arrays"): Promise<PgResult>;
  /**
   * Statements with their values written in, `;`-separated, sent as one simple query (one round trip); resolves to
   * each one's changed-row count. Without it, prepared.ts `runWrites` runs them one by one.
   */
  batch?(text: string): Promise<number[]>;
  /**
   * `COPY … FROM STDIN` fed with `chunks` (whole lines of COPY's text format); resolves to the rows PostgreSQL took.
   * Only a server connection inside a transaction has it (db:copy); PGlite and the pool do not.
   */
  copyFrom?(text: string, chunks: Iterable<string> | AsyncIterable<string>): Promise<number>;
}

export interface PgResult {
  rows: unknown[];
  changes: number;
}

/**
 * What a connection builds once and shares with its transactions: the builder, and each module's statements
 * compiled for this engine (prepared.ts `perConnection`).
 */
export interface Engine {
  readonly kind: EngineKind;
  readonly builder: Builder;
  /** Renders whole `sql` templates (raw statements) as this engine reads them. */
  readonly dialect: SQLiteDialect;
  readonly compiled: WeakMap<object, unknown>;
}

/**
 * Serialises SQLite transactions on the one connection (a transaction's body awaits between its statements, so
 * two could otherwise interleave on it); a statement outside any transaction waits until none is open, so it
 * never runs inside another caller's.
 */
export class Gate {
  busy = false;
  private queue: (() => void)[] = [];
  private idlers: (() => void)[] = [];

  /** Takes the gate at once when free (no promise on the uncontended path), else waits for its turn. */
  enter(): Promise<void> | undefined {
    if (!this.busy) {
      this.busy = true;
      return undefined;
    }
    return new Promise((res) => this.queue.push(res));
  }

  leave(): void {
    const next = this.queue.shift();
    if (next) {
      next(); // the gate passes straight to the next transaction
      return;
    }
    this.busy = false;
    const idlers = this.idlers;
    this.idlers = [];
    for (const f of idlers) f();
  }

  /** Resolves when the gate is next free; callers loop `while (gate.busy) await gate.idle()`. */
  idle(): Promise<void> {
    return new Promise((res) => this.idlers.push(res));
  }
}

interface HandleBase {
  /** Statement sets bound to this handle (prepared.ts). */
  readonly bound: WeakMap<object, unknown>;
  /** 0 outside a transaction; savepoints nest above 1. */
  depth: number;
}

/** The embedded engine: one better-sqlite3 connection, synchronous inside. */
export interface SqliteDb extends HandleBase {
  readonly kind: "sqlite";
  readonly engine: Engine;
  readonly sqlite: Database.Database;
  readonly gate: Gate;
  /**
   * On the connection's handle: the one handle its transactions run with (one at a time holds the gate). Null
   * on that transaction handle itself.
   */
  readonly txHandle: SqliteDb | null;
  /** The file, or null for `:memory:`. */
  readonly path: string | null;
  /**
   * Told how long each IMMEDIATE transaction held the write lock (ms): its body (from BEGIN to the end of the
   * work), then its COMMIT, whose WAL write can wait on the disk (the bench's write-lock figures).
   */
  onWriteTx?: (bodyMs: number, commitMs: number) => void;
}

/** PostgreSQL, pooled (node-postgres) or in process (PGlite): a pool handle, or one transaction's client. */
export interface PgDb extends HandleBase {
  readonly kind: "pg";
  readonly engine: Engine;
  readonly exec: PgExecutor;
  /** Opens a transaction on a client of its own (pg/open.ts); on a transaction's handle, a savepoint. */
  readonly begin: PgBegin;
  /** What `DATABASE_URL` named, password hidden ("pglite" for the in-process engine). */
  readonly label: string;
  close(): Promise<void>;
}

export type PgBegin = <T>(
  fn: (exec: PgExecutor) => Promise<T>,
  /** `lockKeys`: advisory locks taken after BEGIN, in this order (sorted by the caller). */
  o: { readOnly: boolean; lockKeys?: readonly string[] },
) => Promise<T>;

/** A database handle: what services pass to src/db. The same functions work on either engine. */
export type Db = SqliteDb | PgDb;
