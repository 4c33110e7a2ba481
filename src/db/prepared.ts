import type Database from "better-sqlite3";
import { is, Param, Placeholder, type SQL } from "drizzle-orm";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import type { Db } from "./client.ts";

/**
 * Builds something once per connection, on first use, and keeps it as long as the connection lives: the way hot
 * paths keep their drizzle statements, `db.select()….prepare()` with `sql.placeholder("name")`. Preparing a
 * statement costs more than running most of them, and drizzle's builder re-prepares on every call it is not
 * prepared for; prepared drizzle statements run at the speed of raw better-sqlite3 ones.
 *
 *   const statements = perConnection((db) => ({
 *     state: db.select().from(cardStates)
 *       .where(and(eq(cardStates.userId, sql.placeholder("userId")), eq(cardStates.cardId, sql.placeholder("cardId"))))
 *       .prepare(),
 *   }));
 *   statements(db).state.get({ userId, cardId });
 */
export function perConnection<T>(build: (db: Db) => T): (db: Db) => T {
  const cache = new WeakMap<Database.Database, T>();
  return (db) => {
    let built = cache.get(db.$client);
    if (built === undefined) {
      built = build(db);
      cache.set(db.$client, built);
    }
    return built;
  };
}

export type Values = Record<string, unknown>;

/** A whole statement written as a drizzle `sql` template, prepared once; rows as SQLite returns them. */
export interface RawStatement<Row> {
  /** The SQL as prepared (EXPLAIN QUERY PLAN tests). */
  readonly source: string;
  all(values?: Values): Row[];
  get(values?: Values): Row | undefined;
  run(values?: Values): Database.RunResult;
}

const dialect = new SQLiteSyncDialect();

/**
 * For the few statements whose query plan the builder cannot express (`INDEXED BY`, a `CROSS JOIN` that fixes
 * the join order, arithmetic over correlated counts): the `sql` template still names columns through the schema
 * (`${cardStates.due}`) and binds values with `sql.placeholder`. `Row` is the shape the SELECT list gives; each
 * caller says why it is raw. Use inside `perConnection`.
 */
export function rawPrepared<Row>(db: Db, query: SQL): RawStatement<Row> {
  const { sql, params } = dialect.sqlToQuery(query);
  const stmt = db.$client.prepare(sql);
  const bind = binder(params);
  return {
    source: sql,
    all: (values) => stmt.all(...bind(values)) as Row[],
    get: (values) => stmt.get(...bind(values)) as Row | undefined,
    run: (values) => stmt.run(...bind(values)),
  };
}

/** A raw statement whose rows are arrays in SELECT order (better-sqlite3's raw mode). */
export interface TupleStatement<Row extends unknown[]> {
  readonly source: string;
  all(values?: Values): Row[];
}

/**
 * As `rawPrepared`, with rows as arrays (`Row` is the SELECT list's tuple): for reads of one row per member or
 * slot on a hot path, where an object per row (drizzle's mapping, or better-sqlite3's own) costs more than the
 * query. Each caller says why.
 */
export function rawTuples<Row extends unknown[]>(db: Db, query: SQL): TupleStatement<Row> {
  const { sql, params } = dialect.sqlToQuery(query);
  const stmt = db.$client.prepare(sql).raw();
  const bind = binder(params);
  return {
    source: sql,
    all: (values) => stmt.all(...bind(values)) as Row[],
  };
}

/** A write built with drizzle's builder (an insert, upsert or update with `sql.placeholder`s), prepared once. */
export interface WriteStatement {
  readonly source: string;
  run(values?: Values): Database.RunResult;
}

/**
 * For the writes of every rating (state, log, aggregates): the builder's SQL and column encoders, bound by
 * `binder` instead of drizzle's per-call placeholder filling (an `is()` walk of every parameter on every call, ~5%
 * of a rating's CPU in a profile of `recordRating`).
 */
export function preparedWrite(
  db: Db,
  query: { toSQL(): { sql: string; params: unknown[] } },
): WriteStatement {
  const { sql, params } = query.toSQL();
  const stmt = db.$client.prepare(sql);
  const bind = binder(params);
  return { source: sql, run: (values) => stmt.run(...bind(values)) };
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
