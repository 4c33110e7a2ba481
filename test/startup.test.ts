import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..");

describe("GIVEN no DISCORD_TOKEN", () => {
  it("THEN start exits non-zero within seconds with ONE line naming the token, .env.example and the sandbox", () => {
    const cwd = mkdtempSync(join(tmpdir(), "start-")); // no .env here
    const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" };
    const r = spawnSync(join(ROOT, "node_modules/.bin/tsx"), [join(ROOT, "src/index.ts")], {
      cwd,
      env,
      encoding: "utf8",
      timeout: 15_000,
    });
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("DISCORD_TOKEN");
    expect(lines[0]).toContain(".env.example");
    expect(lines[0]).toContain("npm run sandbox");
    expect(r.stdout).toBe("");
  });
});

describe("GIVEN the dependency tree", () => {
  it("THEN zlib-sync is not in it (the emulator and the bot speak plain JSON gateway frames)", () => {
    const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as {
      packages: Record<string, unknown>;
    };
    const paths = Object.keys(lock.packages);
    expect(paths.length).toBeGreaterThan(50);
    expect(paths.filter((p) => p.endsWith("node_modules/zlib-sync"))).toEqual([]);
  });
});
