/**
 * The rows of `npm run db:copy`: every table of an SQLite file into an empty, migrated PostgreSQL database, in one
 * PostgreSQL transaction (a copy that fails or does not verify leaves the target as empty as it found it).
 *
 * Each table goes over with `COPY … FROM STDIN` (pg-copy-streams), as PostgreSQL's own bulk load: rows in at
 * 201,500/s on the bench's target seed, against 70,700–78,700/s for the batched `INSERT … SELECT unnest(…)` it
 * replaced (README, Moving to PostgreSQL). Values go over as SQLite stores them: the PostgreSQL
 * tables hold the same epoch-ms integers, 0/1 flags and JSON text.
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
  /** Rows per chunk written to the COPY stream. */
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

/**
 * Copies one table with `COPY … FROM STDIN` (text format), `batchRows` rows to a chunk; returns the rows written.
 * `total` (SQLite's count) only feeds progress lines. The SQLite read is a generator the COPY stream pulls from, so
 * the file is read as fast as PostgreSQL takes rows, never faster (backpressure: no table is held in memory).
 */
export async function copyTable(
  sqlite: Database.Database,
  exec: PgExecutor,
  table: CopyTable,
  total: number,
  o: CopyOptions,
): Promise<TableCopy> {
  if (exec.copyFrom === undefined)
    throw new Error("db:copy needs a PostgreSQL server connection (COPY FROM STDIN)");
  const t0 = performance.now();
  const names = table.columns.map((c) => ident(c.name)).join(", ");
  const read = sqlite.prepare(`SELECT ${names} FROM ${ident(table.name)}`).raw();
  const say = total >= o.progressRows ? o.progress : null;
  let rows = 0;
  let lastSaid = t0;
  function* chunks(): Generator<string> {
    let lines: string[] = [];
    for (const row of read.iterate() as Iterable<unknown[]>) {
      lines.push(copyLine(row, table));
      if (lines.length < o.batchRows) continue;
      rows += lines.length;
      yield `${lines.join("\n")}\n`;
      lines = [];
      const now = performance.now();
      if (say !== null && now - lastSaid >= 5_000) {
        lastSaid = now;
        say(progressLine(table.name, rows, total, (now - t0) / 1000));
      }
    }
    if (lines.length > 0) {
      rows += lines.length;
      yield `${lines.join("\n")}\n`;
    }
  }
  const copied = await exec.copyFrom(`COPY ${ident(table.name)} (${names}) FROM STDIN`, chunks());
  if (copied !== rows) throw new Error(`${table.name}: COPY took ${copied} rows of the ${rows} sent`);
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
 * One row as a line of COPY's text format: tab-separated, `\\N` for NULL, and a backslash, tab, newline or
 * carriage return inside a text escaped (the only characters the format gives a meaning). Values go over as
 * SQLite stores them. A value of the wrong kind for its column (SQLite types loosely) stops the copy with a line
 * naming it, rather than reaching PostgreSQL as a broken row.
 */
export function copyLine(row: unknown[], table: CopyTable): string {
  const parts = new Array<string>(row.length);
  for (let i = 0; i < row.length; i++) {
    const v = row[i];
    const column = table.columns[i] as CopyColumn;
    const text = column.pgType === "text";
    if (v === null) parts[i] = "\\N";
    else if (text && (typeof v === "string" || typeof v === "number"))
      parts[i] = String(v).replace(/[\\\t\n\r]/g, escapeChar);
    // Any number, as SQLite holds it: PostgreSQL reads Infinity and NaN in a double precision column.
    else if (!text && typeof v === "number") parts[i] = String(v);
    // An image's bytes: bytea's hex form, its backslash doubled (COPY's text format reads `\\` as one).
    else if (column.pgType === "bytea" && v instanceof Uint8Array)
      parts[i] = `\\\\x${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("hex")}`;
    else
      throw new Error(
        `${table.name}.${column.name} (${column.pgType}) holds ${typeof v === "string" ? JSON.stringify(v) : v instanceof Uint8Array ? "a blob" : `a ${typeof v}`}`,
      );
  }
  return parts.join("\t");
}

const ESCAPES: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };
const escapeChar = (c: string): string => ESCAPES[c] ?? c;

function progressLine(name: string, rows: number, total: number, seconds: number): string {
  const pct = total > 0 ? Math.floor((rows / total) * 100) : 100;
  const rate = seconds > 0 ? Math.round(rows / seconds) : rows;
  return `db:copy: ${name} ${rows.toLocaleString("en-US")} / ${total.toLocaleString("en-US")} rows (${pct}%), ${rate.toLocaleString("en-US")} rows/s`;
}

function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
