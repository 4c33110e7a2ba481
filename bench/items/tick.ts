/**
 * Item 4: the daily quiz tick for every seeded server at once (all due at the same minute), through the bot's
 * `tick` service and its discord.js transport (`discordTransport`, REST manager queue, rate limits off) against
 * the loopback emulator running in its own process. Bot-side cost per server = this process's CPU time over the
 * tick / servers posted. A second tick with a transport that answers at once (no network, no discord.js) gives
 * the service's own share (database: claim, due summary, question, record).
 */
import type { Client } from "discord.js";
import { createClient } from "../../src/bot.ts";
import { localDateOf } from "../../src/core/quiz.ts";
import { formatLocalDate } from "../../src/core/time.ts";
import { discordTransport } from "../../src/jobs/quiz-transport.ts";
import { type QuizTransport, tick } from "../../src/services/quiz.ts";
import { startEmulatorHost } from "../lib/emulator-host.ts";
import { type Result, round } from "../lib/measure.ts";
import { channelId } from "../lib/world.ts";
import type { BenchContext } from "./context.ts";

/** Makes every server's quiz due one minute before `at`, for its local date, with no posts yet. */
function makeAllDue(ctx: BenchContext, at: number): number {
  const db = ctx.deps.db.$client;
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

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

export async function benchTick(ctx: BenchContext): Promise<Result[]> {
  const { deps, params } = ctx;
  const at = deps.clock.now();

  // 1. The service alone: a transport that accepts every post at once.
  const expected = makeAllDue(ctx, at.getTime());
  let ids = 0;
  const instant: QuizTransport = {
    post: async () => String(1_000_000 + ids++),
    edit: async () => {},
    findPosted: async () => null,
  };
  let cpu0 = cpuMs();
  let t0 = performance.now();
  const dry = await tick(deps, instant, at);
  const serviceCpu = cpuMs() - cpu0;
  const serviceWall = performance.now() - t0;
  if (dry.posted.length !== expected)
    throw new Error(`service tick posted ${dry.posted.length} of ${expected}`);

  // 2. The real transport through discord.js to the emulator (its own process).
  ctx.log(`bench: tick: starting the emulator with ${params.guilds} servers`);
  const channels = Array.from({ length: params.guilds }, (_, g) => channelId(g));
  const host = await startEmulatorHost({ kind: "seeded", params }, channels);
  const client: Client = createClient(host.apiUrl);
  try {
    client.rest.setToken(host.token);
    // Rate limits off: discord.js would otherwise hold the fan-out to 50 requests/s (Discord's global limit).
    client.rest.options.globalRequestsPerSecond = 1e9;
    client.rest.globalRemaining = 1e9;
    makeAllDue(ctx, at.getTime());
    cpu0 = cpuMs();
    t0 = performance.now();
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
      {
        name: "tick.service_per_server_cpu",
        value: per(serviceCpu),
        unit: "ms",
        extra: "same tick, instant transport: the service's share",
      },
      { name: "tick.service_per_server_wall", value: per(serviceWall), unit: "ms" },
      { name: "tick.total_wall", value: Math.round(realWall), unit: "ms" },
    ];
  } finally {
    await client.destroy();
    await host.stop();
  }
}
