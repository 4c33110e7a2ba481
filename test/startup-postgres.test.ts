/**
 * Start-up with a DATABASE_URL that cannot be used: the real `src/index.ts` stops with ONE line naming the setting,
 * the URL (password hidden), what is wrong and what to do, and exits 1 — never a stack trace or a hang. The
 * refusals need the run's PostgreSQL server; the one that does not answer needs none.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { hasPgServer, openTestDb } from "./helpers/engines.ts";

const ROOT = resolve(import.meta.dirname, "..");
const dir = mkdtempSync(join(tmpdir(), "start-pg-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function start(databaseUrl: string) {
  return spawnSync(join(ROOT, "node_modules/.bin/tsx"), [join(ROOT, "src/index.ts")], {
    cwd: dir, // no .env here
    env: {
      PATH: process.env.PATH ?? "",
      DISCORD_TOKEN: "not-a-real-token",
      DISCORD_API_URL: "http://127.0.0.1:9/api", // never reached when the database is refused
      DATABASE_URL: databaseUrl,
      DATABASE_PATH: join(dir, "never-made", "study.db"),
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
  expect(existsSync(join(dir, "never-made")), "DATABASE_PATH is not used beside DATABASE_URL").toBe(false);
}

/** The run's server URL with the user, password or database swapped. */
async function serverUrl(change: (u: URL) => void): Promise<string> {
  const t = await openTestDb("pg");
  try {
    if (t.target === null) throw new Error("no PostgreSQL server in this run");
    const u = new URL(t.target);
    change(u);
    return u.toString();
  } finally {
    await t.close();
  }
}

describe("GIVEN a DATABASE_URL that cannot be used", () => {
  it("WHEN nothing listens at its host and port THEN one line: does not answer, check host and port", () => {
    const r = start("postgres://bot:secret@127.0.0.1:9/study");
    expectOneLine(
      r,
      "DATABASE_URL postgres://bot:***@127.0.0.1:9/study does not answer",
      "ECONNREFUSED",
      "port",
    );
    expect(r.stderr).not.toContain("secret");
  });

  it("WHEN it is not a postgres:// URL THEN one line naming DATABASE_URL", () => {
    const r = start("mysql://bot@localhost/study");
    expectOneLine(r, "DATABASE_URL", "must be a postgres:// URL");
  });

  it("WHEN the server has no such database THEN one line: create it first", async (ctx) => {
    if (!hasPgServer()) ctx.skip("needs a PostgreSQL server (TEST_DATABASE_URL)");
    const url = await serverUrl((u) => {
      u.pathname = "/study_no_such_database";
    });
    expectOneLine(
      start(url),
      "DATABASE_URL",
      "study_no_such_database",
      "has no such database",
      "CREATE DATABASE",
    );
  });

  it("WHEN the server refuses the user THEN one line: refuses, check the user", async (ctx) => {
    if (!hasPgServer()) ctx.skip("needs a PostgreSQL server (TEST_DATABASE_URL)");
    const url = await serverUrl((u) => {
      u.username = "no_such_role_here";
      u.password = "pw";
    });
    const r = start(url);
    expect(r.stderr).toMatch(
      /^DATABASE_URL \S+no_such_role_here:\*\*\*@\S+ refuses (the login|the connection)/,
    );
    expectOneLine(r, "check the user");
  });
});
