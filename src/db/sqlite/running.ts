/**
 * Which processes run a bot on an SQLite file: each writes `<file>.running-<pid>` beside it while it runs, and a
 * restore refuses to replace a file any live process has marked (a bot writing into a file being swapped under it
 * would lose its writes, or corrupt the copy). A mark left by a process that died is not alive, so it is ignored.
 */
import { readdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";

const markPrefix = (path: string) => `${basename(path)}.running-`;

/** Marks the file as in use by this process; the returned function removes the mark. */
export function markRunning(path: string): () => void {
  const mark = join(dirname(path), `${markPrefix(path)}${process.pid}`);
  writeFileSync(mark, `${process.pid}\n`);
  return () => rmSync(mark, { force: true });
}

/** Whether a process with this id runs (EPERM: it does, as another user's). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The live processes that marked the file (empty when none runs on it). */
export function runningOn(path: string): number[] {
  const prefix = markPrefix(path);
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith(prefix))
    .map((n) => Number(n.slice(prefix.length)))
    .filter((pid) => Number.isInteger(pid) && pid > 0 && alive(pid));
}
