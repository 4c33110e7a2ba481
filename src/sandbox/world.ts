/**
 * A world to try the bot in: the loopback Discord emulator with one server, its channels and users, and the real
 * bot (real discord.js Client, real SQLite file with migrations) connected to it with its commands registered.
 * Shared by the sandbox (terminal client and scenario runner) and the end-to-end test harness.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pino from "pino";
import { type Bot, type BotDatabase, createBot } from "../bot.ts";
import { ManualClock } from "../core/clock.ts";
import { renderNative } from "../core/decks/parse.ts";
import { closeDb, type Db, openDb } from "../db/client.ts";
import { setServerZone } from "../db/guilds.ts";
import { loadCommands } from "../discord/load-commands.ts";
import { registerCommands } from "../discord/register.ts";
import {
  type ChannelHandle,
  DiscordEmulator,
  type GuildHandle,
  type MessageRateLimit,
  type UserHandle,
} from "../emulator/index.ts";
import type { Ticker } from "../jobs/quiz-job.ts";
import { ShardedBot } from "./shard-processes.ts";
import { stableSnowflake } from "./stable-ids.ts";

export const REPO_DECKS = resolve(import.meta.dirname, "../../decks");

export interface WorldUser {
  name: string;
  admin?: boolean | undefined;
  /** A fixed snowflake; default: one derived from the name (the same on every launch). */
  id?: string | undefined;
  /** Their Discord client language (an interaction's `locale`), e.g. "de" or "es-ES"; default en-US. */
  locale?: string | undefined;
}

export interface WorldDeck {
  id: string;
  name: string;
  cards: { key: string; front: string; back: string; tags?: string[] }[];
}

export interface WorldOptions {
  /** The bot's clock start (default: now). */
  start?: string | Date | undefined;
  /** true (default): the clock then follows real time; false: it only moves when told (reproducible runs). */
  followRealTime?: boolean;
  /** Deck files to load; default: a temp folder with the decks given in `decks`, else the repo's decks/. */
  decksDir?: string | undefined;
  decks?: WorldDeck[];
  /** The SQLite file or a `postgres://` URL; default: a fresh file in a temp folder that `stop()` removes. */
  databasePath?: string | undefined;
  /** An already open database instead (an in-process PGlite); every bot of the world shares it, none closes it. */
  db?: Db | undefined;
  /** Channel names in the one server; default ["study"]. */
  channels?: string[];
  /** Server members; default alice (admin) and bob. */
  users?: WorldUser[];
  guildName?: string;
  /** The server's preferred locale (`guild_locale`), e.g. "es-ES"; default en-US. */
  guildLocale?: string | undefined;
  /** The server's timezone, written to guilds.timezone before the world is handed out. */
  timezone?: string | undefined;
  /** ts-fsrs interval fuzz; default off so intervals are predictable. */
  fuzz?: boolean;
  /** What drives the daily-quiz ticks: default node-cron every minute (as in production); `manualTicker` for
   * runs that tick only when told. */
  quizTicker?: Ticker | undefined;
  /** Router defer threshold (ms), for slow-path tests. */
  deferAfterMs?: number | undefined;
  /** Have the emulator enforce Discord's per-channel message write limit (src/emulator/rate-limits.ts). */
  messageRateLimit?: MessageRateLimit | undefined;
  firstResponseDeadlineMs?: number | undefined;
  /** Lowest pino level written (default "warn"). */
  logLevel?: string;
  /** Receives every log line the bot writes (pino JSON, with newline). Default: dropped. */
  onLog?: (line: string) => void;
  /**
   * Run the bot as this many shard processes under discord.js's ShardingManager (`SHARD_COUNT`) instead of in
   * this process. Their clock moves only with `advance` (not with real time), they tick only in `tick`, and
   * `bot` and `secondBot` are not available.
   */
  shards?: number | undefined;
}

export interface LogRecord {
  level: number;
  msg?: string;
  [key: string]: unknown;
}

/** pino's numeric level for "error". */
export const ERROR_LEVEL = 50;

export const DEFAULT_USERS: WorldUser[] = [{ name: "alice", admin: true }, { name: "bob" }];

export async function createWorld(o: WorldOptions = {}) {
  const emu = await DiscordEmulator.start({
    firstResponseDeadlineMs: o.firstResponseDeadlineMs,
    messageRateLimit: o.messageRateLimit,
  });
  const tmp = mkdtempSync(join(tmpdir(), "study-world-"));
  const bots: Bot[] = [];
  let startedShards: ShardedBot | undefined;
  let stopped = false;
  try {
    // Ids follow from names: a second launch on the same database file is the same server with the same people.
    const guildName = o.guildName ?? "Study Group";
    const guild: GuildHandle = emu.addGuild({
      name: guildName,
      id: stableSnowflake("guild", guildName),
      ...(o.guildLocale !== undefined && { locale: o.guildLocale }),
    });
    const channels = new Map<string, ChannelHandle>();
    for (const name of o.channels ?? ["study"]) {
      const id = stableSnowflake("channel", `${guildName}#${name}`);
      channels.set(name, emu.addChannel(guild.id, { name, id }));
    }
    const users = new Map<string, UserHandle>();
    for (const u of o.users ?? DEFAULT_USERS) {
      const id = u.id ?? stableSnowflake("user", u.name);
      users.set(
        u.name,
        emu.addUser({
          name: u.name,
          id,
          guildId: guild.id,
          admin: u.admin ?? false,
          ...(u.locale !== undefined && { locale: u.locale }),
        }),
      );
    }

    let decksDir = o.decksDir ?? REPO_DECKS;
    if (o.decks) {
      decksDir = join(tmp, "decks");
      mkdirSync(decksDir, { recursive: true });
      for (const d of o.decks) {
        const text = renderNative(
          { id: d.id, name: d.name, description: "" },
          d.cards.map((c) => ({ ...c, tags: c.tags ?? [] })),
        );
        writeFileSync(join(decksDir, `${d.id}.deck`), text);
      }
    }
    // openDb makes a file's folder (or says why it cannot)
    const database: BotDatabase = o.db
      ? { db: o.db }
      : { databasePath: o.databasePath ?? join(tmp, "study.db") };
    /** The file or URL every bot of the world opens; null when they share `o.db`. */
    const dbPath = database.databasePath ?? null;

    if (o.shards !== undefined && o.followRealTime === true)
      throw new Error("a sharded world's clock cannot follow real time (its processes read it from a file)");
    const clock = new ManualClock(
      new Date(o.start ?? Date.now()),
      o.shards === undefined && (o.followRealTime ?? true),
    );
    /** warn and error lines the bot logged, parsed (a clean run has none at error level). */
    const errors: LogRecord[] = [];
    const log = pino(
      { level: o.logLevel ?? "warn" },
      {
        write(line: string) {
          o.onLog?.(line);
          try {
            const rec = JSON.parse(line) as LogRecord;
            if (rec.level >= 40) errors.push(rec);
          } catch {
            errors.push({ level: ERROR_LEVEL, msg: line });
          }
        },
      },
    );

    const launch = async (): Promise<Bot> => {
      const b = await createBot({
        ...database,
        token: emu.token,
        decksDir,
        apiUrl: emu.apiUrl,
        fuzz: o.fuzz ?? false,
        clock,
        log,
        deferAfterMs: o.deferAfterMs,
        quizTicker: o.quizTicker,
      });
      bots.push(b);
      await b.start();
      return b;
    };
    const sharded = o.shards;
    const clockFile = join(tmp, "clock");
    const launchShards = (shards: number, path: string) =>
      ShardedBot.start({
        emu,
        shards,
        databasePath: path,
        decksDir,
        clockFile,
        now: clock.now().getTime(),
        logLevel: o.logLevel ?? "warn",
        onLog: logLine,
      });
    /** A shard process's line: to `onLog` and, at warn or above, to `errors`, as the in-process logger does. */
    const logLine = (line: string): void => {
      o.onLog?.(line);
      const rec = JSON.parse(line) as LogRecord;
      if (rec.level >= 40) errors.push(rec);
    };

    let bot: Bot | undefined;
    let shardedBot: ShardedBot | undefined;
    if (sharded === undefined) {
      bot = await launch();
      // The server's study-day timezone lives in guilds.timezone (what /quiz setup also writes).
      if (o.timezone !== undefined) await setServerZone(bot.deps.db, guild.id, o.timezone, clock.now());
    } else {
      // Migrated and given its timezone here, before any shard opens the database (a file or a URL: the shard
      // processes open it themselves, so a world of shards cannot share an in-process handle).
      if (dbPath === null)
        throw new Error("a sharded world needs a database file or URL, not an open handle");
      const db = await openDb(dbPath);
      if (o.timezone !== undefined) await setServerZone(db, guild.id, o.timezone, clock.now());
      await closeDb(db);
      shardedBot = await launchShards(sharded, dbPath);
      startedShards = shardedBot;
    }
    await registerCommands({
      token: emu.token,
      applicationId: emu.applicationId,
      guildId: guild.id,
      apiUrl: emu.apiUrl,
      commands: bot?.commands ?? (await loadCommands()),
    });

    const lookup = <T>(map: Map<string, T>, what: string, name: string): T => {
      const found = map.get(name);
      if (!found) throw new Error(`No ${what} named "${name}" (have: ${[...map.keys()].join(", ")})`);
      return found;
    };

    return {
      emu,
      guild,
      channels,
      users,
      clock,
      dbPath,
      decksDir,
      errors,
      log,
      /** The in-process bot (not in a sharded world, whose bot is its processes). */
      get bot(): Bot {
        if (!bot) throw new Error(`the bot runs as ${sharded} shard processes: there is no in-process bot`);
        return bot;
      },
      /** Shard processes, when the world runs sharded. */
      shards: sharded,
      /** The scheduler's tick at `at`, in the bot or in every shard process; resolves with what it reports. */
      async tick(at: Date): Promise<unknown> {
        if (shardedBot) return shardedBot.tick(at.getTime());
        const tick = bot && findTick(bot);
        if (!tick) throw new Error("no scheduler yet: this bot has no tick(now) to run");
        return tick(at);
      },
      channel: (name: string) => lookup(channels, "channel", name.replace(/^#/, "")),
      user: (name: string) => lookup(users, "user", name),
      /** Moves the bot's clock and the emulator's (which decides interaction-token expiry). */
      advance(ms: number) {
        clock.advance(ms);
        emu.advanceTime(ms);
        shardedBot?.setTime(clock.now().getTime());
      },
      /** Replaces the bot with a fresh process-equivalent on the same database file. */
      /** Replaces the in-process bot (and returns it); a sharded world restarts its manager and every shard. */
      async restart(): Promise<Bot | undefined> {
        if (shardedBot && sharded !== undefined) {
          await shardedBot.stop();
          shardedBot = await launchShards(sharded, dbPath ?? "");
          startedShards = shardedBot;
          return undefined;
        }
        await bot?.stop();
        bot = await launch();
        return bot;
      },
      /** A second bot on the same database, connected at the same time (two processes). */
      async secondBot() {
        if (sharded !== undefined) throw new Error("a sharded world has no second in-process bot");
        return launch();
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        await shardedBot?.stop();
        for (const b of bots) await b.stop();
        await emu.stop();
        rmSync(tmp, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await startedShards?.stop().catch(() => {});
    for (const b of bots) await b.stop().catch(() => {});
    await emu.stop();
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

export type SandboxWorld = Awaited<ReturnType<typeof createWorld>>;

/**
 * The scheduler's tick at `now`: `bot.tick(now)` where the bot has it, else its daily-quiz job's `quiz.tick`.
 * Undefined when this build has no scheduler.
 */
export function findTick(bot: Bot): ((now: Date) => Promise<unknown>) | undefined {
  const b = bot as unknown as { tick?: unknown; quiz?: { tick?: unknown } };
  if (typeof b.tick === "function") {
    const tick = b.tick;
    return async (now: Date) => tick.call(bot, now);
  }
  const quiz = b.quiz;
  if (quiz && typeof quiz.tick === "function") {
    const tick = quiz.tick;
    return async (now: Date) => tick.call(quiz, now);
  }
  return undefined;
}
