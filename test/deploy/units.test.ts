/**
 * deploy/: the systemd unit passes `systemd-analyze verify` (and its offline security review), and the unit and
 * the pm2 ecosystem file start the same build the same way. Running the unit itself needs a machine booted with
 * systemd, which the tests do not assume.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it, type TestContext } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const UNIT = join(ROOT, "deploy/study-bot.service");
const text = readFileSync(UNIT, "utf8");
const ANALYZE = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].find((p) => existsSync(p));
const dir = mkdtempSync(join(tmpdir(), "study-unit-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The unit's settings, key → every value given (comments and sections dropped). */
function settings(unit: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of unit.split("\n")) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (m) out.set(m[1] as string, [...(out.get(m[1] as string) ?? []), m[2] as string]);
  }
  return out;
}
const unit = settings(text);
const execStart = (unit.get("ExecStart")?.[0] ?? "").split(" ");

/**
 * The unit to analyse: verify checks that ExecStart's program exists, so on a machine without /usr/bin/node a
 * copy runs this test's node instead (the only line changed); the file name must stay study-bot.service.
 */
function unitToAnalyse(ctx: TestContext): string {
  if (!ANALYZE) return ctx.skip("systemd-analyze is not installed here");
  const node = execStart[0] ?? "";
  const path = join(dir, "study-bot.service");
  if (existsSync(node)) copyFileSync(UNIT, path);
  else {
    void ctx.annotate(`${node} does not exist here: verified with ExecStart=${process.execPath}`);
    writeFileSync(path, text.replace(`ExecStart=${node} `, `ExecStart=${process.execPath} `));
  }
  return path;
}

describe("GIVEN deploy/study-bot.service", () => {
  it("THEN systemd-analyze verify accepts it without a single warning", (ctx) => {
    const path = unitToAnalyse(ctx);
    const r = spawnSync(ANALYZE as string, ["verify", path], { encoding: "utf8", timeout: 30_000 });
    // verify exits 0 on unknown keys and unparsable values, which it only prints: any line about the unit fails.
    const about = `${r.stdout}${r.stderr}`.split("\n").filter((l) => l.includes("study-bot.service"));
    expect(about).toEqual([]);
    expect(r.status).toBe(0);
  });

  it("THEN systemd's offline security review rates its exposure OK or better (≤ 2.0)", (ctx) => {
    const path = unitToAnalyse(ctx);
    const r = spawnSync(ANALYZE as string, ["security", "--offline=true", "--no-pager", path], {
      encoding: "utf8",
      timeout: 30_000,
    });
    const m = /Overall exposure level for study-bot\.service: ([\d.]+)/.exec(r.stdout);
    if (!m) return ctx.skip(`this systemd-analyze has no offline security review: ${r.stderr.trim()}`);
    expect(Number(m[1])).toBeLessThanOrEqual(2.0);
  });

  it("THEN it runs the build with plain node, restarts on failure, reads the environment file and stops gracefully", () => {
    expect(execStart.slice(1)).toEqual(["--enable-source-maps", "/opt/study-bot/dist/src/index.js"]);
    expect(unit.get("Restart")).toEqual(["on-failure"]);
    expect(unit.get("EnvironmentFile")).toEqual(["/etc/study-bot/study-bot.env"]);
    expect(unit.get("KillSignal")).toEqual(["SIGTERM"]);
    expect(Number(unit.get("TimeoutStopSec")?.[0])).toBeGreaterThanOrEqual(10);
    expect(unit.get("User")).toEqual(["study-bot"]);
  });

  it("THEN it may write only its data directory", () => {
    expect(unit.get("NoNewPrivileges")).toEqual(["yes"]);
    expect(unit.get("ProtectSystem")).toEqual(["strict"]);
    expect(unit.get("ReadWritePaths")).toEqual(["/var/lib/study-bot"]);
    expect(unit.get("StateDirectory")).toEqual(["study-bot"]);
    expect(unit.has("MemoryDenyWriteExecute")).toBe(false); // V8's JIT needs it off
  });
});

describe("GIVEN deploy/ecosystem.config.cjs", () => {
  const app = (
    createRequire(import.meta.url)(join(ROOT, "deploy/ecosystem.config.cjs")) as {
      apps: Record<string, unknown>[];
    }
  ).apps[0] as Record<string, unknown>;

  it("THEN pm2 starts the same build as the unit, one forked process, from the checkout (where .env is read)", () => {
    expect(resolve(String(app.cwd), String(app.script))).toBe(join(ROOT, "dist/src/index.js"));
    expect(execStart[2]?.endsWith(`/${String(app.script)}`)).toBe(true);
    expect(app.node_args).toBe("--enable-source-maps");
    expect([app.exec_mode, app.instances, app.autorestart]).toEqual(["fork", 1, true]);
  });

  it("THEN it gives the bot as long to stop as systemd does before killing it", () => {
    expect(Number(app.kill_timeout)).toBe(Number(unit.get("TimeoutStopSec")?.[0]) * 1000);
  });
});
