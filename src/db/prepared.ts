import type Database from "better-sqlite3";
import { is, Param, Placeholder, type SQL } from "drizzle-orm";
import { type PreparedQueryConfig, SQLitePreparedQuery } from "drizzle-orm/sqlite-core";
import pg from "pg";
import type { Builder, Db, EngineKind, PgDb, SqliteDb } from "./handle.ts";
import { rowMapper } from "./row-mapper.ts";

/**
 * How src/db keeps its statements. A module defines them once, with drizzle's SQLite builder over the one logical
 * schema; each engine compiles them once per connection (SQLite: better-sqlite3 prepared statements; PostgreSQL:
 * the text in `$n` form, run as named statements); each handle (a connection, or one transaction on it) gets
 * them bound, with methods that return promises on either engine.
 *
 *   const statements = perConnection((db) => ({
 *     state: db.select().from(cardStates)
 *       .where(and(eq(cardStates.userId, sql.placeholder("userId")), eq(cardStates.cardId, sql.placeholder("cardId"))))
 *       .prepare(),
 *   }));
 *   await statements(db).state.get({ userId, cardId });
 *
 * `kind` is there for the few statements whose SQL differs per engine (a table-valued function, a plan hint).
 */
export function perConnection<T extends Record<string, unknown>>(
  build: (db: Builder, kind: EngineKind) => T,
): (db: Db) => Bound<T> {
  const key = {};
  return (db) => {
    let bound = db.bound.get(key) as Bound<T> | undefined;
    if (bound === undefined) {
      let compiled = db.engine.compiled.get(key) as Compiled | undefined;
      if (compiled === undefined) {
        compiled = compile(db, build(db.engine.builder, db.kind));
        db.engine.compiled.set(key, compiled);
      }
      bound = bind(db, compiled) as Bound<T>;
      db.bound.set(key, bound);
    }
    return bound;
  };
}

/** A statement built on the spot and run once (cold paths: a deck import's lookups, a settings write). */
export function once<C extends PreparedQueryConfig>(
  db: Db,
  build: (b: Builder) => SQLitePreparedQuery<C>,
): Query<C> {
  const compiled = compile(db, { q: build(db.engine.builder) });
  return (bind(db, compiled) as { q: Query<C> }).q;
}

export type Values = Record<string, unknown>;

/** What a write reports: how many rows it changed. */
export interface Changes {
  changes: number;
}

/** A statement from drizzle's builder (`….prepare()`), bound to a handle. */
export interface Query<C extends PreparedQueryConfig> {
  readonly source: string;
  all(values?: Values): Promise<C["all"]>;
  get(values?: Values): Promise<C["get"]>;
  run(values?: Values): Promise<Changes>;
}

/** A whole statement written as a drizzle `sql` template; rows as objects named by the SELECT list. */
export interface RawStatement<Row> {
  /** The SQL as prepared (EXPLAIN tests). */
  readonly source: string;
  all(values?: Values): Promise<Row[]>;
  get(values?: Values): Promise<Row | undefined>;
  run(values?: Values): Promise<Changes>;
}

/** A raw statement whose rows are arrays in SELECT order. */
export interface TupleStatement<Row extends unknown[]> {
  readonly source: string;
  all(values?: Values): Promise<Row[]>;
}

/** A write built with drizzle's builder, bound by `binder`. */
export interface WriteStatement {
  readonly source: string;
  run(values?: Values): Promise<Changes>;
  /** PostgreSQL: the statement with `values` written in as literals (for `runWrites`); undefined on SQLite. */
  inline?(values: Values): string | undefined;
}

/**
 * Runs writes of one unit of work in order and resolves to each one's changed-row count. On PostgreSQL they go
 * as one simple query, their values written in as literals: one round trip instead of one per statement (a
 * rating's eight writes were eight of its fifteen round trips). On SQLite, or when a value cannot be written as
 * a literal, one by one. Inside a transaction: a failing write fails the whole unit of work.
 */
export async function runWrites(db: Db, writes: [WriteStatement, Values][]): Promise<number[]> {
  if (db.kind === "pg" && db.exec.batch && writes.length > 1) {
    const texts: string[] = [];
    for (const [w, v] of writes) {
      const text = w.inline?.(v);
      if (text === undefined) break;
      texts.push(text);
    }
    if (texts.length === writes.length) return db.exec.batch(texts.join(";\n"));
  }
  const out: number[] = [];
  for (const [w, v] of writes) out.push((await w.run(v)).changes);
  return out;
}

const RAW = Symbol("raw");
interface RawDef<Row> {
  readonly [RAW]: "objects" | "arrays";
  readonly query: SQL;
  readonly _row?: Row;
}
interface WriteDef {
  readonly [RAW]: "write";
  readonly query: { toSQL(): { sql: string; params: unknown[] } };
}

/**
 * For the few statements whose plan the builder cannot express (`INDEXED BY`, a `CROSS JOIN` that fixes the join
 * order, arithmetic over correlated counts): the `sql` template still names columns through the schema and binds
 * values with `sql.placeholder`. `Row` is the shape the SELECT list gives (quote camelCase aliases: PostgreSQL
 * folds bare names to lower case); each caller says why it is raw. Use inside `perConnection`.
 */
export function rawPrepared<Row>(query: SQL): RawDef<Row> {
  return { [RAW]: "objects", query };
}

/**
 * As `rawPrepared`, with rows as arrays (`Row` is the SELECT list's tuple): for reads of one row per member or slot
 * on a hot path, where an object per row costs more than the query. Each caller says why.
 */
export function rawTuples<Row extends unknown[]>(query: SQL): RawDef<Row> & { readonly tuples: true } {
  return { [RAW]: "arrays", query, tuples: true };
}

/**
 * For the writes of every rating (state, log, aggregates): the builder's SQL and column encoders, bound by `binder`
 * instead of drizzle's per-call placeholder filling (an `is()` walk of every parameter on every call, ~5% of a
 * rating's CPU in a profile of `recordRating`).
 */
export function preparedWrite(query: { toSQL(): { sql: string; params: unknown[] } }): WriteDef {
  return { [RAW]: "write", query };
}

export type Bound<T> = {
  [K in keyof T]: T[K] extends SQLitePreparedQuery<infer C>
    ? Query<C>
    : T[K] extends RawDef<infer R> & { tuples: true }
      ? R extends unknown[]
        ? TupleStatement<R>
        : never
      : T[K] extends RawDef<infer R>
        ? RawStatement<R>
        : T[K] extends WriteDef
          ? WriteStatement
          : T[K];
};

// ── compile: once per connection (SQLite) or per pool (PostgreSQL) ──────────────────────────────────────────

/** A statement ready for one engine: `run(handle, values)` → rows or changes, as that engine executes it. */
interface Ready {
  readonly source: string;
  all(db: Db, values: Values | undefined): Promise<unknown[]>;
  get(db: Db, values: Values | undefined): Promise<unknown>;
  run(db: Db, values: Values | undefined): Promise<Changes>;
  inline?(values: Values): string | undefined;
}
type Compiled = Record<string, Ready | { plain: unknown }>;

function compile(db: Db, defs: Record<string, unknown>): Compiled {
  const out: Compiled = {};
  for (const [name, def] of Object.entries(defs))
    out[name] = db.kind === "sqlite" ? compileSqlite(db, def) : compilePg(db, def);
  return out;
}

function isRaw(def: unknown): def is RawDef<unknown> | WriteDef {
  return typeof def === "object" && def !== null && RAW in def;
}

function compileSqlite(db: SqliteDb, def: unknown): Ready | { plain: unknown } {
  if (is(def, SQLitePreparedQuery)) {
    const q = def as SQLitePreparedQuery<PreparedQueryConfig & { type: "sync" }>;
    const { sql: text, params } = q.getQuery();
    const map = rowMapper(q);
    if (map === "drizzle")
      return sqliteReady(text, {
        all: (v) => q.all(v) as unknown[],
        get: (v) => q.get(v),
        run: (v) => q.run(v) as Database.RunResult,
      });
    // drizzle's own calls fill the placeholders by an `is()` walk and switch the statement to raw mode on every
    // call: its statement is run here directly, bound by `binder`, its rows mapped by `rowMapper`.
    const stmt = (q as unknown as { stmt?: Database.Statement }).stmt ?? db.sqlite.prepare(text);
    if (map && stmt.reader) stmt.raw();
    const values = binder(params);
    return sqliteReady(text, {
      all: map ? (v) => (stmt.all(...values(v)) as unknown[][]).map(map) : (v) => stmt.all(...values(v)),
      get: map
        ? (v) => {
            const row = stmt.get(...values(v)) as unknown[] | undefined;
            return row === undefined ? undefined : map(row);
          }
        : (v) => stmt.get(...values(v)),
      run: (v) => stmt.run(...values(v)),
    });
  }
  if (!isRaw(def)) return { plain: def };
  const { sql: text, params } =
    def[RAW] === "write" ? def.query.toSQL() : db.engine.dialect.sqlToQuery(def.query);
  const stmt = db.sqlite.prepare(text);
  if (def[RAW] === "arrays") stmt.raw(); // rows as arrays (a tuple statement has only `all`)
  const values = binder(params);
  return sqliteReady(text, {
    all: (v) => stmt.all(...values(v)),
    get: (v) => stmt.get(...values(v)),
    run: (v) => stmt.run(...values(v)),
  });
}

/**
 * SQLite statements run synchronously; outside a transaction they first wait until none is open on the
 * connection (handle.ts `Gate`), so they never run inside another caller's.
 */
function sqliteReady(
  source: string,
  f: {
    all: (v: Values | undefined) => unknown[];
    get: (v: Values | undefined) => unknown;
    run: (v: Values | undefined) => Database.RunResult;
  },
): Ready {
  const call = <R>(db: Db, fn: () => R): Promise<R> => {
    const h = db as SqliteDb;
    if (h.txHandle !== null && h.gate.busy) return waitThen(h, fn);
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(err);
    }
  };
  return {
    source,
    all: (db, v) => call(db, () => f.all(v)),
    get: (db, v) => call(db, () => f.get(v)),
    run: (db, v) => call(db, () => ({ changes: f.run(v).changes })),
  };
}

async function waitThen<R>(db: SqliteDb, fn: () => R): Promise<R> {
  while (db.gate.busy) await db.gate.idle();
  return fn();
}

function compilePg(db: PgDb, def: unknown): Ready | { plain: unknown } {
  if (is(def, SQLitePreparedQuery)) {
    const q = def as SQLitePreparedQuery<PreparedQueryConfig>;
    const { sql: text, params } = q.getQuery();
    const values = binder(params);
    const first = firstRowOnly(text);
    const found = rowMapper(q);
    const map =
      found === "drizzle" || found === null
        ? (row: unknown) => q.mapGetResult(row)
        : (row: unknown) => found(row as unknown[]);
    return {
      source: text,
      all: async (h, v) => (await pgExec(h).query(text, values(v), "arrays")).rows.map(map),
      get: async (h, v) => {
        const { rows } = await pgExec(h).query(first, values(v), "arrays");
        return rows.length === 0 ? undefined : map(rows[0]);
      },
      run: async (h, v) => ({ changes: (await pgExec(h).query(text, values(v), "arrays")).changes }),
    };
  }
  if (!isRaw(def)) return { plain: def };
  const { sql: text, params } =
    def[RAW] === "write" ? def.query.toSQL() : db.engine.dialect.sqlToQuery(def.query);
  const values = binder(params);
  const first = firstRowOnly(text);
  const mode = def[RAW] === "arrays" ? "arrays" : "objects";
  return {
    source: text,
    inline: (v) => inlined(text, values(v)),
    all: async (h, v) => (await pgExec(h).query(text, values(v), mode)).rows,
    get: async (h, v) => (await pgExec(h).query(first, values(v), mode)).rows[0],
    run: async (h, v) => ({ changes: (await pgExec(h).query(text, values(v), mode)).changes }),
  };
}

/**
 * The text a `get` runs on PostgreSQL. SQLite's `get` steps to the first row and stops; PostgreSQL returns every
 * row and plans for all of them (the next due card read every due card of the member, sorted: next card p50
 * 1.9 ms at the target size). A SELECT without its own LIMIT or row lock gets `LIMIT 1`, which
 * also lets the planner choose a plan that stops early.
 */
export function firstRowOnly(text: string): string {
  if (!/^\s*select\b/i.test(text)) return text;
  if (/\blimit\s+(\d+|\$\d+)(\s+offset\s+\S+)?\s*$/i.test(text)) return text;
  if (/\bfor\s+(update|share|no\s+key\s+update|key\s+share)\b/i.test(text)) return text;
  return `${text} limit 1`;
}

/**
 * `text` with its `$n` parameters written as literals; undefined when a value has no safe literal form. Strings
 * through node-postgres' own escaping, numbers only when finite (negative ones in parentheses, so that `- -1`
 * cannot become a comment), nothing else.
 */
export function inlined(text: string, params: unknown[]): string | undefined {
  const literals: string[] = [];
  for (const x of params) {
    if (x === null || x === undefined) literals.push("NULL");
    else if (typeof x === "string") literals.push(pg.escapeLiteral(x));
    else if (typeof x === "number" && Number.isFinite(x)) literals.push(x < 0 ? `(${x})` : String(x));
    else if (typeof x === "bigint") literals.push(x < 0n ? `(${x})` : String(x));
    else return undefined;
  }
  let missing = false;
  const out = text.replace(/\$(\d+)/g, (_, n: string) => {
    const literal = literals[Number(n) - 1];
    if (literal === undefined) missing = true;
    return literal ?? "";
  });
  return missing ? undefined : out;
}

function pgExec(db: Db) {
  return (db as PgDb).exec;
}

// ── bind: once per handle ───────────────────────────────────────────────────────────────────────────────────

function bind(db: Db, compiled: Compiled): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, c] of Object.entries(compiled)) {
    if ("plain" in c) {
      out[name] = c.plain;
      continue;
    }
    out[name] = {
      source: c.source,
      all: (v?: Values) => c.all(db, v),
      get: (v?: Values) => c.get(db, v),
      run: (v?: Values) => c.run(db, v),
      inline: c.inline,
    };
  }
  return out;
}

/**
 * What drizzle's `fillPlaceholders` does on every call (a placeholder takes its value, through its column's
 * encoder when it has one; anything else is a constant), decided once per statement.
 */
function binder(params: readonly unknown[]): (values: Values | undefined) => unknown[] {
  const slots = params.map((p): ((v: Values) => unknown) => {
    if (is(p, Placeholder)) return named(p.name, (x) => x);
    if (is(p, Param) && is(p.value, Placeholder)) {
      const { encoder } = p;
      return named(p.value.name, (x) => encoder.mapToDriverValue(x));
    }
    return () => p;
  });
  return (values = {}) => slots.map((slot) => slot(values));
}

function named(name: string, encode: (x: unknown) => unknown): (v: Values) => unknown {
  return (v) => {
    if (!(name in v)) throw new Error(`No value for placeholder "${name}" was provided`);
    return encode(v[name]);
  };
}
