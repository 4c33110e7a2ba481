/**
 * The database-path checks and SQLite error translations behind start-up's one-line message, on real files and
 * real SQLite errors (test/startup-database.test.ts runs the common cases through the real process).
 */
import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { openDb } from "../../src/db/client.ts";
import { openSqlite } from "../../src/db/sqlite/open.ts";
import { DatabaseOpenError, explainSqliteError, preparePath } from "../../src/db/sqlite/open-errors.ts";

const dir = mkdtempSync(join(tmpdir(), "open-errors-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The error `fn` throws (fails the test when it throws none). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error("expected a throw");
}

describe("SQLite: GIVEN a path that is not a regular file", () => {
  it("THEN openDb refuses it with one line and creates nothing", async () => {
    const err = await openDb("/dev/null").then(
      () => {
        throw new Error("expected a rejection");
      },
      (e: unknown) => e,
    );
    if (!(err instanceof DatabaseOpenError)) throw err;
    expect(err.lineFor("DATABASE_PATH")).toBe(
      "DATABASE_PATH /dev/null is not a regular file: point it at a database file.",
    );
  });
});

describe("SQLite: GIVEN a database shorter than its header says", () => {
  const make = (name: string) => {
    const path = join(dir, name);
    openSqlite(path).sqlite.close();
    truncateSync(path, statSync(path).size - 4096);
    return path;
  };

  it("THEN preparePath calls it truncated", () => {
    const err = thrown(() => preparePath(make("short.db")));
    if (!(err instanceof DatabaseOpenError)) throw err;
    expect(err.problem).toMatch(/^is truncated: its header counts \d+ pages of 4096 bytes/);
  });

  it("WHEN a non-empty WAL may still hold the missing pages THEN it is left to SQLite", () => {
    const path = make("short-with-wal.db");
    writeFileSync(`${path}-wal`, "frames");
    expect(() => preparePath(path)).not.toThrow();
  });

  it("WHEN the header's count is not marked valid (an old writer) THEN it is left to SQLite", () => {
    const path = make("short-old-writer.db");
    const bytes = readFileSync(path);
    bytes.writeUInt32BE(bytes.readUInt32BE(24) + 1, 92); // version-valid-for no longer matches the change counter
    writeFileSync(path, bytes);
    expect(() => preparePath(path)).not.toThrow();
  });
});

describe("SQLite: GIVEN real SQLite errors", () => {
  const path = join(dir, "errors.db");
  const line = (err: unknown) => explainSqliteError(path, err)?.lineFor("DATABASE_PATH");

  it("THEN a read-only file, a full database and a lock held by another process each get their line", () => {
    openSqlite(path).sqlite.close();
    const ro = new Database(path, { readonly: true });
    expect(line(thrown(() => ro.exec("CREATE TABLE x (y)")))).toBe(
      `DATABASE_PATH ${path} cannot be written (attempt to write a readonly database): give this user write access to the file and its folder.`,
    );
    ro.close();

    const full = new Database(path);
    full.pragma(`max_page_count = ${full.pragma("page_count", { simple: true })}`);
    expect(
      line(thrown(() => full.exec("CREATE TABLE big (b); INSERT INTO big VALUES (zeroblob(100000))"))),
    ).toBe(`DATABASE_PATH ${path} cannot grow (database or disk is full): free some disk space.`);
    full.close();

    const holder = new Database(path);
    holder.exec("BEGIN EXCLUSIVE");
    const other = new Database(path);
    other.pragma("busy_timeout = 0");
    expect(line(thrown(() => other.exec("CREATE TABLE z (y)")))).toBe(
      `DATABASE_PATH ${path} is locked by another process (database is locked): stop that process (or wait for it) and start again.`,
    );
    other.close();
    holder.exec("ROLLBACK");
    holder.close();
  });

  it("THEN an I/O error names the disk, and errors that are the program's own (SQL, JavaScript) are not explained away", () => {
    expect(line(new Database.SqliteError("disk I/O error", "SQLITE_IOERR_READ"))).toBe(
      `DATABASE_PATH ${path} cannot be read or written (disk I/O error): check the disk and the file.`,
    );
    const db = new Database(":memory:");
    expect(
      explainSqliteError(
        path,
        thrown(() => db.exec("SELECT * FROM missing")),
      ),
    ).toBeNull();
    db.close();
    expect(explainSqliteError(path, new Error("boom"))).toBeNull();
  });
});
