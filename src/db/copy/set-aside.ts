/**
 * The copy loads like pg_restore: the tables' keys, indexes and foreign keys are set aside while the rows go in
 * and rebuilt afterwards from their own definitions (`pg_get_constraintdef` / `pg_get_indexdef`, so the migrated
 * schema comes back exactly). Measured on the bench's review_logs: maintaining three b-trees and a foreign-key
 * check per row makes the insert ~10x slower than a bare one, and building them after costs a third of that.
 * Everything happens inside the copy's transaction: no other session sees the tables without them.
 */
import type { PgExecutor } from "../handle.ts";
import { ident } from "./tables.ts";

export interface Shape {
  /** Primary keys and unique constraints, then the indexes not behind a constraint, then foreign keys. */
  keys: { table: string; name: string; def: string }[];
  indexes: { table: string; name: string; def: string }[];
  foreignKeys: { table: string; name: string; def: string }[];
}

/** Reads what `tables` carry besides their columns (in the current schema). */
export async function readShape(exec: PgExecutor, tables: string[]): Promise<Shape> {
  const constraints = await exec.query(
    `SELECT c.conrelid::regclass::text, c.conname, c.contype, pg_get_constraintdef(c.oid)
     FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
     WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = ANY($1::text[]) AND c.contype IN ('p', 'u', 'f')
     ORDER BY 1, 2`,
    [tables],
    "arrays",
  );
  const indexes = await exec.query(
    `SELECT t.relname, i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
     FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
     WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = ANY($1::text[])
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)
     ORDER BY 1`,
    [tables],
    "arrays",
  );
  const shape: Shape = { keys: [], indexes: [], foreignKeys: [] };
  for (const r of constraints.rows) {
    const [table, name, type, def] = r as [string, string, string, string];
    (type === "f" ? shape.foreignKeys : shape.keys).push({ table, name, def });
  }
  for (const r of indexes.rows) {
    const [table, name, def] = r as [string, string, string];
    shape.indexes.push({ table, name, def });
  }
  return shape;
}

/** Drops them: foreign keys first (they lean on the referenced keys). */
export async function dropShape(exec: PgExecutor, s: Shape): Promise<void> {
  for (const fk of s.foreignKeys)
    await exec.query(`ALTER TABLE ${fk.table} DROP CONSTRAINT ${ident(fk.name)}`, [], "arrays");
  for (const ix of s.indexes) await exec.query(`DROP INDEX ${ix.name}`, [], "arrays");
  for (const k of s.keys)
    await exec.query(`ALTER TABLE ${k.table} DROP CONSTRAINT ${ident(k.name)}`, [], "arrays");
}

/** Rebuilds them (keys first: foreign keys need the referenced ones), each checking the copied rows. */
export async function restoreShape(
  exec: PgExecutor,
  s: Shape,
  say: (table: string, line: string) => void,
): Promise<void> {
  for (const k of s.keys) {
    say(k.table, `db:copy: key ${k.name}`);
    await exec.query(`ALTER TABLE ${k.table} ADD CONSTRAINT ${ident(k.name)} ${k.def}`, [], "arrays");
  }
  for (const ix of s.indexes) {
    say(ix.table, `db:copy: index ${ix.name}`);
    await exec.query(ix.def, [], "arrays");
  }
  for (const fk of s.foreignKeys) {
    say(fk.table, `db:copy: foreign key ${fk.name}`);
    await exec.query(`ALTER TABLE ${fk.table} ADD CONSTRAINT ${ident(fk.name)} ${fk.def}`, [], "arrays");
  }
}

/** Whether two shapes name the same constraints and indexes with the same definitions. */
export function sameShape(a: Shape, b: Shape): boolean {
  const flat = (s: Shape) =>
    JSON.stringify([[...s.keys].sort(byName), [...s.indexes].sort(byName), [...s.foreignKeys].sort(byName)]);
  return flat(a) === flat(b);
}

function byName(x: { name: string }, y: { name: string }): number {
  return x.name < y.name ? -1 : x.name > y.name ? 1 : 0;
}
