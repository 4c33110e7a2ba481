/**
 * Vitest globalSetup: chooses, once per run, the PostgreSQL the storage tests use beside SQLite, prints it, and
 * on a server migrates the one template database every test's database is copied from. Teardown drops the
 * run's per-test databases that a test left behind (a failed close, a killed worker).
 *
 *   TEST_DATABASE_URL=postgres://…   that server (an error when it does not answer)
 *   TEST_DATABASE_URL=pglite:        PGlite even when a server answers
 *   unset                            the local server (LOCAL_PG) when it answers within 1 s, else PGlite
 */

import type pg from "pg";
import type { TestProject } from "vitest/node";
import { closeDb, openDb } from "../../src/db/client.ts";
import { alive } from "../../src/db/sqlite/running.ts";
import {
  databasesLike,
  databaseUrl,
  dropDatabase,
  hidePassword,
  ident,
  LOCAL_PG,
  type PgChoice,
  runOf,
  templateName,
  untilUnused,
  withAdmin,
} from "./pg-server.ts";

const PROBE_MS = 1_000;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const choice = await choose();
  project.provide("testPg", choice);
  console.log(describe(choice));
  return async () => {
    if (choice.kind === "server") await sweep(choice.url, (run) => run === choice.run);
  };
}

async function choose(): Promise<PgChoice> {
  const given = process.env.TEST_DATABASE_URL?.trim() || undefined;
  if (given !== undefined && /^pglite:/i.test(given))
    return { kind: "pglite", reason: "TEST_DATABASE_URL=pglite:" };
  if (given !== undefined && !/^postgres(ql)?:\/\//i.test(given))
    throw new Error(`TEST_DATABASE_URL must be a postgres:// URL or pglite:, not ${JSON.stringify(given)}`);
  const url = given ?? LOCAL_PG;
  let version: string;
  try {
    const shown = (c: pg.Client) => c.query<{ server_version: string }>("SHOW server_version");
    version = await withAdmin(url, async (c) => (await shown(c)).rows[0]?.server_version ?? "?", PROBE_MS);
  } catch (err) {
    const why = err instanceof Error ? err.message || err.name : String(err);
    if (given !== undefined)
      throw new Error(`TEST_DATABASE_URL ${hidePassword(url)} does not answer: ${why}`);
    return { kind: "pglite", reason: `no PostgreSQL server answered at ${hidePassword(url)}: ${why}` };
  }
  const run = process.pid;
  // Databases of runs that died here (a killed `npm test`); only on this machine, where their pids are known.
  if (isLoopback(url)) await sweep(url, (r) => r !== run && !alive(r));
  return {
    kind: "server",
    url,
    version: `PostgreSQL ${version.split(" ")[0]}`,
    template: await template(url),
    run,
  };
}

function describe(c: PgChoice): string {
  if (c.kind === "pglite")
    return `storage tests: SQLite + PGlite (in process; ${c.reason}; tests that need two PostgreSQL connections are skipped)`;
  const from = process.env.TEST_DATABASE_URL
    ? "TEST_DATABASE_URL"
    : "set TEST_DATABASE_URL to choose another";
  return `storage tests: SQLite + ${c.version} at ${hidePassword(c.url)} (template ${c.template}; ${from})`;
}

/**
 * The migrated template for the current drizzle/pg, built once and reused by later runs. Built under another
 * name and renamed when complete, so a run killed mid-migration never leaves a half-migrated template behind
 * (and of two runs building at once, the second to finish drops its copy).
 */
async function template(url: string): Promise<string> {
  const name = templateName();
  const building = `${name}_b${process.pid}`;
  return withAdmin(url, async (c) => {
    if ((await databasesLike(c, name)).includes(name)) return name;
    await dropDatabase(c, building);
    await c.query(`CREATE DATABASE ${ident(building)}`);
    try {
      await closeDb(await openDb(databaseUrl(url, building)));
      await untilUnused(() => c.query(`ALTER DATABASE ${ident(building)} RENAME TO ${ident(name)}`));
    } catch (err) {
      await dropDatabase(c, building);
      if ((err as { code?: string }).code !== "42P04") throw err; // 42P04: another run renamed its copy first
    }
    return name;
  });
}

async function sweep(url: string, which: (run: number) => boolean): Promise<void> {
  await withAdmin(url, async (c) => {
    for (const name of await databasesLike(c, "study_t_")) {
      const run = runOf(name);
      if (run !== null && which(run)) await dropDatabase(c, name);
    }
  });
}

function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === "" || host === "localhost" || host === "::1" || host === "[::1]" || host.startsWith("127.");
}
