/**
 * Runs one bot process until a signal stops it: `npm start` without SHARD_COUNT, and each shard process of the
 * ShardingManager (src/shards/shard.ts). Problems an operator must fix end it with one line and exit 1.
 */
import { resolve } from "node:path";
import { type Bot, createBot } from "./bot.ts";
import type { Config } from "./config.ts";
import { systemClock } from "./core/clock.ts";
import { explainPgError } from "./db/pg/open-errors.ts";
import { DatabaseOpenError, explainSqliteError } from "./db/sqlite/open-errors.ts";
import { fileClock } from "./jobs/file-clock.ts";
import { createLogger } from "./logger.ts";
import { ShardingRequiredError } from "./shards/sharding-required.ts";

export async function runBot(config: Config, opts: { exitWithParent?: boolean } = {}): Promise<void> {
  // Under the ShardingManager every line says which shard wrote it (the shards share the manager's stderr).
  const shard = process.env.SHARDING_MANAGER ? process.env.SHARDS : undefined;
  const log =
    shard === undefined
      ? createLogger(config.LOG_LEVEL)
      : createLogger(config.LOG_LEVEL).child({ shard: Number(shard) });

  /** A database that cannot be used is the operator's to fix: one line naming the setting, not a stack trace. */
  function exitIfOperatorProblem(err: unknown): void {
    if (err instanceof ShardingRequiredError) {
      console.error(err.message);
      process.exit(1);
    }
    const url = config.DATABASE_URL;
    const problem =
      err instanceof DatabaseOpenError
        ? err
        : url
          ? explainPgError(url, err)
          : explainSqliteError(resolve(config.DATABASE_PATH), err);
    if (!problem) return;
    console.error(problem.lineFor(url ? "DATABASE_URL" : "DATABASE_PATH"));
    process.exit(1);
  }

  const testClock = config.TEST_CLOCK_FILE ? fileClock(config.TEST_CLOCK_FILE) : undefined;
  // Loaded only when asked for: without METRICS_PORT the bot never imports src/ops (nor prom-client).
  const ops =
    config.METRICS_PORT === undefined
      ? null
      : (await import("./ops/ops.ts")).createOps({
          host: config.METRICS_HOST,
          port: config.METRICS_PORT,
          log,
          tickExpected: testClock === undefined,
        });
  let bot: Bot;
  try {
    bot = await createBot({
      token: config.DISCORD_TOKEN,
      databasePath: config.DATABASE_URL ?? config.DATABASE_PATH,
      decksDir: config.DECKS_DIR,
      apiUrl: config.DISCORD_API_URL,
      fuzz: config.FSRS_FUZZ,
      clock: testClock?.clock ?? systemClock,
      quizTicker: testClock?.ticker,
      log,
      ...(config.BACKUP_DIR && { backup: { dir: config.BACKUP_DIR, keep: config.BACKUP_KEEP } }),
      observe: ops?.observer,
    });
    if (config.BACKUP_DIR && config.DATABASE_URL)
      log.warn("BACKUP_DIR backs up the SQLite file only: back PostgreSQL up with pg_dump (README, Backups)");
  } catch (err) {
    exitIfOperatorProblem(err);
    log.fatal({ err }, "could not start");
    process.exit(1);
  }

  let stopping = false;
  async function shutdown(signal: string) {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down");
    // The metrics server first: a prober sees the process go (connection refused) rather than a stale 200.
    await ops?.close().catch((err) => log.warn({ err }, "metrics server did not close cleanly"));
    await bot.stop();
    process.exit(0);
  }
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  // A shard whose manager died must not stay connected beside the shard a new manager starts.
  if (opts.exitWithParent) process.on("disconnect", () => void shutdown("manager gone"));

  if (ops) {
    try {
      await ops.listen(bot);
    } catch (err) {
      await bot.stop().catch(() => {});
      console.error(err instanceof Error ? err.message : String(err));
      process.exit(1);
    }
  }

  try {
    await bot.start();
  } catch (err) {
    await ops?.close().catch(() => {});
    await bot.stop().catch(() => {});
    exitIfOperatorProblem(err);
    log.fatal({ err }, "could not start");
    process.exit(1);
  }
}
