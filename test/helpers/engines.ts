/**
 * Storage tests on both engines: an empty, migrated database of its own per call, on SQLite (a real file) and on
 * the PostgreSQL the run chose in test/helpers/engines-setup.ts (a server, else an in-process PGlite).
 *
 *   describe.each(ENGINES)("%s", (engine) => {
 *     let t: TestDb;
 *     beforeEach(async () => { t = await openTestDb(engine); });
 *     afterEach(() => t.close());
 *     it("…", async () => { … t.db … });
 *     it("two processes …", async (ctx) => { skipWithoutPgServer(ctx, engine, "two processes claim the day"); … });
 *   });
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import { inject, type TestContext } from "vitest";
import { closeDb, type Db, openDb } from "../../src/db/client.ts";
import { openPglite, PG_MIGRATIONS } from "../../src/db/pg/open.ts";
import {
  databaseUrl,
  dropDatabase,
  ident,
  type PgChoice,
  testDatabaseName,
  untilUnused,
  withAdmin,
} from "./pg-server.ts";

export type TestEngine = "sqlite" | "pg";

/** Both, always: without a server, PGlite is the PostgreSQL. */
export const ENGINES: readonly TestEngine[] = ["sqlite", "pg"];

export interface TestDb {
  readonly engine: TestEngine;
  readonly db: Db;
  /** "SQLite /tmp/…/test.db", "PostgreSQL 15.20 study_t_…", "PGlite". */
  readonly label: string;
  /**
   * What another process passes to `openDb` (or as DATABASE_URL) to reach this same database: the file, or the
   * database's URL. Null on PGlite, which only this process can reach.
   */
  readonly target: string | null;
  /** Closes the handle and removes the database (the file and its folder; the server's database). Idempotent. */
  close(): Promise<void>;
}

/** An empty database with every migration applied, for `engine`. */
export function openTestDb(engine: TestEngine): Promise<TestDb> {
  if (engine === "sqlite") return openSqliteTestDb();
  const choice = pgChoice();
  return choice.kind === "server" ? openServerTestDb(choice) : openPgliteTestDb();
}

/** Whether the run's PostgreSQL is a server (several real connections, other processes) rather than PGlite. */
export function hasPgServer(): boolean {
  return pgChoice().kind === "server";
}

/**
 * Skips the running test on PGlite, saying why: for tests that need two real connections (two processes
 * claiming the same day, a lock held by one connection while another waits). SQLite files and servers run it.
 */
export function skipWithoutPgServer(ctx: TestContext, engine: TestEngine, why: string): void {
  if (engine === "pg" && !hasPgServer())
    ctx.skip(
      `needs a PostgreSQL server (${why}); PGlite is one in-process connection — set TEST_DATABASE_URL`,
    );
}

function pgChoice(): PgChoice {
  const choice = inject("testPg");
  if (choice === undefined)
    throw new Error(
      "no PostgreSQL chosen: run through vitest with test/helpers/engines-setup.ts as globalSetup",
    );
  return choice;
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => {
    done ??= fn();
    return done;
  };
}

async function openSqliteTestDb(): Promise<TestDb> {
  const dir = mkdtempSync(join(tmpdir(), "study-db-"));
  const path = join(dir, "test.db");
  let db: Db;
  try {
    db = await openDb(path);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const close = once(async () => {
    try {
      await closeDb(db);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  return { engine: "sqlite", db, label: `SQLite ${path}`, target: path, close };
}

let created = 0;

/** A copy of the run's template (CREATE DATABASE … TEMPLATE: a file copy, no migrations to replay). */
async function openServerTestDb(choice: Extract<PgChoice, { kind: "server" }>): Promise<TestDb> {
  const name = testDatabaseName(choice.run, ++created);
  const url = databaseUrl(choice.url, name);
  const drop = () => withAdmin(choice.url, (c) => untilUnused(() => dropDatabase(c, name)));
  const copy = `CREATE DATABASE ${ident(name)} TEMPLATE ${ident(choice.template)}`;
  // Waits out a connection to the template (55006), say a psql session left on it, for a few seconds.
  await withAdmin(choice.url, (c) => untilUnused(() => c.query(copy)));
  let db: Db;
  try {
    db = await openDb(url); // the template is migrated: this only checks that nothing is pending
  } catch (err) {
    await drop();
    throw err;
  }
  const close = once(async () => {
    try {
      await closeDb(db);
    } finally {
      await drop();
    }
  });
  return { engine: "pg", db, label: `${choice.version} ${name}`, target: url, close };
}

let template: Promise<PGlite> | undefined;

/** One migrated PGlite per worker process; each test gets a clone of it (cheaper than a new instance). */
function pgliteTemplate(): Promise<PGlite> {
  template ??= (async () => {
    const [{ PGlite }, { drizzle }, { migrate }] = await Promise.all([
      import("@electric-sql/pglite"),
      import("drizzle-orm/pglite"),
      import("drizzle-orm/pglite/migrator"),
    ]);
    const pglite = new PGlite();
    await migrate(drizzle({ client: pglite }), { migrationsFolder: PG_MIGRATIONS });
    return pglite;
  })();
  return template;
}

async function openPgliteTestDb(): Promise<TestDb> {
  const db = await openPglite(undefined, await pgliteTemplate());
  return { engine: "pg", db, label: "PGlite", target: null, close: once(() => closeDb(db)) };
}
