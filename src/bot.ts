import { Client, Events, GatewayIntentBits, Options } from "discord.js";
import type { Clock } from "./core/clock.ts";
import { Schedulers } from "./core/scheduling.ts";
import { closeDb, type Db, openDb } from "./db/client.ts";
import { addGuild } from "./db/guilds.ts";
import { markRunning } from "./db/sqlite/running.ts";
import type { Command } from "./discord/command.ts";
import { loadCommands } from "./discord/load-commands.ts";
import type { InteractionObservation } from "./discord/outcome.ts";
import { discordPartyTransport } from "./discord/party-transport.ts";
import { discordTransport } from "./discord/quiz-transport.ts";
import { createRouter } from "./discord/router.ts";
import { dailyBackup } from "./jobs/daily-backup.ts";
import {
  createQuizJob,
  cronTicker,
  type QuizJob,
  type Ticker,
  type TickObservation,
} from "./jobs/quiz-job.ts";
import type { Logger } from "./logger.ts";
import { syncDeckDir } from "./services/deck-sync.ts";
import type { Deps } from "./services/deps.ts";
import { channelGone } from "./services/party/game.ts";
import { PartyRuntime } from "./services/party/runtime.ts";
import type { ShardFilter, TickReport } from "./services/quiz/tick.ts";
import { SHARDING_REQUIRED_CLOSE, ShardingRequiredError } from "./shards/sharding-required.ts";

/**
 * The database: a path or URL the bot opens (and closes on `stop`), or a handle already open (tests on an
 * in-process PGlite, which no second process can open by name), which `stop` leaves open for its owner.
 */
export type BotDatabase = { databasePath: string; db?: undefined } | { db: Db; databasePath?: undefined };

export type BotOptions = BotDatabase & {
  token: string;
  decksDir: string;
  apiUrl?: string;
  fuzz: boolean;
  clock: Clock;
  log: Logger;
  /** Override the router's defer threshold (tests of slow paths). */
  deferAfterMs?: number;
  /** What drives the daily-quiz ticks (default: node-cron every minute); tests pass a manual one. */
  quizTicker?: Ticker;
  /** BACKUP_DIR / BACKUP_KEEP: the minute job's daily backup of the SQLite file (jobs/daily-backup.ts). */
  backup?: { dir: string; keep: number };
  /** Told how interactions and ticks end (metrics and health, src/ops/, when METRICS_PORT is set). */
  observe?: BotObserver;
};

export interface BotObserver {
  interaction?(o: InteractionObservation): void;
  tick?(o: TickObservation): void;
}

export interface Bot {
  client: Client;
  deps: Deps;
  commands: Command[];
  /** The daily-quiz job: `quiz.tick(at?)` runs one tick now (tests, the sandbox's `:tick`). */
  quiz: QuizJob;
  /** Review parties: their transport, coalesced edits and timer (each tick also wakes those due). */
  party: PartyRuntime;
  /** One scheduler tick at `at` (default: the bot's clock now); the same as `quiz.tick`. */
  tick(at?: Date): Promise<TickReport>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Cache only what the bot uses (guilds and their channels); members and messages are not kept. That cache is
 * Discord's, fed by this process's own gateway connection for the servers its shards hold, never by the database,
 * so other processes' writes do not concern it. Shards: none are
 * given here, so discord.js takes them from SHARDS / SHARD_COUNT, which its ShardingManager sets for each shard
 * process (src/shards/manager.ts); without a manager it is one connection, shard 0 of 1.
 */
export function createClient(apiUrl?: string): Client {
  return new Client({
    intents: [GatewayIntentBits.Guilds],
    rest: apiUrl ? { api: apiUrl } : {},
    makeCache: Options.cacheWithLimits({
      ...Options.DefaultMakeCacheSettings,
      GuildMemberManager: { maxSize: 0, keepOverLimit: (m) => m.id === m.client.user.id },
      UserManager: { maxSize: 0, keepOverLimit: (u) => u.id === u.client.user.id },
      MessageManager: 0,
      PresenceManager: 0,
      VoiceStateManager: 0,
      ReactionManager: 0,
      ThreadMemberManager: 0,
    }),
  });
}

/** The shards this client holds, for the tick; null when it holds them all (one process, or every shard). */
function shardFilter(client: Client): ShardFilter {
  const { shards, shardCount } = client.options;
  const count = shardCount ?? 1;
  if (!Array.isArray(shards) || shards.length >= count) return null;
  return { shardIds: shards, shardCount: count };
}

/** Assembles database, scheduler, commands and client; `start` loads decks and logs in. */
export async function createBot(o: BotOptions): Promise<Bot> {
  const owned = o.db === undefined;
  const db: Db = o.db ?? (await openDb(o.databasePath));
  const deps: Deps = { db, clock: o.clock, schedulers: new Schedulers({ fuzz: o.fuzz }), log: o.log };
  const commands = await loadCommands();
  const client = createClient(o.apiUrl);
  const transport = discordTransport(client);
  const ticker = o.quizTicker ?? cronTicker();
  const shards = () => shardFilter(client);
  const party = new PartyRuntime(deps, discordPartyTransport(client), ticker.timers, shards);
  const route = createRouter(commands, deps, {
    transport,
    party,
    deferAfterMs: o.deferAfterMs,
    observe: o.observe?.interaction && ((x) => o.observe?.interaction?.(x)),
  });
  const backup =
    o.backup && db.kind === "sqlite"
      ? dailyBackup({ ...o.backup, sqlite: db.sqlite, log: o.log })
      : undefined;
  const quiz = createQuizJob({
    deps,
    transport,
    ticker,
    shards,
    parties: party,
    backup,
    observe: o.observe?.tick && ((x) => o.observe?.tick?.(x)),
  });
  // A restore refuses to replace a file a live bot has marked (db/sqlite/running.ts).
  const unmark = db.kind === "sqlite" && db.path !== null ? markRunning(db.path) : () => {};

  client.on(Events.InteractionCreate, (i) => {
    route(i).catch((err) => o.log.error({ err }, "router failed"));
  });
  client.on(Events.GuildCreate, (g) => {
    addGuild(db, g.id, o.clock.now()).catch((err) => o.log.error({ err, guild: g.id }, "guild not recorded"));
  });
  // A party's thread (or its channel) deleted: the party ends once, with nothing sent there (services/party).
  const gone = (channelId: string) => {
    channelGone(party, channelId, o.clock.now()).catch((err) =>
      o.log.error({ err, channel: channelId }, "review party not ended after its thread was deleted"),
    );
  };
  client.on(Events.ThreadDelete, (t) => gone(t.id));
  client.on(Events.ChannelDelete, (c) => gone(c.id));
  client.on(Events.Error, (err) => o.log.error({ err }, "client error"));

  let stopped = false;
  return {
    client,
    deps,
    commands,
    quiz,
    party,
    tick: (at?: Date) => quiz.tick(at),
    async start() {
      const report = await syncDeckDir(deps, o.decksDir);
      o.log.info({ loaded: report.loaded.length, failed: report.failed.length }, "decks loaded");
      const ready = new Promise<void>((res) => client.once(Events.ClientReady, () => res()));
      // Discord's 4011 never brings READY: it ends the start with the one line that says what to set.
      const refused = new Promise<never>((_, rej) => {
        client.on(Events.ShardDisconnect, (event, shardId) => {
          if (event.code === SHARDING_REQUIRED_CLOSE)
            rej(new ShardingRequiredError(shardId, client.options.shardCount ?? 1, client.shard !== null));
        });
      });
      await Promise.race([client.login(o.token).then(() => ready), refused]);
      o.log.info(
        {
          user: client.user?.tag,
          guilds: client.guilds.cache.size,
          shards: client.options.shards,
          shardCount: client.options.shardCount,
          pid: process.pid,
          // npm run build's JavaScript, or the TypeScript sources through tsx.
          compiled: !import.meta.url.endsWith(".ts"),
        },
        "ready",
      );
      await quiz.start();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await party.stop();
      await quiz.stop();
      await client.destroy();
      if (owned) await closeDb(db);
      unmark();
    },
  };
}
