import { resolve } from "node:path";
import { type Bot, createBot } from "./bot.ts";
import { ConfigError, loadConfig } from "./config.ts";
import { systemClock } from "./core/clock.ts";
import { explainPgError } from "./db/pg/open-errors.ts";
import { DatabaseOpenError, explainSqliteError } from "./db/sqlite/open-errors.ts";
import { createLogger } from "./logger.ts";

let config: ReturnType<typeof loadConfig>;
try {
  process.loadEnvFile?.(".env");
} catch {
  // no .env file: the environment alone is used
}
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}

const log = createLogger(config.LOG_LEVEL);

/** A database that cannot be used is the operator's to fix: one line naming the setting, not a stack trace. */
function exitIfDatabaseProblem(err: unknown): void {
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

let bot: Bot;
try {
  bot = await createBot({
    token: config.DISCORD_TOKEN,
    databasePath: config.DATABASE_URL ?? config.DATABASE_PATH,
    decksDir: config.DECKS_DIR,
    apiUrl: config.DISCORD_API_URL,
    fuzz: config.FSRS_FUZZ,
    clock: systemClock,
    log,
  });
} catch (err) {
  exitIfDatabaseProblem(err);
  log.fatal({ err }, "could not start");
  process.exit(1);
}

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "shutting down");
  await bot.stop();
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));

try {
  await bot.start();
} catch (err) {
  await bot.stop().catch(() => {});
  exitIfDatabaseProblem(err);
  log.fatal({ err }, "could not start");
  process.exit(1);
}
