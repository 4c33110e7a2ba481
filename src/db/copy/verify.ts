/**
 * The check after `npm run db:copy`: every table holds as many rows in PostgreSQL as in SQLite, and every row of a
 * keyed table (card_states: every member's schedule) is there with every column equal. The comparison is keyed
 * (a batch of SQLite rows, then the same keys looked up in PostgreSQL), not ordered, so the two engines' text
 * collations never have to agree; with equal counts and unique keys, every SQLite row found equal means the two
 * tables are equal.
 */
import type Database from "better-sqlite3";
import type { PgExecutor } from "../handle.ts";
import { type CopyTable, ident } from "./tables.ts";

export type Verdict = { ok: true; rowsCompared: number } | { ok: false; mismatch: string };

/** Row counts per table: SQLite's (`expected`, counted in the copy's snapshot) against PostgreSQL's. */
export async function compareCounts(
  exec: PgExecutor,
  tables: CopyTable[],
  expected: Map<string, number>,
): Promise<Verdict> {
  const counts = tables.map((t, i) => `SELECT $${i + 1}::text, count(*) FROM ${ident(t.name)}`);
  const { rows } = await exec.query(
    counts.join(" UNION ALL "),
    tables.map((t) => t.name),
    "arrays",
  );
  const got = new Map(rows.map((r) => [String((r as unknown[])[0]), Number((r as unknown[])[1])]));
  for (const t of tables) {
    const want = expected.get(t.name) ?? 0;
    const have = got.get(t.name) ?? 0;
    if (want !== have)
      return { ok: false, mismatch: `${t.name}: ${want} rows in SQLite, ${have} in PostgreSQL` };
  }
  return { ok: true, rowsCompared: 0 };
}

/** Every SQLite row of `table` looked up by its key in PostgreSQL, every column compared; the first difference. */
export async function compareRows(
  sqlite: Database.Database,
  exec: PgExecutor,
  table: CopyTable,
  batchRows: number,
): Promise<Verdict> {
  const names = table.columns.map((c) => c.name);
  const keyAt = table.key.map((k) => names.indexOf(k));
  const list = names.map(ident).join(", ");
  const read = sqlite.prepare(`SELECT ${list} FROM ${ident(table.name)}`).raw();
  const keyCasts = table.key.map((k, i) => {
    const type = table.columns.find((c) => c.name === k)?.pgType;
    return `$${i + 1}::${type}[]`;
  });
  const lookup = `SELECT ${names.map((n) => `t.${ident(n)}`).join(", ")}
    FROM unnest(${keyCasts.join(", ")}) AS k(${table.key.map(ident).join(", ")})
    JOIN ${ident(table.name)} t USING (${table.key.map(ident).join(", ")})`;
  const keyOf = (row: unknown[]) => JSON.stringify(keyAt.map((i) => row[i]));

  let compared = 0;
  /** The batch whose lookup is in flight while the next one is read from SQLite. */
  let inFlight: { batch: unknown[][]; result: Promise<{ rows: unknown[] }> } | null = null;
  const settle = async (): Promise<string | null> => {
    if (inFlight === null) return null;
    const { batch, result } = inFlight;
    inFlight = null;
    const found = new Map((await result).rows.map((r) => [keyOf(r as unknown[]), r as unknown[]]));
    for (const row of batch) {
      const other = found.get(keyOf(row));
      const where = `${table.name} ${table.key.map((k, i) => `${k}=${String(row[keyAt[i] as number])}`).join(" ")}`;
      if (other === undefined) return `${where}: missing in PostgreSQL`;
      for (let j = 0; j < names.length; j++)
        if (!same(row[j], other[j]))
          return `${where}: ${names[j]} is ${show(row[j])} in SQLite, ${show(other[j])} in PostgreSQL`;
    }
    compared += batch.length;
    return null;
  };
  const send = async (batch: unknown[][]): Promise<string | null> => {
    const mismatch = await settle();
    if (mismatch !== null) return mismatch;
    const keys = keyAt.map((i) => batch.map((row) => row[i]));
    const result = exec.query(lookup, keys, "arrays");
    result.catch(() => {}); // thrown by settle(); handled meanwhile (see copy-rows.ts)
    inFlight = { batch, result };
    return null;
  };

  let mismatch: string | null = null;
  let batch: unknown[][] = [];
  // Leaving the loop early (a mismatch) finalizes the SQLite statement.
  for (const row of read.iterate() as Iterable<unknown[]>) {
    batch.push(row);
    if (batch.length === batchRows) {
      mismatch = await send(batch);
      if (mismatch !== null) break;
      batch = [];
    }
  }
  if (mismatch === null && batch.length > 0) mismatch = await send(batch);
  mismatch ??= await settle();
  return mismatch === null ? { ok: true, rowsCompared: compared } : { ok: false, mismatch };
}

/** SQLite and PostgreSQL (as src/db/pg reads it) give the same JavaScript values for equal stored values. */
function same(a: unknown, b: unknown): boolean {
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b) === 0; // image bytes
  return a === b || (typeof a === "number" && typeof b === "number" && Number.isNaN(a) && Number.isNaN(b));
}

function show(v: unknown): string {
  if (v instanceof Uint8Array) return `${v.byteLength} bytes`;
  return v === null ? "null" : typeof v === "string" ? JSON.stringify(v) : String(v);
}
