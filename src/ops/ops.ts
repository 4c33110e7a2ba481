/**
 * Metrics and health for one bot process, as run-bot.ts wires them when METRICS_PORT is set (and only then: it
 * imports this module lazily, so without it the bot loads neither prom-client nor this folder).
 */
import type { Bot, BotObserver } from "../bot.ts";
import { databaseAnswers, databaseBytes } from "../db/health.ts";
import type { Logger } from "../logger.ts";
import { checkHealth, gatewayShards } from "./health.ts";
import { createMetrics } from "./metrics.ts";
import { metricsPort } from "./port.ts";
import { type OpsServer, startOpsServer } from "./server.ts";

/** The server could not listen: the operator's to fix, in one line. */
export class OpsListenError extends Error {}

export interface Ops {
  /** Hand to createBot. */
  readonly observer: BotObserver;
  /** Starts the server on the bot (before `bot.start()`: /healthz says 503 until the gateway is Ready). */
  listen(bot: Bot): Promise<OpsServer>;
  close(): Promise<void>;
}

export function createOps(o: {
  host: string;
  /** METRICS_PORT (this shard's port is derived from it: port.ts). */
  port: number;
  log: Logger;
  /** Whether the minute job drives the ticks (false with TEST_CLOCK_FILE): health.ts judges their age then. */
  tickExpected: boolean;
}): Ops {
  const metrics = createMetrics(o.log);
  let server: OpsServer | null = null;
  return {
    observer: metrics.observer,
    async listen(bot) {
      const db = bot.deps.db;
      const engine = db.kind === "sqlite" ? "sqlite" : db.label === "pglite" ? "pglite" : "postgresql";
      const shards = () => gatewayShards(bot.client);
      metrics.watch({
        shards,
        engine,
        databaseBytes: () => databaseBytes(db),
        commands: bot.commands.map((c) => c.data.name),
      });
      const since = Date.now();
      const port = metricsPort(o.port);
      try {
        server = await startOpsServer(
          {
            health: () =>
              checkHealth({
                shards,
                engine,
                ping: () => databaseAnswers(db),
                lastTickAt: metrics.lastTickAt,
                since,
                tickExpected: o.tickExpected,
              }),
            metrics: async () => ({
              contentType: metrics.registry.contentType,
              body: await metrics.registry.metrics(),
            }),
          },
          o.host,
          port,
          (err) => o.log.error({ err }, "metrics server failed"),
        );
      } catch (err) {
        const code = (err as { code?: string }).code ?? (err instanceof Error ? err.message : String(err));
        throw new OpsListenError(
          `METRICS_PORT: cannot listen on ${o.host}:${port} (${code}): choose another port or host (METRICS_HOST), or leave METRICS_PORT empty for no metrics server`,
        );
      }
      const base = `http://${o.host.includes(":") ? `[${o.host}]` : o.host}:${server.port}`;
      o.log.info(
        { port: server.port, healthz: `${base}/healthz`, metrics: `${base}/metrics` },
        "metrics listening",
      );
      return server;
    },
    async close() {
      await server?.close();
      server = null;
    },
  };
}
