/**
 * The rows of `npm run db:copy`: every table of an SQLite file into an empty, migrated PostgreSQL database, in one
 * PostgreSQL transaction (a copy that fails or does not verify leaves the target as empty as it found it).
 *
 * Batches are one round trip each: `INSERT … SELECT * FROM unnest($1::text[], $2::bigint[], …)`, one array literal
 * per column (node-postgres has no COPY FROM STDIN without pg-copy-streams). The next batch is read from SQLite while
 * PostgreSQL inserts the previous one. Values go over as SQLite stores them: the PostgreSQL tables hold the same
 * epoch-ms integers, 0/1 flags and JSON text.
 */
import type Database from "better-sqlite3";
import type { PgExecutor } from "../handle.ts";
import { type CopyColumn, type CopyTable, ident } from "./tables.ts";

/** The target already holds rows, or another reason to write nothing: exit 2. */
export class CopyRefused extends Error {}

export interface TableCopy {
  name: string;
  rows: number;
  seconds: number;
}

export interface CopyOptions {
  /** Rows per INSERT round trip. */
  batchRows: number;
  /** Progress lines (stderr) for tables of at least `progressRows` rows. */
  progress: (line: string) => void;
  progressRows: number;
}

/** How long the copy waits for another session's lock on a table before it gives up (a bot running on it?). */
const LOCK_WAIT = "5s";

/**
 * Locks every table (nothing else writes until the copy commits), refuses a target holding any row, and names
 * the first table that does.
 */
export async function lockEmptyTarget(exec: PgExecutor, tables: CopyTable[], label: string): Promise<void> {
  await exec.query(`SET LOCAL lock_timeout = '${LOCK_WAIT}'`, [], "arrays");
  try {
    await exec.query(
      `LOCK TABLE ${tables.map((t) => ident(t.name)).join(", ")} IN ACCESS EXCLUSIVE MODE`,
      [],
      "arrays",
    );
  } catch (err) {
    if ((err as { code?: string }).code === "55P03")
      throw new CopyRefused(
        `${label} is in use by another session (is a bot running on it?): stop it, then copy`,
      );
    throw err;
  }
  await exec.query("SET LOCAL lock_timeout = 0", [], "arrays");
  await refuseRows(
    exec,
    tables.map((t) => t.name),
    label,
  );
}

/**
 * Refuses a database where any of `tables` that exists holds a row, naming the first. Also run before the
 * migrations, so that a non-empty database of an older version is refused without being migrated.
 */
export async function refuseRows(exec: PgExecutor, tables: string[], label: string): Promise<void> {
  const existing = await exec.query(
    "SELECT name FROM unnest($1::text[]) WITH ORDINALITY AS t(name, n) WHERE to_regclass(quote_ident(name)) IS NOT NULL ORDER BY n",
    [tables],
    "arrays",
  );
  const names = existing.rows.map((r) => String((r as unknown[])[0]));
  if (names.length === 0) return;
  const probe = names
    .map((name) => `SELECT ${literal(name)} WHERE EXISTS (SELECT 1 FROM ${ident(name)})`)
    .join(" UNION ALL ");
  const { rows } = await exec.query(probe, [], "arrays");
  const first = rows[0] as unknown[] | undefined;
  if (first !== undefined)
    throw new CopyRefused(
      `${label} is not empty (table ${String(first[0])} has rows): db:copy only fills a new, empty database`,
    );
}

/**
 * The enabled user triggers of these tables (stat_guild_days' running totals): they would recompute what the
 * copy brings over as it is, so the copy turns them off inside its transaction (ALTER TABLE … DISABLE TRIGGER,
 * which only the tables' owner needs, unlike session_replication_role, and which keeps the foreign-key checks)
 * and back on before it commits: no other session ever sees them off.
 */
export async function userTriggers(
  exec: PgExecutor,
  tables: CopyTable[],
): Promise<{ table: string; name: string }[]> {
  const { rows } = await exec.query(
    `SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
     WHERE NOT t.tgisinternal AND t.tgenabled <> 'D' AND c.relnamespace = current_schema()::regnamespace
       AND c.relname = ANY($1::text[])
     ORDER BY c.relname, t.tgname`,
    [tables.map((t) => t.name)],
    "arrays",
  );
  return rows.map((r) => {
    const [table, name] = r as [string, string];
    return { table, name };
  });
}

export async function setTriggers(
  exec: PgExecutor,
  triggers: { table: string; name: string }[],
  on: boolean,
): Promise<void> {
  for (const t of triggers)
    await exec.query(
      `ALTER TABLE ${ident(t.table)} ${on ? "ENABLE" : "DISABLE"} TRIGGER ${ident(t.name)}`,
      [],
      "arrays",
    );
}

/** Copies one table in batches; returns the rows written. `total` (SQLite's count) only feeds progress lines. */
export async function copyTable(
  sqlite: Database.Database,
  exec: PgExecutor,
  table: CopyTable,
  total: number,
  o: CopyOptions,
): Promise<TableCopy> {
  const t0 = performance.now();
  const names = table.columns.map((c) => ident(c.name)).join(", ");
  const read = sqlite.prepare(`SELECT ${names} FROM ${ident(table.name)}`).raw();
  const casts = table.columns.map((c, i) => `$${i + 1}::${c.pgType}[]`).join(", ");
  const insert = `INSERT INTO ${ident(table.name)} (${names}) SELECT * FROM unnest(${casts})`;
  const width = table.columns.length;
  const say = total >= o.progressRows ? o.progress : null;
  let rows = 0;
  let pending: Promise<unknown> | null = null;
  let lastSaid = t0;
  const flush = async (arrays: string[], n: number): Promise<void> => {
    // Built while the previous batch is still being inserted; its failure is thrown by the next `await pending`
    // (marked handled meanwhile, so an error reading SQLite first does not also crash the process on it).
    if (pending !== null) await pending;
    pending = exec.query(insert, arrays, "arrays");
    pending.catch(() => {});
    rows += n;
    const now = performance.now();
    if (say !== null && now - lastSaid >= 5_000) {
      lastSaid = now;
      say(progressLine(table.name, rows, total, (now - t0) / 1000));
    }
  };
  const encode = (batch: unknown[][]): string[] =>
    batch.map((values, j) => arrayLiteral(values, table.columns[j] as CopyColumn, table.name));
  let batch = columnsOf(width);
  let inBatch = 0;
  for (const row of read.iterate() as Iterable<unknown[]>) {
    for (let j = 0; j < width; j++) (batch[j] as unknown[]).push(row[j]);
    if (++inBatch === o.batchRows) {
      await flush(encode(batch), inBatch);
      batch = columnsOf(width);
      inBatch = 0;
    }
  }
  if (inBatch > 0) await flush(encode(batch), inBatch);
  if (pending !== null) await pending;
  const seconds = (performance.now() - t0) / 1000;
  if (say !== null) say(progressLine(table.name, rows, total, seconds));
  return { name: table.name, rows, seconds };
}

/** Sets the identity column's sequence past the copied ids, so the next insert gets a fresh one. */
export async function resetIdentity(exec: PgExecutor, table: CopyTable): Promise<void> {
  if (table.identity === null) return;
  const col = ident(table.identity);
  // setval is strict: an empty table (max null) leaves the sequence at its start.
  await exec.query(
    `SELECT setval(pg_get_serial_sequence($1, $2), max(${col})) FROM ${ident(table.name)}`,
    [ident(table.name), table.identity],
    "arrays",
  );
}

/**
 * One column of a batch as a PostgreSQL array literal (`{1,2,NULL}`, `{"a","say \\"hi\\""}`), sent as a text parameter
 * and cast by the statement. Written here rather than by node-postgres, whose array serialisation was measured
 * at three times the cost (about a third of the whole copy). A value of the wrong kind for its column (SQLite
 * types loosely) stops the copy with a line naming it, rather than reaching PostgreSQL as broken syntax.
 */
export function arrayLiteral(values: unknown[], column: CopyColumn, table: string): string {
  const text = column.pgType === "text";
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null) parts[i] = "NULL";
    else if (text && (typeof v === "string" || typeof v === "number"))
      parts[i] = `"${String(v).replace(/["\\]/g, "\\$&")}"`;
    else if (!text && typeof v === "number") parts[i] = String(v);
    else
      throw new Error(
        `${table}.${column.name} (${column.pgType}) holds ${typeof v === "string" ? JSON.stringify(v) : `a ${typeof v}`}`,
      );
  }
  return `{${parts.join(",")}}`;
}

function columnsOf(width: number): unknown[][] {
  return Array.from({ length: width }, () => []);
}

function progressLine(name: string, rows: number, total: number, seconds: number): string {
  const pct = total > 0 ? Math.floor((rows / total) * 100) : 100;
  const rate = seconds > 0 ? Math.round(rows / seconds) : rows;
  return `db:copy: ${name} ${rows.toLocaleString("en-US")} / ${total.toLocaleString("en-US")} rows (${pct}%), ${rate.toLocaleString("en-US")} rows/s`;
}

function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
