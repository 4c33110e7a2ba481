/**
 * Puts a backup in place of the bot's SQLite file (db/sqlite/restore.ts): refused while a bot runs on it, and for
 * a file that fails `integrity_check` or is at a migration level this version does not run.
 *   npm run restore -- FILE [--db PATH]
 * The target is DATABASE_PATH (environment or .env) unless --db names another; the file it replaces is kept as
 * `<file>.before-restore-<time>`. Exit 0 restored; 1 failed; 2 refused or usage.
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { RestoreRefused, restoreFile } from "../db/sqlite/restore.ts";
import { PG_DUMP_GUIDANCE } from "./pg-dump-guidance.ts";

function main(argv: string[]): number {
  try {
    process.loadEnvFile?.(".env");
  } catch {
    // no .env: the environment alone
  }
  let parsed: { values: { db?: string }; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options: { db: { type: "string" } }, allowPositionals: true });
  } catch (err) {
    console.error(`${(err as Error).message}\nusage: npm run restore -- FILE [--db PATH]`);
    return 2;
  }
  const [file, ...rest] = parsed.positionals;
  if (file === undefined || rest.length > 0) {
    console.error("usage: npm run restore -- FILE [--db PATH]");
    return 2;
  }
  if (!parsed.values.db && process.env.DATABASE_URL) {
    console.error(PG_DUMP_GUIDANCE);
    return 2;
  }
  const target = resolve(parsed.values.db ?? process.env.DATABASE_PATH ?? "./data/study.db");
  try {
    const r = restoreFile(file, target);
    console.log(
      `restored ${resolve(file)} into ${r.target}${r.setAside ? `; the file it replaced is kept as ${r.setAside}` : ""}. Start the bot: it applies any newer migrations on start.`,
    );
    return 0;
  } catch (err) {
    if (err instanceof RestoreRefused) {
      console.error(`restore refused, nothing changed: ${err.message}`);
      return 2;
    }
    console.error(`restore failed: ${(err as Error).message}`);
    return 1;
  }
}

process.exitCode = main(process.argv.slice(2));
