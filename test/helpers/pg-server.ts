/**
 * The test run's side of a PostgreSQL server: short admin statements (CREATE / DROP DATABASE), the names of the
 * template and per-test databases, and what the run tells its workers (test/helpers/engines-setup.ts provides it,
 * test/helpers/engines.ts reads it).
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import pg from "pg";
import { PG_MIGRATIONS } from "../../src/db/pg/open.ts";

/** What the run chose for the PostgreSQL side, once, in globalSetup. */
export type PgChoice =
  | {
      kind: "server";
      /** The server URL the run was given (its database is only used to issue CREATE / DROP DATABASE). */
      url: string;
      /** "PostgreSQL 15.20". */
      version: string;
      /** The migrated database each test's database is copied from. */
      template: string;
      /** globalSetup's pid: every per-test database of this run carries it, so teardown can sweep them. */
      run: number;
    }
  | { kind: "pglite"; reason: string };

declare module "vitest" {
  export interface ProvidedContext {
    testPg: PgChoice;
  }
}

/** The local server `npm test` looks for when TEST_DATABASE_URL is not set (trust auth; postgres is on every install). */
export const LOCAL_PG = "postgres://postgres@127.0.0.1:5432/test";

/** Per-test databases: `study_t_<run>_<worker pid>_<n>`. */
export const testDatabaseName = (run: number, n: number) => `study_t_${run}_${process.pid}_${n}`;
const TEST_DATABASE = /^study_t_(\d+)_\d+_\d+$/;

/** The run of a per-test database, or null for any other database. */
export function runOf(database: string): number | null {
  const m = TEST_DATABASE.exec(database);
  return m ? Number(m[1]) : null;
}

/** `study_tpl_<hash of drizzle/pg/**>`: a changed or added migration gets a template of its own. */
export function templateName(): string {
  const hash = createHash("sha256");
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else
        hash
          .update(`${relative(PG_MIGRATIONS, path)}\0`)
          .update(readFileSync(path))
          .update("\0");
    }
  };
  walk(PG_MIGRATIONS);
  return `study_tpl_${hash.digest("hex").slice(0, 16)}`;
}

/** `url` with its database replaced. */
export function databaseUrl(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export function hidePassword(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = "***";
  return u.toString();
}

/** Identifiers here are built from the names above, never from input; quoted anyway. */
export const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Runs statements on a connection of their own to `url` (CREATE/DROP DATABASE cannot share a pool's transaction). */
export async function withAdmin<T>(
  url: string,
  fn: (c: pg.Client) => Promise<T>,
  timeoutMs = 5_000,
): Promise<T> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  c.on("error", () => {}); // a dropped connection surfaces as the failed query's own error
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/**
 * Drops `database` even while a connection to it is still closing (WITH (FORCE): PostgreSQL 13+); nothing when
 * it is already gone.
 */
export async function dropDatabase(c: pg.Client, database: string): Promise<void> {
  await c.query(`DROP DATABASE IF EXISTS ${ident(database)} WITH (FORCE)`);
}

/** The databases whose names start with `prefix` (a LIKE pattern's literal prefix). */
export async function databasesLike(c: pg.Client, prefix: string): Promise<string[]> {
  const escaped = prefix.replace(/[\\%_]/g, "\\$&");
  const r = await c.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE $1", [
    `${escaped}%`,
  ]);
  return r.rows.map((row) => row.datname);
}

/**
 * Runs `statement` again while PostgreSQL still counts a just-closed connection to the database (55006): a
 * closed pool's backends exit a moment after its sockets do.
 */
export async function untilUnused<T>(statement: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await statement();
    } catch (err) {
      if ((err as { code?: string }).code !== "55006" || attempt >= 50) throw err;
      await new Promise((res) => setTimeout(res, 100));
    }
  }
}
