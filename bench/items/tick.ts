/**
 * Item 4: the daily quiz tick for every seeded server at once (all due at the same minute), through the bot's
 * `tick` service and its discord.js transport (`discordTransport`, REST manager queue, rate limits off) against
 * the loopback emulator running in its own process. Bot-side cost per server = this process's CPU time over the
 * tick / servers posted. Then the same tick by TICK_SHARDS shard processes side by side, each ticking its own
 * servers (`(guild_id >> 22) % 4`), their CPU summed over the servers posted. Before that, servers are ticked one
 * at a time with a transport that answers at once (no network, no discord.js): the service's own share per server
 * (claim, due summary, question, record), as a distribution, with the big server on its own line, and the longest
 * the tick held the write lock (the longest IMMEDIATE transaction body: nothing else can write meanwhile), in those
 * one-server ticks and in the full tick.
 */
import { type ChildProcess, fork } from "node:child_process";
import { execSql, querySql } from "../../datagen/raw-sql.ts";
import { localDateOf } from "../../src/core/quiz.ts";
import { formatLocalDate } from "../../src/core/time.ts";
import type { Db } from "../../src/db/client.ts";
import { discordTransport } from "../../src/discord/quiz-transport.ts";
import { TICK_BATCH, tick } from "../../src/services/quiz/tick.ts";
import type { QuizTransport } from "../../src/services/quiz/transport.ts";
import { buildForNode } from "../../src/shards/build.ts";
import { SHARD_NODE_FLAGS } from "../../src/shards/manager.ts";
import { startEmulatorHost } from "../lib/emulator-host.ts";
import { latencyResults, type Result, round, summarize } from "../lib/measure.ts";
import { benchRestClient } from "../lib/rest-client.ts";
import type { TickShardJob, TickShardReport } from "../lib/tick-shard.ts";
import { BIG_GUILD, channelId, guildId } from "../lib/world.ts";
import type { BenchContext } from "./context.ts";

/** Shard processes of the sharded tick: 10,000 servers over 4 is 2,500 each, Discord's most per connection. */
export const TICK_SHARDS = 4;

/** Makes every server's quiz due one minute before `at`, for its local date, with no posts yet. */
async function makeAllDue(ctx: BenchContext, at: number): Promise<number> {
  const { db } = ctx.deps;
  await execSql(db, "DELETE FROM quiz_answers");
  await execSql(db, "DELETE FROM quiz_posts");
  const configs = await querySql<{ guild_id: string; timezone: string }>(
    db,
    "SELECT guild_id, timezone FROM quiz_configs",
  );
  // One statement over (guild, date) pairs, instead of 10,000 round trips on PostgreSQL.
  const dates = new Map<string, string[]>();
  for (const c of configs) {
    const date = formatLocalDate(localDateOf(at, c.timezone));
    dates.set(date, [...(dates.get(date) ?? []), c.guild_id]);
  }
  for (const [date, ids] of dates)
    for (let i = 0; i < ids.length; i += 500) {
      const part = ids.slice(i, i + 500);
      await execSql(
        db,
        `UPDATE quiz_configs SET next_date = ?, next_run_at = ? WHERE guild_id IN (${part.map(() => "?").join(", ")})`,
        [date, at - 60_000, ...part],
      );
    }
  const [row] = await querySql<{ n: number }>(db, "SELECT count(*) AS n FROM quiz_configs WHERE paused = 0");
  return Number(row?.n ?? 0);
}

/**
 * The longest IMMEDIATE transaction (each `tx` of the bot: the write lock is held for it) until `stop` (ms), on
 * SQLite: its body from BEGIN to the end of the work (what the code before issue 12 measured), and apart from it
 * the longest COMMIT (its WAL write, which can wait on the disk behind the checkpointer's fsync: tens of ms on
 * this VM now and then, before and after). Null on PostgreSQL, which has no database-wide write lock.
 */
function timeTransactions(db: Db): { stop(): { body: number; commit: number } | null } {
  if (db.kind !== "sqlite") return { stop: () => null };
  const max = { body: 0, commit: 0 };
  db.onWriteTx = (body, commit) => {
    max.body = Math.max(max.body, body);
    max.commit = Math.max(max.commit, commit);
  };
  return {
    stop() {
      db.onWriteTx = undefined;
      return max;
    },
  };
}

/** The write-lock figures of `timeTransactions`, as results. */
function lockResults(name: string, lock: { body: number; commit: number } | null, what: string): Result[] {
  if (lock === null) return [];
  return [
    {
      name,
      value: round(lock.body, 3),
      unit: "ms",
      extra: `longest write transaction of ${what} (BEGIN → work done)`,
    },
    { name: `${name}.commit`, value: round(lock.commit, 3), unit: "ms", extra: `longest COMMIT of ${what}` },
  ];
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Servers timed one by one for the service share: all of a small world, else the big one + an even sample. */
function sampleServers(guilds: number, max = 200): number[] {
  if (guilds <= max) return Array.from({ length: guilds }, (_, g) => g);
  const step = Math.floor(guilds / max);
  return [BIG_GUILD, ...Array.from({ length: max - 1 }, (_, k) => 1 + k * step)];
}

/**
 * Every server due at once again, with the instant transport: the service's CPU per server over a whole tick, and
 * the longest write transaction (batches). Run after the real tick, so that it warms nothing the real one reads.
 */
async function allDueService(
  ctx: BenchContext,
  instant: QuizTransport,
  at: number,
): Promise<{ cpu: number; posted: number; lockMax: { body: number; commit: number } | null }> {
  await makeAllDue(ctx, at);
  const lock = timeTransactions(ctx.deps.db);
  const cpu0 = cpuMs();
  const r = await tick(ctx.deps, instant, new Date(at));
  const cpu = cpuMs() - cpu0;
  return { cpu, posted: r.posted.length, lockMax: lock.stop() };
}

/** One round of the sharded tick: what the shards reported, and the posts the emulator received meanwhile. */
interface ShardRound {
  reports: TickShardReport[];
  expected: number;
  received: number;
  wallMs: number;
}

/**
 * Every server due at once again, ticked by TICK_SHARDS shard processes side by side, each for its own servers,
 * through discord.js to the emulator: the bot's CPU per server is the sum of their CPU times over the servers
 * posted. Two rounds: the first tick of new processes (cold: code not yet optimised, caches empty), then, every
 * server made due again, a second tick of the same processes (as a shard that has run for a while ticks). Each
 * child is the compiled bot run as the manager runs a shard (plain node, SHARD_NODE_FLAGS).
 */
async function shardedTick(
  ctx: BenchContext,
  host: { apiUrl: string; token: string; count(): Promise<number> },
  at: number,
): Promise<ShardRound[]> {
  const build = await buildForNode("bench/lib/tick-shard.ts", ["src", "commands", "bench/lib"]);
  const children: ChildProcess[] = [];
  const message = (c: ChildProcess) =>
    new Promise<unknown>((resolve, reject) => {
      const exit = (code: number | null) =>
        reject(new Error(`a tick shard exited (${code}) without a report`));
      c.once("exit", exit);
      c.once("message", (m) => {
        c.off("exit", exit);
        resolve(m);
      });
    });
  try {
    const ready: Promise<unknown>[] = [];
    for (let shardId = 0; shardId < TICK_SHARDS; shardId++) {
      const child = fork(build.entry, [], {
        execArgv: [...SHARD_NODE_FLAGS],
        stdio: ["ignore", "inherit", "inherit", "ipc"],
      });
      children.push(child);
      ready.push(message(child));
      const job: TickShardJob = {
        database: ctx.database,
        apiUrl: host.apiUrl,
        token: host.token,
        at,
        shardId,
        shardCount: TICK_SHARDS,
      };
      child.send(job);
    }
    await Promise.all(ready);
    const rounds: ShardRound[] = [];
    for (let round = 0; round < 2; round++) {
      const expected = await makeAllDue(ctx, at);
      const before = await host.count();
      const t0 = performance.now();
      const done = children.map((c) => message(c) as Promise<TickShardReport>);
      for (const c of children) c.send("go");
      const reports = await Promise.all(done);
      const wallMs = performance.now() - t0;
      rounds.push({ reports, expected, received: (await host.count()) - before, wallMs });
    }
    const exited = children.map((c) => new Promise((r) => c.once("exit", r)));
    for (const c of children) c.send("done");
    await Promise.all(exited);
    return rounds;
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill();
    build.remove();
  }
}

/** A sharded round's results, each shard's posts counted in. */
function shardResults(name: string, r: ShardRound, what: string): Result[] {
  const posted = r.reports.reduce((n, x) => n + x.posted, 0);
  if (posted !== r.expected || r.received !== r.expected)
    throw new Error(
      `the ${TICK_SHARDS} shards posted ${posted} (the emulator received ${r.received}) of ${r.expected}: ${r.reports.flatMap((x) => x.failed).join(" ")}`,
    );
  const cpu = r.reports.reduce((n, x) => n + x.cpuMs, 0);
  return [
    {
      name: `${name}.per_server_cpu`,
      value: round(cpu / posted, 3),
      unit: "ms",
      extra: `${TICK_SHARDS} shard processes side by side, ${what}: their CPU / server (target ≤ 1 ms)`,
    },
    {
      name: `${name}.total_wall`,
      value: Math.round(r.wallMs),
      unit: "ms",
      extra: `servers per shard ${r.reports.map((x) => x.posted).join(" / ")}, RSS after ${r.reports.map((x) => x.rssMb).join(" / ")} MB`,
    },
  ];
}

export async function benchTick(ctx: BenchContext): Promise<Result[]> {
  const { deps, params } = ctx;
  const at = deps.clock.now();
  const { db } = deps;
  let ids = 0;
  const instant: QuizTransport = {
    post: async () => String(1_000_000 + ids++),
    edit: async () => {},
    findPosted: async () => null,
  };

  // 1. The service's share, one server at a time (a tick with only that server due), with a transport that
  //    accepts every post at once: per-server latency of claim + due summary + question + record.
  await makeAllDue(ctx, at.getTime());
  await execSql(db, "UPDATE quiz_configs SET next_run_at = ?", [at.getTime() + 86_400_000]);
  const due = (g: number) =>
    execSql(db, "UPDATE quiz_configs SET next_run_at = ? WHERE guild_id = ? AND paused = 0", [
      at.getTime() - 60_000,
      guildId(g),
    ]);
  const perServer: number[] = [];
  let big = Number.NaN;
  const lock = timeTransactions(db);
  for (const g of sampleServers(params.guilds)) {
    if ((await due(g)) === 0) continue; // paused
    const t0 = performance.now();
    const r = await tick(deps, instant, at);
    const dt = performance.now() - t0;
    if (r.posted.length !== 1) throw new Error(`server ${g}: ${JSON.stringify(r)}`);
    perServer.push(dt);
    if (g === BIG_GUILD) big = dt;
    ctx.log(`bench: tick: server ${g} ${dt.toFixed(1)} ms`);
  }
  const lockMax = lock.stop();
  const service = summarize(perServer);

  // 2. Every server due at once, through discord.js to the emulator (its own process), rate limits off.
  const expected = await makeAllDue(ctx, at.getTime());
  ctx.log(`bench: tick: starting the emulator with ${params.guilds} servers`);
  const channels = Array.from({ length: params.guilds }, (_, g) => channelId(g));
  const host = await startEmulatorHost({ kind: "seeded", params }, channels);
  const client = benchRestClient(host.apiUrl, host.token);
  try {
    const cpu0 = cpuMs();
    const t0 = performance.now();
    const real = await tick(deps, discordTransport(client), at);
    const realCpu = cpuMs() - cpu0;
    const realWall = performance.now() - t0;
    if (real.posted.length !== expected)
      throw new Error(
        `tick posted ${real.posted.length} of ${expected}: ${JSON.stringify(real.failed.slice(0, 3))}`,
      );
    const received = await host.count();
    if (received !== expected)
      throw new Error(`the emulator received ${received} posts, expected ${expected}`);
    const per = (x: number) => round(x / expected, 3);
    const [first, again] = await shardedTick(ctx, host, at.getTime());
    if (first === undefined || again === undefined) throw new Error("the sharded tick ran no round");
    const all = await allDueService(ctx, instant, at.getTime());
    return [
      {
        name: "tick.servers",
        value: expected,
        unit: "servers",
        extra: "quizzes posted in one tick (paused ones skipped)",
      },
      {
        name: "tick.per_server_cpu",
        value: per(realCpu),
        unit: "ms",
        extra: "bot process CPU / server, discord.js → emulator (target ≤ 1 ms)",
      },
      {
        name: "tick.per_server_wall",
        value: per(realWall),
        unit: "ms",
        extra: "tick wall time / server, rate limits off",
      },
      { name: "tick.total_wall", value: Math.round(realWall), unit: "ms" },
      ...shardResults("tick.sharded", again, "processes that have ticked before"),
      ...shardResults("tick.sharded_first", first, "the first tick of new processes"),
      ...latencyResults(
        "tick.service_one_server",
        service,
        `service only (instant transport), ${service.n} servers one by one`,
      ),
      { name: "tick.service_one_server.max", value: round(service.max), unit: "ms" },
      ...lockResults("tick.write_lock_max", lockMax, "those servers' ticks"),
      {
        name: "tick.service_all_due_cpu",
        value: round(all.cpu / all.posted, 3),
        unit: "ms",
        extra:
          "bot process CPU / server, every server due at once, instant transport, write transactions timed",
      },
      ...lockResults(
        "tick.write_lock_max_all_due",
        all.lockMax,
        `that tick (servers claimed and recorded in batches of ${TICK_BATCH})`,
      ),
      {
        name: "tick.service_big_server",
        value: round(big),
        unit: "ms",
        extra: `the server all ${params.users} members study in`,
      },
    ];
  } finally {
    await client.destroy();
    await host.stop();
  }
}
