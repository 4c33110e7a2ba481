/**
 * Item 4: the daily quiz tick for every seeded server at once (all due at the same minute), through the bot's
 * `tick` service and its discord.js transport (`discordTransport`, REST manager queue, rate limits off) against
 * the loopback emulator running in its own process. Bot-side cost per server = this process's CPU time over the
 * tick / servers posted. Before that, servers are ticked one at a time with a transport that answers at once (no
 * network, no discord.js): the service's own share per server (claim, due summary, question, record), as a
 * distribution, with the big server on its own line, and the longest the tick held the write lock (the longest
 * IMMEDIATE transaction body: nothing else can write meanwhile), in those one-server ticks and in the full tick.
 */
import type Database from "better-sqlite3";
import type { Client } from "discord.js";
import { createClient } from "../../src/bot.ts";
import { localDateOf } from "../../src/core/quiz.ts";
import { formatLocalDate } from "../../src/core/time.ts";
import { discordTransport } from "../../src/discord/quiz-transport.ts";
import { TICK_BATCH, tick } from "../../src/services/quiz/tick.ts";
import type { QuizTransport } from "../../src/services/quiz/transport.ts";
import { startEmulatorHost } from "../lib/emulator-host.ts";
import { latencyResults, type Result, round, summarize } from "../lib/measure.ts";
import { BIG_GUILD, channelId, guildId } from "../lib/world.ts";
import type { BenchContext } from "./context.ts";

/** Makes every server's quiz due one minute before `at`, for its local date, with no posts yet. */
function makeAllDue(ctx: BenchContext, at: number): number {
  const db = ctx.deps.db.sqlite;
  db.exec("DELETE FROM quiz_answers; DELETE FROM quiz_posts;");
  const configs = db.prepare("SELECT guild_id, timezone FROM quiz_configs").all() as {
    guild_id: string;
    timezone: string;
  }[];
  const set = db.prepare("UPDATE quiz_configs SET next_date = ?, next_run_at = ? WHERE guild_id = ?");
  db.transaction(() => {
    for (const c of configs) set.run(formatLocalDate(localDateOf(at, c.timezone)), at - 60_000, c.guild_id);
  })();
  return (db.prepare("SELECT count(*) AS n FROM quiz_configs WHERE paused = 0").get() as { n: number }).n;
}

/**
 * Times every IMMEDIATE transaction body run on `db` (each `tx` of the bot: the write lock is held for it) until
 * `stop`; returns the longest (ms). Read (deferred) transactions take no lock other writers wait for.
 */
function timeTransactions(db: Database.Database): { stop(): number } {
  const original = db.transaction;
  let max = 0;
  db.transaction = ((fn: (...args: unknown[]) => unknown) => {
    const plain = original.call(db, fn);
    const timed = original.call(db, (...args: unknown[]) => {
      const t0 = performance.now();
      try {
        return fn(...args);
      } finally {
        max = Math.max(max, performance.now() - t0);
      }
    });
    return Object.assign((...args: unknown[]) => plain(...args), {
      default: plain.default,
      deferred: plain.deferred,
      immediate: timed.immediate,
      exclusive: timed.exclusive,
      database: db,
    });
  }) as typeof db.transaction;
  return {
    stop() {
      db.transaction = original;
      return max;
    },
  };
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
): Promise<{ cpu: number; posted: number; lockMax: number }> {
  makeAllDue(ctx, at);
  const lock = timeTransactions(ctx.deps.db.sqlite);
  const cpu0 = cpuMs();
  const r = await tick(ctx.deps, instant, new Date(at));
  const cpu = cpuMs() - cpu0;
  return { cpu, posted: r.posted.length, lockMax: lock.stop() };
}

export async function benchTick(ctx: BenchContext): Promise<Result[]> {
  const { deps, params } = ctx;
  const at = deps.clock.now();
  const db = deps.db.sqlite;
  let ids = 0;
  const instant: QuizTransport = {
    post: async () => String(1_000_000 + ids++),
    edit: async () => {},
    findPosted: async () => null,
  };

  // 1. The service's share, one server at a time (a tick with only that server due), with a transport that
  //    accepts every post at once: per-server latency of claim + due summary + question + record.
  makeAllDue(ctx, at.getTime());
  db.prepare("UPDATE quiz_configs SET next_run_at = ?").run(at.getTime() + 86_400_000);
  const due = db.prepare("UPDATE quiz_configs SET next_run_at = ? WHERE guild_id = ? AND paused = 0");
  const perServer: number[] = [];
  let big = Number.NaN;
  const lock = timeTransactions(db);
  for (const g of sampleServers(params.guilds)) {
    if (due.run(at.getTime() - 60_000, guildId(g)).changes === 0) continue; // paused
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
  const expected = makeAllDue(ctx, at.getTime());
  ctx.log(`bench: tick: starting the emulator with ${params.guilds} servers`);
  const channels = Array.from({ length: params.guilds }, (_, g) => channelId(g));
  const host = await startEmulatorHost({ kind: "seeded", params }, channels);
  const client: Client = createClient(host.apiUrl);
  try {
    client.rest.setToken(host.token);
    // Rate limits off: discord.js would otherwise hold the fan-out to 50 requests/s (Discord's global limit).
    client.rest.options.globalRequestsPerSecond = 1e9;
    client.rest.globalRemaining = 1e9;
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
      ...latencyResults(
        "tick.service_one_server",
        service,
        `service only (instant transport), ${service.n} servers one by one`,
      ),
      { name: "tick.service_one_server.max", value: round(service.max), unit: "ms" },
      {
        name: "tick.write_lock_max",
        value: round(lockMax, 3),
        unit: "ms",
        extra: "longest write transaction of those servers' ticks (the write lock held)",
      },
      {
        name: "tick.service_all_due_cpu",
        value: round(all.cpu / all.posted, 3),
        unit: "ms",
        extra:
          "bot process CPU / server, every server due at once, instant transport, write transactions timed",
      },
      {
        name: "tick.write_lock_max_all_due",
        value: round(all.lockMax, 3),
        unit: "ms",
        extra: `longest write transaction of that tick (servers claimed and recorded in batches of ${TICK_BATCH})`,
      },
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
