/**
 * The daily backup (BACKUP_DIR, BACKUP_KEEP) on a real SQLite file: the minute job's first tick of a UTC day writes
 * that day's copy (a tick later the same day writes none), and only the newest BACKUP_KEEP are kept.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { dailyBackup } from "../../src/jobs/daily-backup.ts";
import { createQuizJob, manualTicker, type QuizJob } from "../../src/jobs/quiz-job.ts";
import { testDeps } from "../helpers/deps.ts";
import { fakeTransport } from "../quiz/helpers.ts";

describe("GIVEN the minute job with BACKUP_DIR and BACKUP_KEEP=2", () => {
  let deps: ReturnType<typeof testDeps>;
  let job: QuizJob;
  let dir: string;
  beforeEach(() => {
    deps = testDeps("2026-03-02T23:58:00Z");
    dir = join(deps.dir, "backups");
    job = createQuizJob({
      deps,
      transport: fakeTransport().transport,
      ticker: manualTicker,
      backup: dailyBackup({ dir, keep: 2, sqlite: deps.db.sqlite, log: deps.log }),
    });
  });
  afterEach(async () => {
    await job.stop();
    deps.close();
  });

  const files = () => (existsSync(dir) ? readdirSync(dir).sort() : []);
  /** A tick at `iso`, then the backup it started (beside the ticks) awaited by stopping the job. */
  async function tickAt(iso: string) {
    await job.tick(new Date(iso));
    await job.stop();
    await job.start().catch(() => {});
  }

  it("THEN each day's first tick writes that day's backup, a later tick none, and the oldest beyond 2 go", async () => {
    await tickAt("2026-03-02T23:58:00Z");
    expect(files()).toEqual(["study-2026-03-02.sqlite"]);
    deps.db.sqlite.exec("CREATE TABLE after_first_backup (x)");
    await tickAt("2026-03-02T23:59:00Z");
    // Not written again the same day: the file is the one of the first tick.
    const first = new Database(join(dir, "study-2026-03-02.sqlite"), { readonly: true });
    expect(
      first.prepare("SELECT name FROM sqlite_master WHERE name = 'after_first_backup'").get(),
    ).toBeUndefined();
    expect(first.pragma("integrity_check", { simple: true })).toBe("ok");
    first.close();
    await tickAt("2026-03-03T00:00:00Z");
    await tickAt("2026-03-04T00:01:00Z");
    expect(files()).toEqual(["study-2026-03-03.sqlite", "study-2026-03-04.sqlite"]);
    const latest = new Database(join(dir, "study-2026-03-04.sqlite"), { readonly: true });
    expect(latest.prepare("SELECT name FROM sqlite_master WHERE name = 'after_first_backup'").get()).toEqual({
      name: "after_first_backup",
    });
    latest.close();
  });
});
