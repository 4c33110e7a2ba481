import pino from "pino";

export type Logger = pino.Logger;

/** JSON logs to stderr so stdout stays free for CLI/sandbox output. */
export function createLogger(level: string = process.env.LOG_LEVEL ?? "info"): Logger {
  return pino({ level, base: undefined }, pino.destination(2));
}
