/**
 * `npm run build` and the production start, end to end: the build is made once, into a folder of this run's own
 * (so a stale dist/ in the checkout changes nothing), and its entry point is run by plain `node` against the
 * emulator as systemd and pm2 run it (deploy/); then through `npm start`'s launcher (scripts/start.mjs), and
 * sharded from the build, each shard with its own metrics port.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILD_INFO, sourceFingerprint } from "../../src/build/fingerprint.ts";
import { loadCommands } from "../../src/discord/load-commands.ts";
import { registerCommands } from "../../src/discord/register.ts";
import { DiscordEmulator } from "../../src/emulator/index.ts";
import type { HealthReport } from "../../src/ops/health.ts";
import { openTestDb, skipWithoutPgServer, type TestDb } from "../helpers/engines.ts";
import { type BotProcess, ClockFile, type SharedDatabase, startBot } from "./bot-processes.ts";
import { E2E_ENGINES } from "./harness.ts";

const ROOT = resolve(import.meta.dirname, "../..");
let tmp: string;
let out: string;
let buildSeconds: number;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "study-built-"));
  out = join(tmp, "build");
  const t0 = performance.now();
  const r = spawnSync("npm", ["run", "--silent", "build", "--", "--out-dir", out], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 60_000,
  });
  buildSeconds = (performance.now() - t0) / 1000;
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout).toMatch(new RegExp(`^built ${out}/ \\(\\d+ JavaScript files\\) in \\d+\\.\\d s\\n$`));
}, 60_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** An emulator with one server, the bot's commands registered (as `npm run deploy-commands` does). */
async function emulator() {
  const emu = await DiscordEmulator.start({ answerTimeoutMs: 10_000 });
  const g = emu.addGuild({ name: "Built" });
  const channel = emu.addChannel(g.id, { name: "study" });
  const alice = emu.addUser({ name: "alice", guildId: g.id, admin: true });
  await registerCommands({
    token: emu.token,
    applicationId: emu.applicationId,
    apiUrl: emu.apiUrl,
    commands: await loadCommands(),
  });
  return { emu, channel, alice };
}

/** Runs node with `args` against a fresh emulator until "ready" (all `shards`, or one process), then `body`. */
async function run(
  args: string[],
  body: (bot: BotProcess, e: Awaited<ReturnType<typeof emulator>>) => Promise<void>,
  o: { env?: Record<string, string>; shards?: number[]; databaseUrl?: string } = {},
): Promise<BotProcess> {
  const e = await emulator();
  const dir = mkdtempSync(join(tmp, "run-"));
  const clock = new ClockFile(join(dir, "clock"));
  clock.set("2026-03-02T08:00:00Z");
  const db: SharedDatabase = o.databaseUrl
    ? { name: "PostgreSQL database", env: { DATABASE_URL: o.databaseUrl } }
    : { name: "SQLite file", env: { DATABASE_PATH: join(dir, "study.db") } };
  const bot = startBot({ emu: e.emu, db, clock, cwd: dir, args, env: o.env });
  try {
    const shards = o.shards ?? [0];
    await e.emu.waitFor(
      () => shards.every((s) => bot.readyPids().has(s)) || bot.child.exitCode !== null || undefined,
      30_000,
      () => bot.stderr().slice(-3000),
    );
    expect(bot.child.exitCode, bot.stderr().slice(-3000)).toBeNull();
    await body(bot, e);
    expect(await bot.stop()).toBe(0);
    expect(bot.lines().filter((l) => Number(l.level) >= 50)).toEqual([]);
    return bot;
  } finally {
    bot.child.kill("SIGKILL");
    await bot.exited;
    await e.emu.stop();
  }
}

const readyLine = (bot: BotProcess) => bot.lines().find((l) => l.msg === "ready");

/** Start without a token, from an empty folder: exit 1 and exactly one line. */
function withoutToken(args: string[]) {
  const cwd = mkdtempSync(join(tmp, "no-token-"));
  return spawnSync(process.execPath, args, {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
    encoding: "utf8",
    timeout: 15_000,
  });
}

describe("GIVEN `npm run build` into a folder of its own", () => {
  it("THEN it took seconds, and holds JavaScript only, the migrations beside it and the sources' digest", () => {
    expect(buildSeconds).toBeLessThan(20);
    const files = readdirSync(join(out, "src"), { recursive: true }) as string[];
    expect(files.filter((f) => f.endsWith(".ts"))).toEqual([]);
    expect(files).toContain("index.js");
    expect(files).toContain(join("shards", "shard.js"));
    expect(readdirSync(join(out, "commands")).filter((f) => f.endsWith(".js")).length).toBeGreaterThan(5);
    expect(readdirSync(join(out, "drizzle/sqlite")).some((f) => f.endsWith(".sql"))).toBe(true);
    expect(readdirSync(join(out, "drizzle/pg")).some((f) => f.endsWith(".sql"))).toBe(true);
    const info = JSON.parse(readFileSync(join(out, BUILD_INFO), "utf8")) as { fingerprint: string };
    expect(info.fingerprint).toBe(sourceFingerprint(ROOT));
  });

  it.for(E2E_ENGINES)(
    "THEN plain node runs its entry point against the emulator (%s): it opens the database with the build's own migrations, answers a command, and stops on SIGTERM",
    async (engine, ctx) => {
      let pg: TestDb | undefined;
      if (engine === "pg") {
        skipWithoutPgServer(ctx, engine, "the bot process opens the database by URL");
        pg = await openTestDb("pg");
      }
      try {
        const bot = await run(
          [join(out, "src/index.js")],
          async (_bot, { emu, channel, alice }) => {
            const help = await emu.runCommand({ user: alice, channel, command: "help" });
            expect(help.ephemeral).toBe(true);
            expect(JSON.stringify(help.message?.embeds)).toContain("/study");
          },
          { databaseUrl: pg?.target ?? undefined },
        );
        expect(readyLine(bot)?.compiled).toBe(true);
      } finally {
        await pg?.close();
      }
    },
  );

  it("THEN without a token its entry point explains itself in one line, as the sources' does", () => {
    for (const args of [[join(out, "src/index.js")], [join(ROOT, "scripts/start.mjs"), out]]) {
      const r = withoutToken(args);
      expect(r.status).toBe(1);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toContain("DISCORD_TOKEN is not set");
      expect(r.stdout).toBe("");
    }
  });

  it("THEN `npm start`'s launcher runs the build while it is current, and the sources through tsx once it is stale", async () => {
    const launcher = [join(ROOT, "scripts/start.mjs"), out];
    const current = await run(launcher, async () => {});
    expect(readyLine(current)?.compiled).toBe(true);

    const info = join(out, BUILD_INFO);
    const kept = readFileSync(info, "utf8");
    writeFileSync(info, JSON.stringify({ fingerprint: "sources changed since" }));
    try {
      const stale = await run(launcher, async () => {});
      expect(readyLine(stale)?.compiled).toBe(false);
    } finally {
      writeFileSync(info, kept);
    }
    const absent = withoutToken([join(ROOT, "scripts/start.mjs"), join(tmp, "no-build-here")]);
    expect([absent.status, absent.stderr.trim().split("\n").length]).toEqual([1, 1]);
  });
});

/** A port p with p + 1 free too (checked, then released: a race with another program is possible but rare). */
async function twoFreePorts(): Promise<number> {
  const listen = (port: number) =>
    new Promise<ReturnType<typeof createServer> | null>((res) => {
      const s = createServer();
      s.once("error", () => res(null));
      s.listen(port, "127.0.0.1", () => res(s));
    });
  for (;;) {
    const a = await listen(0);
    if (!a) continue;
    const base = (a.address() as { port: number }).port;
    const b = base < 65535 ? await listen(base + 1) : null;
    await Promise.all([a, b].map((s) => new Promise((r) => (s ? s.close(r) : r(null)))));
    if (b) return base;
  }
}

describe("GIVEN the build started with SHARD_COUNT=2 and METRICS_PORT", () => {
  it("THEN the manager forks the compiled shard entry beside it, and shard N serves /healthz on METRICS_PORT + N", async () => {
    const base = await twoFreePorts();
    const bot = await run(
      [join(out, "src/index.js")],
      async (b) => {
        for (const id of [0, 1]) {
          const res = await fetch(`http://127.0.0.1:${base + id}/healthz`);
          const body = (await res.json()) as HealthReport;
          expect([res.status, body.gateway.shards.map((s) => [s.id, s.status])]).toEqual([
            200,
            [[id, "Ready"]],
          ]);
        }
        for (const pid of b.readyPids().values()) {
          const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
          expect(argv).toContain(join(out, "src/shards/shard.js"));
        }
      },
      { env: { SHARD_COUNT: "2", METRICS_PORT: String(base) }, shards: [0, 1] },
    );
    const listening = bot.lines().filter((l) => l.msg === "metrics listening");
    expect(listening.map((l) => [l.shard, l.port]).sort()).toEqual([
      [0, base],
      [1, base + 1],
    ]);
    expect(existsSync(join(out, "src/shards/shard.js"))).toBe(true);
  }, 60_000);
});
