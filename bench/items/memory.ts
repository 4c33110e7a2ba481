/**
 * Item 5: resident memory of one shard process (the bot as createBot starts it, with the shard processes' Node
 * flags) after the emulator streams `guilds` servers × `members` members through GUILD_CREATE: at the target size
 * 2,500 servers, the most one gateway connection may hold (Discord's sharding limit). The bot runs alone in a child
 * process for a clean figure; the emulator runs in another.
 */
import { fork } from "node:child_process";
import { buildForNode } from "../../src/shards/build.ts";
import { SHARD_NODE_FLAGS } from "../../src/shards/manager.ts";
import { startEmulatorHost } from "../lib/emulator-host.ts";
import type { Result } from "../lib/measure.ts";
import type { BenchContext } from "./context.ts";

export interface MemoryReport {
  baseRss: number;
  rss: number;
  peakRss: number;
  heapUsed: number;
  external: number;
  readyMs: number;
  guilds: number;
  members: number;
  users: number;
  channels: number;
  roles: number;
}

export async function measureClientMemory(guilds: number, members: number): Promise<MemoryReport> {
  const users = Math.max(members, Math.ceil((guilds * members) / 10)); // each user in ~10 servers
  const host = await startEmulatorHost({ kind: "crowd", guilds, members, users, channels: 5 });
  // Compiled and run as the manager runs a shard: plain node, the shards' flags (src/shards/build.ts, manager.ts).
  const build = await buildForNode("bench/lib/rss-client.ts", ["src", "commands", "bench/lib"]);
  try {
    const child = fork(build.entry, [], {
      execArgv: ["--expose-gc", ...SHARD_NODE_FLAGS],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    const report = new Promise<MemoryReport>((resolve, reject) => {
      child.once("message", (m) => resolve(m as MemoryReport));
      child.once("exit", (code) => reject(new Error(`memory client exited (${code}) without a report`)));
    });
    child.send({ apiUrl: host.apiUrl, token: host.token });
    return await report;
  } finally {
    build.remove();
    await host.stop();
  }
}

export function memoryScale(ctx: BenchContext): { guilds: number; members: number } {
  return ctx.params.users >= 1000
    ? { guilds: 2500, members: 500 }
    : ctx.params.users >= 100
      ? { guilds: 200, members: 500 }
      : { guilds: 5, members: 20 };
}

export async function benchMemory(ctx: BenchContext): Promise<Result[]> {
  const { guilds, members } = memoryScale(ctx);
  const r = await measureClientMemory(guilds, members);
  if (r.guilds !== guilds) throw new Error(`the client saw ${r.guilds} of ${guilds} servers`);
  const scale = `${guilds} servers × ${members} members`;
  return [
    {
      name: "memory.rss",
      value: r.rss,
      unit: "MB",
      extra: `one shard process, ${scale}, after GC (target ≤ 150 MB at 2500 × 500)`,
    },
    { name: "memory.rss_peak", value: r.peakRss, unit: "MB", extra: "at ClientReady, before GC" },
    {
      name: "memory.rss_before_login",
      value: r.baseRss,
      unit: "MB",
      extra: "same process after imports, before the bot opens its database",
    },
    { name: "memory.heap_used", value: r.heapUsed, unit: "MB" },
    {
      name: "memory.ready",
      value: r.readyMs,
      unit: "ms",
      extra: "bot.start: deck sync, login → ClientReady (all GUILD_CREATEs)",
    },
    {
      name: "memory.cached_members",
      value: r.members,
      unit: "members",
      extra: `users cached: ${r.users}, channels: ${r.channels}, roles: ${r.roles}`,
    },
  ];
}
