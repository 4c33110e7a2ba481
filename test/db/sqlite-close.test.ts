/**
 * Shards stopping together on one SQLite file: each closes after `PRAGMA optimize`, whose ANALYZE needs the write
 * lock. A close while another process holds that lock (here a second connection in a write transaction) must
 * still close, and leave the file as it was.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { closeDb, openDb } from "../../src/db/client.ts";

const dir = mkdtempSync(join(tmpdir(), "sqlite-close-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("GIVEN another process holding the SQLite file's write lock", () => {
  it("THEN the bot's connection closes without its statistics refresh, and nothing is lost", async () => {
    const path = join(dir, "bot.db");
    const db = await openDb(path);
    if (db.kind !== "sqlite") throw new Error("expected SQLite");
    // Rows and an indexed read, so that PRAGMA optimize wants to ANALYZE (it does without the other writer).
    const add = db.sqlite.prepare("INSERT INTO guilds (id, timezone, created_at) VALUES (?, 'UTC', 0)");
    db.sqlite.transaction(() => {
      for (let i = 0; i < 3_000; i++) add.run(String(10_000 + i));
    })();
    db.sqlite.prepare("SELECT count(*) FROM guilds WHERE id > ?").get("10500");
    const other = new Database(path);
    other.exec("BEGIN IMMEDIATE");
    other.prepare("INSERT INTO guilds (id, timezone, created_at) VALUES ('1', 'UTC', 0)").run();
    await closeDb(db); // threw SQLITE_BUSY after the 5 s busy timeout before
    expect(db.sqlite.open).toBe(false);
    other.exec("COMMIT");
    expect(other.prepare("SELECT count(*) AS n FROM guilds").get()).toEqual({ n: 3_001 });
    other.close();
  });
});
