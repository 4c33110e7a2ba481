/**
 * The shard processes' compiled code (src/shards/build.ts): the real esbuild build of src/ and commands/, run by
 * plain node without tsx. The end-to-end shard suites (test/e2e/shards.test.ts) run the bot on it.
 */
import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { buildForNode, withoutTsx } from "../../src/shards/build.ts";

const run = promisify(execFile);

describe("GIVEN the sources compiled for shard processes", () => {
  it("THEN plain node loads every command from the compiled folder, and finds the migrations beside it", async () => {
    const build = await buildForNode("src/shards/shard.ts");
    try {
      const { dir } = build;
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
    expect(existsSync(build.dir)).toBe(false);
  });

  it("THEN two builds get folders of their own, outside the checkout, and removing one leaves the other", async () => {
    const [a, b] = [await buildForNode("src/shards/shard.ts"), await buildForNode("src/shards/shard.ts")];
    try {
      expect(a.dir).not.toBe(b.dir);
      expect(a.dir.startsWith(tmpdir())).toBe(true);
      a.remove();
      expect(existsSync(a.dir)).toBe(false);
      expect(existsSync(b.entry)).toBe(true);
    } finally {
      a.remove();
      b.remove();
    }
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
