/**
 * Child process of a parallel seed: generates members [from, to) into its own part file (plain tables, no keys,
 * journal off), which the parent then copies into the seeded database. Started by `seedDatabase` with
 * `--import tsx`; talks over the IPC channel.
 */
import { rmSync } from "node:fs";
import Database from "better-sqlite3";
import { generateMembers } from "./members.ts";
import type { SeedParams } from "./world.ts";

export interface PartJob {
  path: string;
  params: SeedParams;
  from: number;
  to: number;
  /** CREATE TABLE statements for the part's tables. */
  tables: string[];
}

process.once("message", (job: PartJob) => {
  for (const suffix of ["", "-journal"]) rmSync(job.path + suffix, { force: true });
  const db = new Database(job.path);
  db.unsafeMode(true); // journal_mode=OFF is refused in (default) defensive mode
  db.pragma("journal_mode = OFF");
  db.pragma("synchronous = OFF");
  db.pragma("locking_mode = EXCLUSIVE");
  db.pragma("cache_size = -262144");
  for (const sql of job.tables) db.exec(sql);
  const summary = generateMembers(db, job.params, job.from, job.to, (done, s) =>
    process.send?.({ kind: "progress", done, summary: s }),
  );
  db.close();
  process.send?.({ kind: "done", summary }, () => process.exit(0));
});
