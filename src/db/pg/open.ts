import { dirname, resolve } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import type { PGlite, Transaction } from "@electric-sql/pglite";
import { drizzle as drizzleNodePg } from "drizzle-orm/node-postgres";
import { migrate as migrateNodePg } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";
import { from as copyFromStdin } from "pg-copy-streams";
import type { Engine, PgBegin, PgDb, PgExecutor, PgResult } from "../handle.ts";
import { PgRenderingDialect, pgBuilder } from "./dialect.ts";

export const PG_MIGRATIONS = resolve(dirname(fileURLToPath(import.meta.url)), "../../../drizzle/pg");

/**
 * Every pooled session's settings. `synchronous_commit = off`: a commit returns before its WAL reaches the disk,
 * as SQLite's `synchronous = NORMAL` does; a crash of the PostgreSQL server can lose the last fraction of a second
 * of ratings, never corrupt anything (an operator who wants every commit on disk sets it back in postgresql.conf
 * for the role: `ALTER ROLE … SET synchronous_commit = on` takes precedence only if this default is removed).
 */
export const SESSION_SETTINGS = "-c synchronous_commit=off";

/**
 * Statements are prepared once per connection under a name, so PostgreSQL parses them once and, after five runs,
 * may keep a generic plan: planning the review write's context read took 0.5 ms of its 0.7 on every run with
 * custom plans, ~0.02 ms with the generic one. Except a statement with a scope's deck filter
 * (`CAST($n AS text) IS NULL OR …`, study-decks.ts): a generic plan cannot see that the filter is off, so such a
 * statement runs unnamed, planned for its values each time.
 */
function statementName(text: string): string | undefined {
  if (/ IS NULL OR /.test(text)) return undefined;
  let name = statementNames.get(text);
  if (name === undefined) {
    // Each name is a statement every connection keeps: texts past the bound (an IN list of a new length…) run
    // unnamed rather than grow that without end.
    if (statementNames.size >= MAX_NAMED_STATEMENTS) return undefined;
    name = `q${statementNames.size}`;
    statementNames.set(text, name);
  }
  return name;
}
const statementNames = new Map<string, string>();
const MAX_NAMED_STATEMENTS = 2_000;

/** Any migration run takes this session lock first, so shard processes starting together migrate once. */
const MIGRATION_LOCK = 7_263_511;

/**
 * bigint (epoch ms, ids, count(*)) and numeric (sum/avg) arrive as numbers, as SQLite gives them: every value
 * the bot stores is far below 2^53.
 */
const NUMBER_TYPES = [20, 1700];

export interface PgOptions {
  /** Pool size per process (node-postgres); PGlite is one connection. */
  poolSize?: number;
}

/** Opens PostgreSQL at `url` (a node-postgres pool) and applies pending migrations. */
export async function openPostgres(url: string, o: PgOptions = {}): Promise<PgDb> {
  const types = {
    getTypeParser: (oid: number, format?: "text" | "binary") =>
      NUMBER_TYPES.includes(oid) ? Number : pg.types.getTypeParser(oid, format ?? "text"),
  };
  // A connect that gets no answer fails after 10 s (node-postgres waits for the OS, minutes, by default).
  const pool = new pg.Pool({
    connectionString: url,
    max: o.poolSize ?? 10,
    types,
    connectionTimeoutMillis: 10_000,
    options: SESSION_SETTINGS,
  });
  pool.on("error", () => {}); // an idle client's connection dropped: the pool replaces it on next use
  try {
    const client = await pool.connect();
    try {
      await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
      await migrateNodePg(drizzleNodePg({ client }), { migrationsFolder: PG_MIGRATIONS });
      await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]);
    } finally {
      client.release();
    }
  } catch (err) {
    await pool.end();
    throw err;
  }
  const exec = clientExec(pool);
  const begin: PgBegin = async (fn, { readOnly, lockKeys = [] }) => {
    const client = await pool.connect();
    let broken: unknown;
    try {
      // BEGIN and the members' locks in one round trip (a simple query of several statements; keys as literals).
      if (readOnly) await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      else if (lockKeys.length === 0) await client.query("BEGIN");
      else
        await client.query(["BEGIN", ...lockKeys.map((k) => lockStatement(pg.escapeLiteral(k)))].join("; "));
      const result = await fn({ ...clientExec(client), copyFrom: copyOn(client) });
      await client.query("COMMIT");
      return result;
    } catch (err) {
      await client.query("ROLLBACK").catch((e: unknown) => {
        broken = e;
      });
      throw err;
    } finally {
      client.release(broken instanceof Error ? broken : undefined);
    }
  };
  return pgHandle(exec, begin, hidePassword(url), () => pool.end());
}

/** Opens an in-process PGlite (a folder, or memory when `dir` is undefined) and applies pending migrations. */
export async function openPglite(dir?: string, from?: PGlite): Promise<PgDb> {
  // Loaded here, not at the top: PGlite (through drizzle's driver too) adds ~35 MB to every process that imports
  // it, and only tests and a machine without a server use it.
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle: drizzlePglite } = await import("drizzle-orm/pglite");
  const { migrate: migratePglite } = await import("drizzle-orm/pglite/migrator");
  const parsers = Object.fromEntries(NUMBER_TYPES.map((oid) => [oid, Number]));
  const db = from ? ((await from.clone()) as PGlite) : new PGlite(dir, { parsers });
  if (!from) await migratePglite(drizzlePglite({ client: db }), { migrationsFolder: PG_MIGRATIONS });
  return pgliteHandle(db);
}

/** A handle on a PGlite instance (one connection: PGlite queues other queries while a transaction runs). */
export function pgliteHandle(db: PGlite): PgDb {
  const parsers = Object.fromEntries(NUMBER_TYPES.map((oid) => [oid, Number]));
  const execOn = (q: PGlite | Transaction): PgExecutor => ({
    async query(text, params, rows) {
      try {
        const r = await q.query(text, params, { rowMode: rows === "arrays" ? "array" : "object", parsers });
        return { rows: r.rows as unknown[], changes: r.affectedRows ?? 0 };
      } catch (err) {
        throw withStatement(err, text);
      }
    },
    async batch(text) {
      try {
        return (await q.exec(text)).map((r) => r.affectedRows ?? 0);
      } catch (err) {
        throw withStatement(err, text);
      }
    },
  });
  const begin: PgBegin = (fn, { readOnly }) =>
    db.transaction(async (t) => {
      // One connection: a member's lock is the transaction itself (nothing else runs meanwhile).
      if (readOnly) await t.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
      return fn(execOn(t));
    });
  return pgHandle(execOn(db), begin, "pglite", () => db.close());
}

/** Serialises a member's writes across every process: a transaction-scoped advisory lock on the key's hash. */
const lockStatement = (key: string) => `SELECT pg_advisory_xact_lock(hashtextextended(${key}, 0))`;

function clientExec(q: pg.Pool | pg.PoolClient): PgExecutor {
  return {
    async query(text, params, rows): Promise<PgResult> {
      try {
        const name = params.length > 0 ? statementName(text) : undefined;
        const r = await q.query({
          text,
          values: params,
          ...(name === undefined ? {} : { name }),
          ...(rows === "arrays" ? { rowMode: "array" as const } : {}),
        });
        return { rows: r.rows, changes: r.rowCount ?? 0 };
      } catch (err) {
        throw withStatement(err, text);
      }
    },
    async batch(text) {
      // No values: node-postgres sends the simple query protocol, which takes several statements at once.
      try {
        const r: pg.QueryResult | pg.QueryResult[] = await q.query(text);
        return (Array.isArray(r) ? r : [r]).map((x) => x.rowCount ?? 0);
      } catch (err) {
        throw withStatement(err, text);
      }
    },
  };
}

/** COPY FROM STDIN on one client (a pool would run the stream on any of its connections). */
function copyOn(client: pg.PoolClient): NonNullable<PgExecutor["copyFrom"]> {
  return async (text, chunks) => {
    const stream = client.query(copyFromStdin(text));
    try {
      await pipeline(Readable.from(chunks), stream);
    } catch (err) {
      throw withStatement(err, text);
    }
    return stream.rowCount;
  };
}

let engine: Engine | undefined;

/** Every PostgreSQL handle in the process shares one engine: the builder and the statements compiled for it. */
function pgEngine(): Engine {
  if (engine === undefined) {
    const dialect = new PgRenderingDialect();
    engine = { kind: "pg", builder: pgBuilder(dialect), dialect, compiled: new WeakMap() };
  }
  return engine;
}

function pgHandle(exec: PgExecutor, begin: PgBegin, label: string, close: () => Promise<void>): PgDb {
  return { kind: "pg", engine: pgEngine(), exec, begin, label, close, bound: new WeakMap(), depth: 0 };
}

/** A transaction's own handle: its client, and savepoints for a transaction opened inside it. */
export function pgTxHandle(parent: PgDb, exec: PgExecutor): PgDb {
  const begin: PgBegin = async (fn) => {
    const name = `sp${h.depth}`;
    await exec.query(`SAVEPOINT ${name}`, [], "arrays");
    try {
      const result = await fn(exec);
      await exec.query(`RELEASE SAVEPOINT ${name}`, [], "arrays");
      return result;
    } catch (err) {
      await exec.query(`ROLLBACK TO SAVEPOINT ${name}`, [], "arrays");
      throw err;
    }
  };
  const h: PgDb = { ...parent, exec, begin, bound: new WeakMap(), depth: 1 };
  return h;
}

/** The statement a PostgreSQL error came from, on the error (logs show which query failed; values are not kept). */
function withStatement(err: unknown, text: string): unknown {
  if (err instanceof Error)
    Object.assign(err, { statement: text.length > 500 ? `${text.slice(0, 500)}…` : text });
  return err;
}

export function hidePassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "postgres";
  }
}
