/**
 * Discord's 4011 "Sharding required", through the real `npm start` entry point: one connection to 3,000 servers is
 * refused and the bot says in one line what to set; SHARD_COUNT=auto takes the emulator's recommendation instead.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DiscordEmulator } from "../../src/emulator/index.ts";
import { TSX_LOADER_FLAGS } from "../../src/shards/build.ts";
import { guildSnowflake } from "../helpers/snowflakes.ts";

const ROOT = resolve(import.meta.dirname, "../..");
let emu: DiscordEmulator;
let dir: string;

beforeAll(async () => {
  emu = await DiscordEmulator.start();
  for (let n = 0; n < 3000; n++) emu.addGuild({ name: `g${n}`, id: guildSnowflake(n) });
  dir = mkdtempSync(join(tmpdir(), "study-4011-"));
});
afterAll(async () => {
  await emu?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function start(env: Record<string, string>) {
  const child = spawn(process.execPath, [...TSX_LOADER_FLAGS, join(ROOT, "src/index.ts")], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? "",
      DISCORD_TOKEN: emu.token,
      DISCORD_API_URL: emu.apiUrl,
      DATABASE_PATH: join(dir, `${Object.values(env).join("-") || "one"}.db`),
      DECKS_DIR: join(ROOT, "decks"),
      LOG_LEVEL: "warn",
      SHARD_SPAWN_DELAY_MS: "0",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (b: Buffer) => {
    stderr += b.toString();
  });
  const exited = new Promise<number | null>((res) => child.on("exit", (code) => res(code)));
  /** Lines that are not pino's JSON: what a person reads. */
  const plain = () =>
    stderr
      .split("\n")
      .filter((l) => l.trim() !== "" && !l.startsWith("{"))
      .map((l) => l.trim());
  return { child, exited, stderr: () => stderr, plain };
}

describe("GIVEN an emulator with 3,000 servers, more than one connection may hold", () => {
  it("THEN `npm start` without SHARD_COUNT is refused with 4011 and exits 1 with one line saying to set SHARD_COUNT", async () => {
    const bot = start({});
    try {
      expect(await bot.exited).toBe(1);
      expect(bot.plain()).toEqual([
        "Discord requires sharding for this many servers: set SHARD_COUNT=auto (see README, Running at scale)",
      ]);
      expect(bot.stderr()).not.toMatch(/"level":60|\n\s+at /); // no fatal line, no stack trace
      expect(emu.sessions).toEqual([]);
    } finally {
      bot.child.kill("SIGKILL");
    }
  }, 60_000);

  it("THEN SHARD_COUNT=1 under the manager says the count is too few, and the manager stops with exit 1", async () => {
    const bot = start({ SHARD_COUNT: "1" });
    try {
      expect(await bot.exited).toBe(1);
      const lines = bot.plain();
      expect(lines[0]).toBe(
        "Discord requires more shards for this many servers: SHARD_COUNT=1 is too few (shard 0 was refused); set SHARD_COUNT=auto (see README, Running at scale)",
      );
      expect(lines[1]).toMatch(/^A shard did not start \(.*\); every shard was stopped: see the line above$/);
      expect(lines).toHaveLength(2);
    } finally {
      bot.child.kill("SIGKILL");
    }
  }, 60_000);

  it("THEN SHARD_COUNT=auto runs the 3 shards /gateway/bot recommends, 1,000 servers each, and SIGTERM stops them all with exit 0", async () => {
    const bot = start({ SHARD_COUNT: "auto", LOG_LEVEL: "info" });
    try {
      // Each shard's "ready" line reaches the manager's stderr through its own pipe: on a loaded machine the
      // manager's "all shards ready" can come before the last of them, so both are waited for.
      const readyLines = () =>
        bot
          .stderr()
          .split("\n")
          .filter((l) => l.includes('"msg":"ready"'));
      await emu.waitFor(
        () => bot.stderr().includes('"msg":"all shards ready"') && readyLines().length >= 3,
        90_000,
        () => bot.stderr(),
      );
      const live = emu.sessions.filter((s) => s.connected).map((s) => s.shard);
      expect(live.sort()).toEqual([
        [0, 3],
        [1, 3],
        [2, 3],
      ]);
      const ready = readyLines().map(
        (l) => JSON.parse(l) as { guilds: number; shards: number[]; shardCount: number },
      );
      expect(ready.map((r) => [r.shards, r.shardCount, r.guilds]).sort()).toEqual([
        [[0], 3, 1000],
        [[1], 3, 1000],
        [[2], 3, 1000],
      ]);
      bot.child.kill("SIGTERM");
      expect(await bot.exited).toBe(0);
      await emu.waitFor(() => emu.connectedClients === 0, 10_000);
      expect(bot.stderr()).not.toMatch(/"level":(50|60)/);
    } finally {
      bot.child.kill("SIGKILL");
    }
  }, 120_000);
});
