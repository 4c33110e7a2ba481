/**
 * The process's Prometheus metrics (prom-client), one registry per process: under the ShardingManager each shard
 * process has its own, on its own port (port.ts). Counters are fed by the bot's observer (router and quiz job);
 * gauges of the running bot (gateway, database size) are read at each scrape.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { BotObserver } from "../bot.ts";
import type { InteractionKind, Outcome } from "../discord/outcome.ts";
import type { Logger } from "../logger.ts";
import type { ShardHealth } from "./health.ts";

const OUTCOMES: readonly Outcome[] = ["ok", "user_error", "stale", "bug"];
/** Around Discord's limits: 3 s to answer (the router defers at 1.5 s), then 15 minutes of follow-ups. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 1.5, 2.5, 3, 5, 10, 30];

/** What the scrape-time gauges read from the running bot. */
export interface MetricSources {
  shards(): ShardHealth[];
  databaseBytes(): Promise<number | null>;
  engine: string;
  /** The bot's command names: their slash-command series start at 0, so rate() sees the first one. */
  commands: readonly string[];
}

export interface BotMetrics {
  readonly registry: Registry;
  /** Hand to createBot: counts interactions and ticks. */
  readonly observer: BotObserver;
  /** Wall-clock ms of the last tick that finished (health.ts), or null. */
  lastTickAt(): number | null;
  /** Starts the scrape-time gauges on the running bot. */
  watch(sources: MetricSources): void;
}

export function createMetrics(log: Logger): BotMetrics {
  const registry = new Registry();
  // Node's own: event-loop delay (monitorEventLoopDelay: nodejs_eventloop_lag_*), heap, GC, CPU, memory, fds.
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const interactions = new Counter({
    name: "study_interactions_total",
    help: "Interactions handled, by command (a button's or modal's own command; unknown: none serves it), kind and outcome (ok, user_error, stale, bug)",
    labelNames: ["command", "kind", "outcome"] as const,
    registers,
  });
  const latency = new Histogram({
    name: "study_interaction_duration_seconds",
    help: "From the router receiving an interaction to its handler's end (answer sent or failure told)",
    labelNames: ["command", "kind"] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const ticks = new Counter({
    name: "study_quiz_ticks_total",
    help: "Daily-quiz ticks finished (ok) or thrown (error)",
    labelNames: ["result"] as const,
    registers,
  });
  const posts = new Counter({
    name: "study_quiz_posts_total",
    help: "Servers' daily-quiz outcomes in ticks: posted, failed (Discord refused or a bug; retried), skipped (a day missed or not to post)",
    labelNames: ["result"] as const,
    registers,
  });
  const lastTick = new Gauge({
    name: "study_quiz_last_tick_timestamp_seconds",
    help: "Unix time the last daily-quiz tick finished (0: none yet)",
    registers,
  });
  for (const result of ["ok", "error"]) ticks.inc({ result }, 0);
  for (const result of ["posted", "failed", "skipped"]) posts.inc({ result }, 0);
  lastTick.set(0);

  let lastTickAt: number | null = null;
  const observer: BotObserver = {
    interaction(o) {
      interactions.inc({ command: o.command, kind: o.kind, outcome: o.outcome });
      latency.observe({ command: o.command, kind: o.kind }, o.seconds);
    },
    tick(o) {
      if (!o.ok) {
        ticks.inc({ result: "error" });
        return;
      }
      ticks.inc({ result: "ok" });
      posts.inc({ result: "posted" }, o.report.posted.length);
      posts.inc({ result: "failed" }, o.report.failed.length);
      posts.inc({ result: "skipped" }, o.report.skipped.length);
      lastTickAt = Date.now();
      lastTick.set(lastTickAt / 1000);
    },
  };

  return {
    registry,
    observer,
    lastTickAt: () => lastTickAt,
    watch(s) {
      const kind: InteractionKind = "command";
      for (const command of s.commands)
        for (const outcome of OUTCOMES) interactions.inc({ command, kind, outcome }, 0);
      new Gauge({
        name: "study_gateway_ready",
        help: "1 when the gateway shard is Ready, else 0 (reconnecting, resuming, …)",
        labelNames: ["shard"] as const,
        registers,
        collect() {
          this.reset();
          for (const sh of s.shards()) this.set({ shard: sh.id }, sh.status === "Ready" ? 1 : 0);
        },
      });
      new Gauge({
        name: "study_gateway_ping_seconds",
        help: "The gateway shard's last heartbeat round trip (absent before the first)",
        labelNames: ["shard"] as const,
        registers,
        collect() {
          this.reset();
          for (const sh of s.shards()) if (sh.pingMs >= 0) this.set({ shard: sh.id }, sh.pingMs / 1000);
        },
      });
      new Gauge({
        name: "study_database_size_bytes",
        help: "The database on disk: SQLite file + WAL, or PostgreSQL's pg_database_size",
        labelNames: ["engine"] as const,
        registers,
        async collect() {
          this.reset();
          try {
            const bytes = await s.databaseBytes();
            if (bytes !== null) this.set({ engine: s.engine }, bytes);
          } catch (err) {
            // The scrape still answers; /healthz says whether the database does.
            log.debug({ err }, "database size not read for the metrics");
          }
        },
      });
    },
  };
}
