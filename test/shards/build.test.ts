/**
 * The shard processes' compiled code (src/shards/build.ts): the real esbuild build of src/ and commands/, run by
 * plain node without tsx. The end-to-end shard suites (test/e2e/shards.test.ts) run the bot on it.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { BUILD_DIR, buildForNode, withoutTsx } from "../../src/shards/build.ts";

const run = promisify(execFile);

describe("GIVEN the sources compiled for shard processes", () => {
  it("THEN plain node loads every command from the compiled folder, and finds the migrations beside it", async () => {
    const build = await buildForNode("src/shards/shard.ts");
    try {
      const dir = join(build.entry, "../../..");
      const script = `
        const { loadCommands } = await import(${JSON.stringify(join(dir, "src/discord/load-commands.js"))});
        const { SQLITE_MIGRATIONS } = await import(${JSON.stringify(join(dir, "src/db/sqlite/open.js"))});
        const { readdirSync } = await import("node:fs");
        const commands = await loadCommands();
        console.log(JSON.stringify({ names: commands.map((c) => c.data.name), migrations: readdirSync(SQLITE_MIGRATIONS).length }));
      `;
      const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script]);
      const out = JSON.parse(stdout) as { names: string[]; migrations: number };
      const sources = readdirSync(join(import.meta.dirname, "../../commands")).filter((f) =>
        f.endsWith(".ts"),
      );
      expect(out.names.sort()).toEqual(sources.map((f) => f.replace(/\.ts$/, "")).sort());
      expect(out.migrations).toBeGreaterThan(0);
    } finally {
      build.remove();
    }
    expect(existsSync(join(BUILD_DIR, String(process.pid)))).toBe(false);
  });

  it("THEN a build folder whose process is gone is removed by the next build, another live one is kept", async () => {
    const orphan = join(BUILD_DIR, "999999999");
    const live = join(BUILD_DIR, String(process.ppid));
    mkdirSync(orphan, { recursive: true });
    mkdirSync(live, { recursive: true });
    const build = await buildForNode("src/shards/shard.ts");
    build.remove();
    expect(existsSync(orphan)).toBe(false);
    expect(existsSync(live)).toBe(true);
    rmSync(live, { recursive: true });
  });

  it("THEN the children's Node flags drop tsx's loader and keep the rest", () => {
    expect(withoutTsx(["--import", "tsx", "--expose-gc"])).toEqual(["--expose-gc"]);
    expect(
      withoutTsx([
        "--require",
        "/x/node_modules/tsx/dist/preflight.cjs",
        "--import",
        "file:///x/node_modules/tsx/dist/loader.mjs",
      ]),
    ).toEqual([]);
    expect(withoutTsx(["--import=tsx", "--max-old-space-size=512", "--loader", "other"])).toEqual([
      "--max-old-space-size=512",
      "--loader",
      "other",
    ]);
  });
});
