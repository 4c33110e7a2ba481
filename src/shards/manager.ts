/**
 * `SHARD_COUNT=auto|N [SHARD_IDS=…] npm start`: discord.js's own ShardingManager (mode "process") forks one
 * process per shard from shard.ts and respawns any that dies. With SHARD_IDS only those shards run here; the
 * others run on other machines against the same database.
 */
import type { ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Worker } from "node:worker_threads";
import { type Shard, ShardingManager } from "discord.js";
import type { Config } from "../config.ts";
import { createLogger, type Logger } from "../logger.ts";
import { buildForNode, withoutTsx } from "./build.ts";

/**
 * Node flags of every shard process, on top of this process's own (less tsx's loader: build.ts). A small young
 * generation: with V8's default 16 MB semi-spaces, the burst of GUILD_CREATEs at login (each with its member list)
 * leaves ~30 MB committed that a long-running shard never gives back. Measured at 2,500 servers × 500 members, RSS
 * after login: 169 MB (16 MB), 152 (8), 151 (4), 139 (2), 139 (1); 2 MB scavenges half as often as 1.
 */
export const SHARD_NODE_FLAGS = ["--max-semi-space-size=2"];
/** How long a shard may take from fork to READY (deck sync and migrations come first). */
const READY_TIMEOUT_MS = 120_000;

/** Discord's recommended shard count, from `GET /gateway/bot` of the configured API (the emulator's, in tests). */
async function recommendedShardCount(config: Config): Promise<number> {
  const api = config.DISCORD_API_URL ?? "https://discord.com/api";
  const res = await fetch(`${api.replace(/\/$/, "")}/v10/gateway/bot`, {
    headers: { authorization: `Bot ${config.DISCORD_TOKEN}` },
  });
  if (res.status === 401) {
    console.error(
      "DISCORD_TOKEN was refused by Discord (401) when asking how many shards to run: check the token",
    );
    process.exit(1);
  }
  if (!res.ok) throw new Error(`GET /gateway/bot answered ${res.status}`);
  const body = (await res.json()) as { shards?: unknown };
  if (typeof body.shards !== "number" || body.shards < 1)
    throw new Error("GET /gateway/bot gave no shard count");
  return body.shards;
}

/** Mode "process": a shard's child is always a ChildProcess (a Worker only in mode "worker"). */
const asChild = (c: ChildProcess | Worker): ChildProcess | undefined => ("pid" in c ? c : undefined);

function watch(shard: Shard, log: Logger): void {
  shard.on("spawn", (c: ChildProcess | Worker) =>
    log.info({ shard: shard.id, pid: asChild(c)?.pid }, "shard process started"),
  );
  shard.on("death", (c: ChildProcess | Worker) => {
    const child = asChild(c);
    const fields = { shard: shard.id, pid: child?.pid, exitCode: child?.exitCode, signal: child?.signalCode };
    if (shard.manager.respawn) log.warn(fields, "shard process died; respawning it");
    else log.info(fields, "shard process ended"); // stopped on purpose (shutdown)
  });
  shard.on("error", (err: Error) => log.error({ err, shard: shard.id }, "shard could not be respawned"));
}

/** Stops every shard process (no respawn) and waits until each has exited. */
async function stopAll(manager: ShardingManager): Promise<void> {
  manager.respawn = false;
  const exits: Promise<unknown>[] = [];
  for (const shard of manager.shards.values()) {
    const child = shard.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) continue;
    exits.push(new Promise((res) => child.once("exit", res)));
    child.kill("SIGTERM");
  }
  await Promise.all(exits);
}

/**
 * The file each shard process runs: beside this one when this is `npm run build`'s JavaScript already; from the
 * TypeScript sources, a build of its own for this start (build.ts), removed at exit.
 */
async function shardEntry(): Promise<string> {
  if (!import.meta.url.endsWith(".ts")) return fileURLToPath(new URL("./shard.js", import.meta.url));
  const build = await buildForNode("src/shards/shard.ts");
  process.on("exit", () => build.remove());
  return build.entry;
}

export async function runManager(config: Config, count: number | "auto"): Promise<void> {
  const log = createLogger(config.LOG_LEVEL);
  const total = count === "auto" ? await recommendedShardCount(config) : count;
  const entry = await shardEntry();
  const manager = new ShardingManager(entry, {
    totalShards: total,
    shardList: config.SHARD_IDS ?? "auto",
    mode: "process",
    respawn: true,
    token: config.DISCORD_TOKEN,
    // Compiled JavaScript (build.ts, or npm run build's): plain node, without the tsx loader this may run under.
    execArgv: [...withoutTsx(process.execArgv), ...SHARD_NODE_FLAGS],
  });
  manager.on("shardCreate", (shard) => watch(shard, log));
  log.info({ shardCount: total, shards: config.SHARD_IDS ?? "all" }, "starting shards");

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping shards");
    await stopAll(manager);
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));

  try {
    if (config.SHARD_SPAWN_DELAY_MS > 0)
      await manager.spawn({ amount: total, delay: config.SHARD_SPAWN_DELAY_MS, timeout: READY_TIMEOUT_MS });
    else {
      // No pacing wanted (a gateway without Discord's identify limit, e.g. the emulator): the first shard alone
      // (it applies any pending migrations, which two processes must not run at once on a fresh SQLite file),
      // then all the others at once instead of discord.js's one after another.
      const [first = 0, ...rest] = config.SHARD_IDS ?? Array.from({ length: total }, (_, id) => id);
      await manager.createShard(first).spawn(READY_TIMEOUT_MS);
      await Promise.all(rest.map((id) => manager.createShard(id).spawn(READY_TIMEOUT_MS)));
    }
  } catch (err) {
    if (stopping) return;
    stopping = true;
    await stopAll(manager);
    // The shard printed its own reason (stdio is shared); this line says what became of the whole start.
    console.error(
      `A shard did not start (${err instanceof Error ? err.message : String(err)}); every shard was stopped: see the line above`,
    );
    process.exit(1);
  }
  log.info({ shards: [...manager.shards.keys()], shardCount: total }, "all shards ready");
}
