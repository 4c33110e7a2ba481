import { createRequire } from "node:module";
import pino from "pino";
import type { PrettyStream } from "pino-pretty";

export type Logger = pino.Logger;

/**
 * Logs go to stderr, so stdout stays free for CLI/sandbox output. JSON lines (for journald, pm2, a log shipper,
 * and the tests that read them back), except when stderr — where they are written — is a terminal: then
 * pino-pretty's coloured lines, for a developer running `npm start`. `npm start 2>bot.log` stays JSON.
 */
export function createLogger(level: string = process.env.LOG_LEVEL ?? "info"): Logger {
  const options = { level, base: undefined };
  if (!process.stderr.isTTY) return pino(options, pino.destination(2));
  return pino(options, prettyStream());
}

/** pino-pretty, loaded only for a terminal; synchronous, so a line is out before a crash or an exit. */
function prettyStream(): PrettyStream {
  const pretty = createRequire(import.meta.url)("pino-pretty") as typeof import("pino-pretty");
  return pretty({ destination: 2, sync: true, colorize: true, translateTime: "SYS:HH:MM:ss.l" });
}
