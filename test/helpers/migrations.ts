import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SQLITE_MIGRATIONS as MIGRATIONS_DIR } from "../../src/db/sqlite/open.ts";

/**
 * A copy of the migrations folder as it stood before the migration whose tag starts with `firstMissing`
 * (e.g. "0006_"), for building a database the way an older release left it. Returns the folder.
 */
export function migrationsBefore(firstMissing: string): string {
  const dir = mkdtempSync(join(tmpdir(), "migrations-"));
  cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  const journalPath = join(dir, "meta", "_journal.json");
  const journal = JSON.parse(readFileSync(journalPath, "utf8")) as { entries: { tag: string }[] };
  const cut = journal.entries.findIndex((e) => e.tag.startsWith(firstMissing));
  if (cut < 0) throw new Error(`no migration ${firstMissing}*`);
  journal.entries = journal.entries.slice(0, cut);
  writeFileSync(journalPath, JSON.stringify(journal));
  return dir;
}
