/**
 * Start-up with a database path that cannot be used: the real `src/index.ts` (and the sandbox) must stop with ONE
 * line naming the setting, the path, what is wrong and what to do, and exit 1 — never a stack trace or a hang.
 * Tests run as root here, where permissions do not stop writes: the unwritable folders are ones the kernel
 * refuses to anyone (a path under a regular file, /proc).
 */
import { spawnSync } from "node:child_process";
import {
  closeSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDeck, testDeps } from "./helpers/deps.ts";

const ROOT = resolve(import.meta.dirname, "..");
const dir = mkdtempSync(join(tmpdir(), "start-db-"));
/** A real bot database (migrated, a deck of cards), closed cleanly: its WAL is folded in and removed. */
const good = join(dir, "good.db");
const PAGE = 4096;

function start(databasePath: string) {
  return spawnSync(join(ROOT, "node_modules/.bin/tsx"), [join(ROOT, "src/index.ts")], {
    cwd: dir, // no .env here
    env: {
      PATH: process.env.PATH ?? "",
      DISCORD_TOKEN: "not-a-real-token",
      DISCORD_API_URL: "http://127.0.0.1:9/api", // never reached when the database is refused
      DATABASE_PATH: databasePath,
      DECKS_DIR: join(ROOT, "decks"),
      LOG_LEVEL: "info",
    },
    encoding: "utf8",
    timeout: 30_000,
  });
}

/** Exit 1 and exactly one stderr line with every given part in it. */
function expectOneLine(r: ReturnType<typeof start>, ...parts: string[]) {
  expect(r.status, r.stderr).toBe(1);
  const lines = r.stderr.trim().split("\n");
  expect(lines, r.stderr).toHaveLength(1);
  for (const part of parts) expect(lines[0]).toContain(part);
  expect(r.stdout).toBe("");
}

/** Overwrites pages [from, to) (1-based, as SQLite numbers them) with a repeating non-zero pattern. */
function garble(path: string, from: number, to: number) {
  const fd = openSync(path, "r+");
  try {
    const junk = Buffer.alloc(PAGE, "garbage!");
    for (let p = from; p < to; p++) writeSync(fd, junk, 0, PAGE, (p - 1) * PAGE);
  } finally {
    closeSync(fd);
  }
}

function copyOfGood(name: string): string {
  const path = join(dir, name);
  copyFileSync(good, path);
  return path;
}

beforeAll(async () => {
  const deps = testDeps();
  await seedDeck(deps, "deck", 400);
  deps.db.sqlite.close();
  copyFileSync(join(deps.dir, "test.db"), good);
  rmSync(deps.dir, { recursive: true, force: true });
  expect(statSync(good).size).toBeGreaterThan(20 * PAGE);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("SQLite: GIVEN a DATABASE_PATH that cannot be used", () => {
  it("WHEN it is a directory THEN one line says so and names a file to use instead", () => {
    const path = join(dir, "a-folder.db");
    mkdirSync(path);
    expectOneLine(start(path), "DATABASE_PATH", path, "is a directory", join(path, "study.db"));
  });

  it("WHEN it is a text file THEN one line says it is not a SQLite database, and the file is left as it was", () => {
    const path = join(dir, "notes.txt");
    writeFileSync(path, "my study notes\n".repeat(100));
    expectOneLine(start(path), "DATABASE_PATH", path, "is not a SQLite database", "new file name");
    expect(statSync(path).size).toBe(1500);
  });

  it("WHEN it is a real database cut short THEN one line says it is truncated and by how much", () => {
    const path = copyOfGood("truncated.db");
    const size = statSync(path).size;
    truncateSync(path, Math.floor(size / 2 / PAGE) * PAGE);
    expectOneLine(start(path), "DATABASE_PATH", path, "is truncated", `${size} bytes`, "backup");
  });

  it("WHEN its pages after the first are garbage THEN one line says it is corrupt", () => {
    const path = copyOfGood("garbage.db");
    garble(path, 2, statSync(path).size / PAGE + 1);
    expectOneLine(start(path), "DATABASE_PATH", path, "is corrupt", "backup");
  });

  it("WHEN only the first page of a table start-up does not otherwise read is garbage THEN one line says it is corrupt", () => {
    const path = copyOfGood("bad-table.db");
    const db = new Database(path, { readonly: true });
    const root = db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'review_logs'").pluck().get();
    db.close();
    expect(typeof root).toBe("number");
    garble(path, Number(root), Number(root) + 1);
    expectOneLine(start(path), "DATABASE_PATH", path, "is corrupt");
  });

  it("WHEN a folder on its way is a regular file THEN one line names that file (not a mkdir EEXIST)", () => {
    const file = join(dir, "plain-file");
    writeFileSync(file, "x");
    const r = start(join(file, "study.db"));
    expectOneLine(r, "DATABASE_PATH", join(file, "study.db"), `${file} is a file, not a folder`);
    expect(r.stderr).not.toContain("EEXIST");
    const deeper = join(file, "data", "study.db");
    expectOneLine(start(deeper), "DATABASE_PATH", deeper, `${file} is a file, not a folder`);
  });

  it.runIf(process.platform === "linux")(
    "WHEN its folder is one nobody may write (even root: /proc) THEN one line says the file cannot be created there",
    () => {
      expectOneLine(
        start("/proc/study.db"),
        "DATABASE_PATH",
        "/proc/study.db",
        "cannot be opened or created in /proc",
      );
      // A folder to make under /proc: Node's recursive mkdir loops forever there; start-up must not hang.
      expectOneLine(
        start("/proc/study-bot/study.db"),
        "DATABASE_PATH",
        "/proc/study-bot/study.db",
        "the folder /proc/study-bot cannot be made",
        "a folder this user can write to",
      );
    },
    40_000,
  );
});

describe("SQLite: GIVEN the interactive sandbox with --db that cannot be used", () => {
  it("THEN it stops with the same one line, naming --db", () => {
    const path = join(dir, "sandbox-notes.txt");
    writeFileSync(path, "not a database\n".repeat(100));
    const r = spawnSync(
      join(ROOT, "node_modules/.bin/tsx"),
      [join(ROOT, "src/sandbox/main.ts"), "--db", path],
      {
        cwd: dir,
        env: { PATH: process.env.PATH ?? "" },
        input: "",
        encoding: "utf8",
        timeout: 30_000,
      },
    );
    expect(r.status, r.stderr).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines, r.stderr).toEqual([
      `sandbox: --db ${path} is not a SQLite database (file is not a database): point it at the bot's database file, or at a new file name to start an empty database.`,
    ]);
  });
});
