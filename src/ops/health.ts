/**
 * `/healthz`: whether this process is doing its job. Healthy means all three of:
 *
 * - **gateway**: every gateway shard this process holds is Ready (connected, identified or resumed). A shard that
 *   dropped and is reconnecting, resuming or waiting for its guilds is not; before the first READY there are none.
 * - **database**: the trivial query (src/db/health.ts) answered within DB_TIMEOUT_MS.
 * - **quiz tick**: when the minute job runs (node-cron), its last tick finished less than TICK_STALE_MS ago (a tick
 *   that threw does not count: the job is not doing its work); counted from the job's start before the first one.
 *   Where ticks are driven by hand (TEST_CLOCK_FILE), not judged.
 */
import { type Client, Status } from "discord.js";

/** Longer than a healthy query ever takes, shorter than a prober's usual 5–10 s timeout. */
export const DB_TIMEOUT_MS = 2_000;
/** Five missed minutes: a slow tick (thousands of servers) finishes well inside it, a stuck one does not. */
export const TICK_STALE_MS = 5 * 60_000;

export interface ShardHealth {
  id: number;
  /** discord.js's Status name: Ready, Connecting, Resuming, … */
  status: string;
  /** Last heartbeat round trip (ms); -1 before the first. */
  pingMs: number;
}

export interface HealthReport {
  healthy: boolean;
  gateway: { ok: boolean; shards: ShardHealth[] };
  database: { ok: boolean; engine: string; ms: number; error?: string };
  quizTick: {
    ok: boolean;
    /** Whether the minute job runs here (false: ticks come by hand, not judged). */
    expected: boolean;
    lastAt: string | null;
    ageSeconds: number | null;
    maxAgeSeconds: number;
  };
}

export interface HealthSources {
  /** The gateway shards this process holds (`gatewayShards(client)`). */
  shards(): ShardHealth[];
  engine: string;
  /** Resolves once the database answered (src/db/health.ts `databaseAnswers`). */
  ping(): Promise<void>;
  /** Wall-clock ms of the last tick that finished, or null. */
  lastTickAt(): number | null;
  /** Wall-clock ms the staleness is counted from before the first tick (the job's start). */
  since: number;
  tickExpected: boolean;
  now?: () => number;
}

/** What discord.js says of each gateway shard of this client. */
export function gatewayShards(client: Client): ShardHealth[] {
  return [...client.ws.shards.values()].map((s) => ({
    id: s.id,
    status: Status[s.status] ?? String(s.status),
    pingMs: s.ping,
  }));
}

async function pingWithin(ping: () => Promise<void>, ms: number): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>((res) => {
    timer = setTimeout(() => res(`no answer within ${ms} ms`), ms);
  });
  try {
    return await Promise.race([ping().then(() => undefined), late]);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    clearTimeout(timer);
  }
}

export async function checkHealth(s: HealthSources): Promise<HealthReport> {
  const now = s.now ?? Date.now;
  const shards = s.shards();
  const gatewayOk = shards.length > 0 && shards.every((x) => x.status === "Ready");

  const t0 = performance.now();
  const error = await pingWithin(s.ping, DB_TIMEOUT_MS);
  const database = {
    ok: error === undefined,
    engine: s.engine,
    ms: Math.round((performance.now() - t0) * 10) / 10,
    ...(error === undefined ? {} : { error }),
  };

  const last = s.lastTickAt();
  const age = now() - (last ?? s.since);
  const quizTick = {
    ok: !s.tickExpected || age <= TICK_STALE_MS,
    expected: s.tickExpected,
    lastAt: last === null ? null : new Date(last).toISOString(),
    ageSeconds: last === null ? null : Math.round((now() - last) / 1000),
    maxAgeSeconds: TICK_STALE_MS / 1000,
  };
  return {
    healthy: gatewayOk && database.ok && quizTick.ok,
    gateway: { ok: gatewayOk, shards },
    database,
    quizTick,
  };
}
