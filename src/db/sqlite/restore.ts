/**
 * `npm run restore`: puts a backup in place of the bot's SQLite file, but only while no bot runs on it (running.ts)
 * and only a backup that passes `integrity_check` at a migration level this version runs (backup.ts). The file it
 * replaces is moved aside with its -wal and -shm (never deleted: a restore of the wrong file can be undone), and
 * the backup goes in under a temporary name renamed into place, so the target is never half-written.
 */
import { copyFileSync, existsSync, renameSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import { checkBackup } from "./backup.ts";
import { runningOn } from "./running.ts";

export class RestoreRefused extends Error {}

export interface Restored {
  target: string;
  /** Where the file it replaced went (null: there was none). */
  setAside: string | null;
}

const stamp = (now: Date) =>
  now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");

export function restoreFile(backup: string, targetPath: string, now = new Date()): Restored {
  const target = resolve(targetPath);
  const from = resolve(backup);
  if (from === target) throw new RestoreRefused("the backup is the database itself");
  if (!existsSync(from)) throw new RestoreRefused(`${backup} does not exist`);
  const running = runningOn(target);
  if (running.length > 0)
    throw new RestoreRefused(
      `a bot is running on ${target} (process ${running.join(", ")}): stop it first, then restore`,
    );
  const problems = checkBackup(from);
  if (problems.length > 0)
    throw new RestoreRefused(`${backup} is not a backup to restore: ${problems.join("; ")}`);
  const incoming = `${target}.restoring-${process.pid}`;
  try {
    copyFileSync(from, incoming);
    let setAside: string | null = null;
    if (existsSync(target)) {
      setAside = `${target}.before-restore-${stamp(now)}`;
      renameSync(target, setAside);
      // The old file's write-ahead log belongs to it: left behind, SQLite would replay it into the restored file.
      for (const side of ["-wal", "-shm"])
        if (existsSync(`${target}${side}`)) renameSync(`${target}${side}`, `${setAside}${side}`);
    }
    renameSync(incoming, target);
    return { target, setAside };
  } finally {
    rmSync(incoming, { force: true });
  }
}
