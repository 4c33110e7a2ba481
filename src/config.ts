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
  return parsed.data;
}
