/**
 * A backup of the bot's SQLite file while the bot runs (SQLite's online backup: db/sqlite/backup.ts).
 *   npm run backup -- --out FILE [--db PATH]
 * The file is DATABASE_PATH (from the environment or .env) unless --db names another. With DATABASE_URL set the
 * database is PostgreSQL: it prints how to back that up with pg_dump. Exit 0 written; 1 failed; 2 usage.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { backupFile } from "../db/sqlite/backup.ts";
import { PG_DUMP_GUIDANCE } from "./pg-dump-guidance.ts";

async function main(argv: string[]): Promise<number> {
  try {
    process.loadEnvFile?.(".env");
  } catch {
    // no .env: the environment alone
  }
  let values: { out?: string; db?: string };
  try {
    ({ values } = parseArgs({ args: argv, options: { out: { type: "string" }, db: { type: "string" } } }));
  } catch (err) {
    console.error(`${(err as Error).message}\nusage: npm run backup -- --out FILE [--db PATH]`);
    return 2;
  }
  if (!values.db && process.env.DATABASE_URL) {
    console.error(PG_DUMP_GUIDANCE);
    return 2;
  }
  if (!values.out) {
    console.error("usage: npm run backup -- --out FILE [--db PATH]");
    return 2;
  }
  const source = resolve(values.db ?? process.env.DATABASE_PATH ?? "./data/study.db");
  if (!existsSync(source)) {
    console.error(`backup: ${source} does not exist (set DATABASE_PATH, or --db PATH)`);
    return 2;
  }
  const out = resolve(values.out);
  if (out === source) {
    console.error("backup: --out is the database itself");
    return 2;
  }
  const t0 = performance.now();
  try {
    const bytes = await backupFile(source, out);
    console.log(
      `backed up ${source} into ${out}: ${bytes.toLocaleString("en-US")} bytes in ${((performance.now() - t0) / 1000).toFixed(2)} s`,
    );
    return 0;
  } catch (err) {
    console.error(`backup failed: ${(err as Error).message}`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
