/**
 * Moves an install from its SQLite file to PostgreSQL.
 *   npm run db:copy -- --from <sqlite file> --to <postgres url> [--batch ROWS]
 * Exit codes: 0 copied and verified; 1 the copy failed or did not verify (rolled back: the target stays empty);
 * 2 usage error, or nothing was copied (an unreadable file, migrations behind, a target that is not empty).
 */
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { engineOf } from "../db/client.ts";
import { CopyMismatch, CopyRefused, type CopyReport, copyDatabase } from "../db/copy/copy-database.ts";

export const USAGE =
  "usage: npm run db:copy -- --from <sqlite file> --to <postgres://user@host/database> [--batch ROWS]";

interface Args {
  from: string;
  to: string;
  batchRows: number;
}

class UsageError extends Error {}

export function parseCopyArgs(argv: string[]): Args {
  let values: { from?: string; to?: string; batch?: string };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { from: { type: "string" }, to: { type: "string" }, batch: { type: "string" } },
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.from === undefined || values.from === "") throw new UsageError("--from is required");
  if (values.to === undefined || engineOf(values.to) !== "pg")
    throw new UsageError("--to must be a postgres:// or postgresql:// URL");
  const batchRows = values.batch === undefined ? 10_000 : Number(values.batch);
  if (!Number.isInteger(batchRows) || batchRows < 1 || batchRows > 100_000)
    throw new UsageError("--batch must be a whole number of rows from 1 to 100000");
  return { from: values.from, to: values.to, batchRows };
}

export function formatReport(r: CopyReport): string {
  const total = r.tables.reduce((n, t) => n + t.rows, 0);
  const width = Math.max(...r.tables.map((t) => t.name.length), "total".length);
  const line = (name: string, rows: number, seconds: number) =>
    `  ${name.padEnd(width)}  ${rows.toLocaleString("en-US").padStart(12)}  ${seconds.toFixed(2).padStart(8)} s`;
  const rate = r.copySeconds > 0 ? Math.round(total / r.copySeconds) : total;
  return [
    `copied ${r.from} into ${r.to}`,
    ...r.tables.map((t) => line(t.name, t.rows, t.seconds)),
    `${line("total", total, r.copySeconds)}  (${rate.toLocaleString("en-US")} rows/s)`,
    `keys, indexes and foreign keys rebuilt, sequences reset, tables analyzed in ${r.indexSeconds.toFixed(2)} s`,
    ...(r.triggers.length > 0 ? [`triggers off during the copy: ${r.triggers.join(", ")}`] : []),
    ...(r.skipped.length > 0 ? [`not the bot's, not copied: ${r.skipped.join(", ")}`] : []),
    `verified in ${r.verifySeconds.toFixed(2)} s: row counts of ${r.tables.length} tables, ${r.rowsCompared.toLocaleString("en-US")} card states column by column`,
    `vacuumed in ${r.vacuumSeconds.toFixed(2)} s (visibility for index-only reads)`,
  ].join("\n");
}

/** Where the command writes (the process streams; tests pass their own). */
export interface Out {
  write(text: string): unknown;
}

/** Runs the command; returns the exit code. */
export async function main(
  argv: string[],
  out: Out = process.stdout,
  err: Out = process.stderr,
): Promise<number> {
  let args: Args;
  try {
    args = parseCopyArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err.write(`db:copy: ${e.message}; ${USAGE}\n`);
    return 2;
  }
  try {
    const report = await copyDatabase(args.from, args.to, {
      batchRows: args.batchRows,
      progress: (line) => err.write(`${line}\n`),
    });
    out.write(`${formatReport(report)}\n`);
    return 0;
  } catch (e) {
    if (e instanceof CopyRefused) {
      err.write(`db:copy: ${e.message}\n`);
      return 2;
    }
    if (e instanceof CopyMismatch) {
      err.write(`db:copy: verification failed, nothing committed: ${e.message}\n`);
      return 1;
    }
    err.write(`db:copy: the copy failed, nothing committed: ${(e as Error).message}\n`);
    return 1;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
