import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { TSX_LOADER_FLAGS } from "../src/shards/build.ts";

const ROOT = resolve(import.meta.dirname, "..");
const LOGGER = pathToFileURL(join(ROOT, "src/logger.ts")).href;
const program = `import { createLogger } from ${JSON.stringify(LOGGER)}; createLogger("info").info({ guild: "42" }, "ready");`;
const node = [process.execPath, ...TSX_LOADER_FLAGS, "--input-type=module", "-e", program];
const quote = (a: string) => `'${a.replaceAll("'", "'\\''")}'`;
/** util-linux `script` runs a command on a pseudo-terminal (its stdio: the terminal). */
const SCRIPT = ["/usr/bin/script", "/bin/script"].find((p) => existsSync(p));

describe("GIVEN the bot's logger", () => {
  it("THEN with stderr not a terminal (a pipe, journald, a file) each line is pino's JSON", () => {
    const r = spawnSync(node[0] as string, node.slice(1), { encoding: "utf8", timeout: 15_000 });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stderr.trim())).toMatchObject({ level: 30, msg: "ready", guild: "42" });
    expect(r.stdout).toBe("");
  });

  it("THEN with stderr a terminal the lines are pino-pretty's", (ctx) => {
    if (!SCRIPT) return ctx.skip("no `script` (util-linux) here to run the logger on a pseudo-terminal");
    const r = spawnSync(SCRIPT, ["-qec", node.map(quote).join(" "), "/dev/null"], {
      encoding: "utf8",
      timeout: 15_000,
    });
    expect(r.status).toBe(0);
    const plain = r.stdout.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g"), ""); // colours
    expect(plain).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: ready\r?\n {4}guild: "42"/);
    expect(plain).not.toContain('{"level"');
  });
});
