/**
 * Child process for the tick benchmark's sharded run: one shard's bot-side tick, as a shard process does it. It
 * opens the benchmark's database (the SQLite file, or the PostgreSQL copy) the way the bot does, builds the bot's
 * discord.js client against the emulator (rest-client.ts: REST only, the tick's posts are REST calls; rate limits
 * off), ticks the servers of its shard (`(guild_id >> 22) % count`) with the bot's tick and transport, and reports
 * its CPU time over the tick. Compiled and forked as the manager forks a shard (plain node, SHARD_NODE_FLAGS).
 */
import pino from "pino";
import { ManualClock } from "../../src/core/clock.ts";
import { Schedulers } from "../../src/core/scheduling.ts";
import { closeDb, openDb } from "../../src/db/client.ts";
import { discordTransport } from "../../src/discord/quiz-transport.ts";
import { tick } from "../../src/services/quiz/tick.ts";
import { benchRestClient } from "./rest-client.ts";

export interface TickShardJob {
  database: string;
  apiUrl: string;
  token: string;
  at: number;
  shardId: number;
  shardCount: number;
}

export interface TickShardReport {
  shardId: number;
  posted: number;
  failed: string[];
  cpuMs: number;
  wallMs: number;
  rssMb: number;
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

process.once("message", async (job: TickShardJob) => {
  const db = await openDb(job.database);
  const deps = {
    db,
    clock: new ManualClock(new Date(job.at)),
    schedulers: new Schedulers({ fuzz: true }),
    log: pino({ level: "silent" }),
  };
  const client = benchRestClient(job.apiUrl, job.token);
  // Ready: the parent makes every server due, then says "go" for each measured tick (the first one of a new
  // process, then a second once the parent has made them due again), and "done" to end.
  process.send?.({ ready: true });
  const next = () => new Promise<unknown>((r) => process.once("message", r));
  for (let m = await next(); m === "go"; m = await next()) {
    const cpu0 = cpuMs();
    const t0 = performance.now();
    const r = await tick(deps, discordTransport(client), new Date(job.at), {
      shardIds: [job.shardId],
      shardCount: job.shardCount,
    });
    const report: TickShardReport = {
      shardId: job.shardId,
      posted: r.posted.length,
      failed: r.failed.slice(0, 3).map((f) => JSON.stringify(f)),
      cpuMs: cpuMs() - cpu0,
      wallMs: performance.now() - t0,
      rssMb: Math.round(process.memoryUsage().rss / 2 ** 20),
    };
    process.send?.(report);
  }
  await client.destroy();
  await closeDb(db);
  process.exit(0);
});
