/**
 * `npm run db:copy`'s unit of work: an SQLite file (read-only, one snapshot) into a new PostgreSQL database.
 * Both must be at this version's migrations; the target must hold no row. One PostgreSQL transaction locks the
 * tables, sets their keys and indexes aside (set-aside.ts), copies them in foreign-key order, rebuilds the keys and
 * indexes, resets the identity sequences and verifies (row counts, every card
 * state column by column) before it commits, so a copy that fails or does not verify writes nothing.
 */
import { resolve } from "node:path";
import Database from "better-sqlite3";
import { Client } from "pg";
import type { PgDb, PgExecutor } from "../handle.ts";
import { explainMigrationState, pgMigrationState, sqliteMigrationState } from "../migration-state.ts";
import { openPostgres } from "../pg/open.ts";
import {
  CopyRefused,
  copyTable,
  lockEmptyTarget,
  refuseRows,
  resetIdentity,
  setTriggers,
  type TableCopy,
  userTriggers,
} from "./copy-rows.ts";
import { dropShape, readShape, restoreShape, sameShape } from "./set-aside.ts";
import { type CopyTable, copyTables, ident } from "./tables.ts";
import { compareCounts, compareRows } from "./verify.ts";

export { CopyRefused } from "./copy-rows.ts";

/** The copy ran but PostgreSQL does not hold what SQLite does (rolled back): exit 1. */
export class CopyMismatch extends Error {}

/** The tables compared row by row after the counts (the members' schedules: what a lost row would cost). */
export const COMPARED_TABLES = ["card_states"];

export interface CopyReport {
  from: string;
  to: string;
  tables: TableCopy[];
  /** SQLite tables that are not the bot's (a benchmark's metadata…), left behind. */
  skipped: string[];
  /** The disabled-and-restored triggers, `table.trigger`. */
  triggers: string[];
  /** Rows in. */
  copySeconds: number;
  /** Keys, indexes and foreign keys rebuilt, sequences reset, tables analyzed. */
  indexSeconds: number;
  verifySeconds: number;
  /** VACUUM (ANALYZE) of the copied tables, after the copy committed. */
  vacuumSeconds: number;
  rowsCompared: number;
}

export interface CopyDatabaseOptions {
  batchRows?: number;
  progress?: (line: string) => void;
  progressRows?: number;
}

export async function copyDatabase(
  from: string,
  to: string,
  o: CopyDatabaseOptions = {},
): Promise<CopyReport> {
  const batchRows = o.batchRows ?? 10_000;
  const progress = o.progress ?? (() => {});
  const sqlite = openSource(from);
  try {
    const state = sqliteMigrationState(sqlite);
    if (state.kind !== "current") throw new CopyRefused(explainMigrationState(from, state));
    const tables = copyTables();
    const pg = await openTarget(to, tables);
    try {
      const target = await pgMigrationState(pg.exec);
      if (target.kind !== "current") throw new CopyRefused(explainMigrationState(pg.label, target));
      // One read transaction: every table (and the verification) sees the same snapshot of the file.
      sqlite.prepare("BEGIN").run();
      let report: CopyReport;
      try {
        report = await copyInto(
          sqlite,
          pg,
          tables,
          { batchRows, progress, progressRows: o.progressRows ?? 200_000 },
          from,
        );
      } finally {
        sqlite.prepare("COMMIT").run();
      }
      // Outside the copy's transaction (VACUUM cannot run in one). Freshly copied rows carry no visibility
      // information yet: until a VACUUM sets it, every index-only read (the due counts, the leaderboard's
      // running totals) visits the table too, and each first read of a page writes it again (next /study view
      // p50 24.6 ms on the copied target-size bench, before this).
      const t0 = performance.now();
      await pg.exec.query(`VACUUM (ANALYZE) ${tables.map((t) => ident(t.name)).join(", ")}`, [], "arrays");
      return { ...report, vacuumSeconds: (performance.now() - t0) / 1000 };
    } finally {
      await pg.close();
    }
  } finally {
    sqlite.close();
  }
}

async function copyInto(
  sqlite: Database.Database,
  pg: PgDb,
  tables: CopyTable[],
  o: { batchRows: number; progress: (line: string) => void; progressRows: number },
  from: string,
): Promise<CopyReport> {
  const counts = new Map(
    tables.map((t) => [
      t.name,
      Number(
        sqlite
          .prepare(`SELECT count(*) FROM ${ident(t.name)}`)
          .pluck()
          .get(),
      ),
    ]),
  );
  const skipped = otherTables(sqlite, tables);
  return pg.begin(
    async (exec: PgExecutor) => {
      // A big table's index builds run for minutes: no server-side statement timeout may cut them short.
      await exec.query("SET LOCAL statement_timeout = 0", [], "arrays");
      await lockEmptyTarget(exec, tables, pg.label);
      const triggers = await userTriggers(exec, tables);
      await setTriggers(exec, triggers, false);
      const names = tables.map((t) => t.name);
      const shape = await readShape(exec, names);
      await dropShape(exec, shape);
      const t0 = performance.now();
      const copied: TableCopy[] = [];
      for (const table of tables)
        copied.push(await copyTable(sqlite, exec, table, counts.get(table.name) ?? 0, o));
      const t1 = performance.now();
      // Sorted index builds: more memory than the default 64 MB makes the big ones one pass.
      await exec.query("SET LOCAL maintenance_work_mem = '256MB'", [], "arrays");
      // Progress for the big tables' rebuilds only (regclass text is the bare name: they are in the search path).
      const big = (table: string) => (counts.get(table) ?? 0) >= o.progressRows;
      await restoreShape(exec, shape, (table, line) => big(table) && o.progress(line));
      if (!sameShape(shape, await readShape(exec, names)))
        throw new Error("the keys and indexes rebuilt after the copy differ from the migrated ones");
      for (const table of tables) await resetIdentity(exec, table);
      await setTriggers(exec, triggers, true);
      // Statistics for the planner now, not when autovacuum comes by: the bot's first queries on the new
      // database, and the verification's key lookups below, get plans for tables of their real size.
      await exec.query(`ANALYZE ${tables.map((t) => ident(t.name)).join(", ")}`, [], "arrays");
      const t2 = performance.now();

      const byCount = await compareCounts(exec, tables, counts);
      if (!byCount.ok) throw new CopyMismatch(byCount.mismatch);
      let rowsCompared = 0;
      for (const name of COMPARED_TABLES) {
        const table = tables.find((t) => t.name === name);
        if (table === undefined) throw new Error(`db:copy: no table ${name} to compare`);
        if (big(name)) o.progress(`db:copy: comparing ${name} row by row`);
        const verdict = await compareRows(sqlite, exec, table, o.batchRows);
        if (!verdict.ok) throw new CopyMismatch(verdict.mismatch);
        rowsCompared += verdict.rowsCompared;
      }
      return {
        from,
        to: pg.label,
        tables: copied,
        skipped,
        triggers: triggers.map((t) => `${t.table}.${t.name}`),
        copySeconds: (t1 - t0) / 1000,
        indexSeconds: (t2 - t1) / 1000,
        verifySeconds: (performance.now() - t2) / 1000,
        vacuumSeconds: 0,
        rowsCompared,
      };
    },
    { readOnly: false },
  );
}

/** Opens the file read-only (the copy never migrates or writes it); a path that is no database refuses in one line. */
function openSource(path: string): Database.Database {
  let sqlite: Database.Database | null = null;
  try {
    sqlite = new Database(resolve(path), { readonly: true, fileMustExist: true });
    sqlite.prepare("SELECT count(*) FROM sqlite_master").get(); // reads the header: "file is not a database"
    return sqlite;
  } catch (err) {
    sqlite?.close();
    throw new CopyRefused(`cannot read ${path} as an SQLite database: ${(err as Error).message}`);
  }
}

/**
 * Refuses a database that already holds rows before migrating it (an older version's would otherwise be migrated
 * by a copy that then refuses), then opens it the way the bot does: migrations applied. The copy checks again
 * under its table locks.
 */
async function openTarget(url: string, tables: CopyTable[]): Promise<PgDb> {
  const label = hidePassword(url);
  try {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      const exec: PgExecutor = {
        query: async (text, params) => {
          const r = await client.query({ text, values: params, rowMode: "array" });
          return { rows: r.rows, changes: r.rowCount ?? 0 };
        },
      };
      await refuseRows(
        exec,
        tables.map((t) => t.name),
        label,
      );
    } finally {
      await client.end();
    }
    return await openPostgres(url, { poolSize: 2 });
  } catch (err) {
    if (err instanceof CopyRefused) throw err;
    throw new CopyRefused(`cannot open ${label}: ${(err as Error).message}`);
  }
}

function otherTables(sqlite: Database.Database, tables: CopyTable[]): string[] {
  const ours = new Set(tables.map((t) => t.name));
  return (
    sqlite
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .pluck()
      .all() as string[]
  ).filter((n) => !ours.has(n) && !n.startsWith("sqlite_") && n !== "__drizzle_migrations");
}

function hidePassword(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@");
}
