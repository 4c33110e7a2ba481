import { z } from "zod";

/** Everything the bot reads from the environment, validated once at start. */
const schema = z.object({
  DISCORD_TOKEN: z.string().min(1),
  DISCORD_CLIENT_ID: z
    .string()
    .regex(/^\d{5,25}$/, "must be the application's numeric id")
    .optional(),
  DATABASE_PATH: z.string().min(1).default("./data/study.db"),
  /** PostgreSQL instead of the SQLite file (postgres://user:password@host:5432/database); then DATABASE_PATH is unused. */
  DATABASE_URL: z
    .string()
    .regex(
      /^postgres(ql)?:\/\/\S+$/i,
      "must be a postgres:// URL, e.g. postgres://bot:secret@localhost:5432/study (leave it empty for the SQLite file DATABASE_PATH)",
    )
    .optional(),
  DECKS_DIR: z.string().min(1).default("./decks"),
  DEV_GUILD_ID: z
    .string()
    .regex(/^\d{5,25}$/, "must be a numeric server id")
    .optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** REST base override, e.g. http://127.0.0.1:PORT/api for the loopback emulator. */
  DISCORD_API_URL: z.url().optional(),
  /** ts-fsrs interval fuzz: on in production, off where tests need exact intervals. */
  FSRS_FUZZ: z
    .enum(["true", "false"])
    .default("true")
    .transform((v) => v === "true"),
  /** Run through discord.js's ShardingManager: "auto" (Discord's recommendation) or a total shard count. */
  SHARD_COUNT: z
    .string()
    .regex(/^(auto|[1-9]\d{0,4})$/, 'must be "auto" or a whole number of shards, 1 or more')
    .transform((v) => (v === "auto" ? ("auto" as const) : Number(v)))
    .optional(),
  /** The shards this machine runs, e.g. "0,1" (the others run elsewhere); needs a numeric SHARD_COUNT. */
  SHARD_IDS: z
    .string()
    .regex(/^\d{1,5}(,\d{1,5})*$/, 'must be shard ids separated by commas, e.g. "0,1"')
    .transform((v) => v.split(",").map(Number))
    .refine((ids) => new Set(ids).size === ids.length, "lists a shard id twice")
    .optional(),
  /** The minute job's daily backup of the SQLite file goes here (README "Backups"); unset: no daily backup. */
  BACKUP_DIR: z.string().min(1).optional(),
  /** How many daily backups BACKUP_DIR keeps (the oldest beyond are removed). */
  BACKUP_KEEP: z.coerce.number().int().min(1).max(3650).default(7),
  /**
   * Serve /healthz and /metrics (src/ops/) on this port; unset: no server. Under the ShardingManager each shard
   * process listens on METRICS_PORT + its shard id. 0: a port the system picks (logged; tests).
   */
  METRICS_PORT: z.coerce
    .number({ error: "must be a port number from 0 to 65535" })
    .int("must be a port number from 0 to 65535")
    .min(0, "must be a port number from 0 to 65535")
    .max(65535, "must be a port number from 0 to 65535")
    .optional(),
  /** Where that server listens: loopback unless told otherwise (0.0.0.0 or :: for every interface). */
  METRICS_HOST: z
    .union([z.ipv4(), z.ipv6(), z.hostname()], {
      error: "must be an IP address or host name to listen on, e.g. 127.0.0.1 or 0.0.0.0",
    })
    .default("127.0.0.1"),
  /** Wait between two shards' starts (Discord lets a bot identify about once per 5 s). */
  SHARD_SPAWN_DELAY_MS: z.coerce.number().int().min(0).max(600_000).default(5500),
  /**
   * Test-only: the bot's clock is the epoch milliseconds written in this file, and the daily quiz ticks when it
   * changes (test/e2e/shards.test.ts drives processes it cannot reach otherwise). Never set in production.
   */
  TEST_CLOCK_FILE: z.string().min(1).optional(),
});

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {}

const MISSING_TOKEN =
  "DISCORD_TOKEN is not set: copy .env.example to .env and fill it in (see README), or try the bot without any Discord account with `npm run sandbox`.";

/** Parses the environment; throws ConfigError with ONE human line on failure. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  if (!cleaned.DISCORD_TOKEN) throw new ConfigError(MISSING_TOKEN);
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first?.path.join(".") ?? "config";
    throw new ConfigError(`${where}: ${first?.message ?? "invalid"} (see .env.example)`);
  }
  const c = parsed.data;
  if (c.METRICS_PORT && typeof c.SHARD_COUNT === "number" && c.METRICS_PORT + c.SHARD_COUNT - 1 > 65535)
    throw new ConfigError(
      `METRICS_PORT: with SHARD_COUNT=${c.SHARD_COUNT} shard ${c.SHARD_COUNT - 1} would listen on ${c.METRICS_PORT + c.SHARD_COUNT - 1}, past 65535 (each shard listens on METRICS_PORT + its id)`,
    );
  if (c.SHARD_IDS) {
    if (c.SHARD_COUNT === undefined)
      throw new ConfigError(
        "SHARD_IDS needs SHARD_COUNT: the total number of shards across every machine, e.g. SHARD_IDS=0,1 SHARD_COUNT=4 (see README, Running at scale)",
      );
    if (c.SHARD_COUNT === "auto")
      throw new ConfigError(
        "SHARD_IDS needs a numeric SHARD_COUNT, not auto: every machine must split the same total (see README, Running at scale)",
      );
    const count = c.SHARD_COUNT;
    const outside = c.SHARD_IDS.filter((id) => id >= count);
    if (outside.length > 0)
      throw new ConfigError(
        `SHARD_IDS: ${outside.join(", ")} out of range: with SHARD_COUNT=${count} shard ids go from 0 to ${count - 1}`,
      );
  }
  return c;
}
