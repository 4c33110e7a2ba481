/**
 * The daily backup (BACKUP_DIR, BACKUP_KEEP): the minute job's first tick of each UTC day copies the SQLite file
 * into `study-YYYY-MM-DD.sqlite` there (db/sqlite/backup.ts, online: the bot keeps running) and removes all but the
 * newest BACKUP_KEEP of them. A day's file that exists is not made again, so several shard processes on one file
 * back it up once a day between them (a rare second copy at the same minute only replaces the first whole).
 */
import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type Database from "better-sqlite3";
import { backupInto } from "../db/sqlite/backup.ts";
import type { Deps } from "../services/deps.ts";

const NAME = /^study-(\d{4}-\d{2}-\d{2})\.sqlite$/;

export interface DailyBackup {
  /** Backs up when today's file is not there yet; resolves to its path then, else null. */
  run(now: Date): Promise<string | null>;
}

export function dailyBackup(o: {
  dir: string;
  keep: number;
  sqlite: Database.Database;
  log: Deps["log"];
}): DailyBackup {
  return {
    async run(now) {
      const day = now.toISOString().slice(0, 10);
      const out = join(o.dir, `study-${day}.sqlite`);
      if (existsSync(out)) return null;
      mkdirSync(o.dir, { recursive: true });
      const t0 = performance.now();
      const bytes = await backupInto(o.sqlite, out);
      const pruned = prune(o.dir, o.keep);
      o.log.info(
        { file: out, bytes, ms: Math.round(performance.now() - t0), pruned },
        "daily backup written",
      );
      return out;
    },
  };
}

/** Removes all but the newest `keep` daily backups (by the date in their names); returns the names removed. */
function prune(dir: string, keep: number): string[] {
  const daily = readdirSync(dir)
    .filter((n) => NAME.test(n))
    .sort()
    .reverse();
  const old = daily.slice(keep);
  for (const name of old) rmSync(join(dir, name), { force: true });
  return old;
}
