import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pino from "pino";
import { type Bot, createBot } from "../../src/bot.ts";
import { ManualClock } from "../../src/core/clock.ts";
import { renderNative } from "../../src/core/decks/parse.ts";
import { registerCommands } from "../../src/discord/register.ts";
import {
  type ChannelHandle,
  DiscordEmulator,
  type GuildHandle,
  type UserHandle,
} from "../../src/emulator/index.ts";

export const REPO_DECKS = resolve(import.meta.dirname, "../../decks");

export interface WorldOptions {
  /** The bot's clock start (it then follows real time; `clock.advance` moves it). */
  start?: string;
  /** Deck files to load; default: a temp folder with the decks given in `decks`, else the repo's decks/. */
  decksDir?: string;
  decks?: {
    id: string;
    name: string;
    cards: { key: string; front: string; back: string; tags?: string[] }[];
  }[];
  /** Router defer threshold (ms), for slow-path tests. */
  deferAfterMs?: number;
  firstResponseDeadlineMs?: number;
}

/**
 * One server ("Study Group", #study), alice (admin) and bob, the loopback emulator, and the real bot (real
 * discord.js Client, real SQLite file with migrations) connected to it with its commands registered.
 */
export async function startWorld(o: WorldOptions = {}) {
  const emu = await DiscordEmulator.start({ firstResponseDeadlineMs: o.firstResponseDeadlineMs });
  const guild: GuildHandle = emu.addGuild({ name: "Study Group" });
  const channel: ChannelHandle = emu.addChannel(guild.id, { name: "study" });
  const alice: UserHandle = emu.addUser({ name: "alice", guildId: guild.id, admin: true });
  const bob: UserHandle = emu.addUser({ name: "bob", guildId: guild.id });
  const dir = mkdtempSync(join(tmpdir(), "study-e2e-"));
  let decksDir = o.decksDir ?? REPO_DECKS;
  if (o.decks) {
    decksDir = join(dir, "decks");
    mkdirSync(decksDir, { recursive: true });
    for (const d of o.decks) {
      const text = renderNative(
        { id: d.id, name: d.name, description: "" },
        d.cards.map((c) => ({ ...c, tags: c.tags ?? [] })),
      );
      writeFileSync(join(decksDir, `${d.id}.deck`), text);
    }
  }
  const clock = new ManualClock(new Date(o.start ?? Date.now()), true);
  const errors: unknown[] = [];
  const log = pino({ level: "warn" }, { write: (line: string) => errors.push(JSON.parse(line)) });
  const dbPath = join(dir, "study.db");

  const launch = async (): Promise<Bot> => {
    const bot = await createBot({
      token: emu.token,
      databasePath: dbPath,
      decksDir,
      apiUrl: emu.apiUrl,
      fuzz: false,
      clock,
      log,
      deferAfterMs: o.deferAfterMs,
    });
    await bot.start();
    return bot;
  };
  let bot = await launch();
  await registerCommands({
    token: emu.token,
    applicationId: emu.applicationId,
    guildId: guild.id,
    apiUrl: emu.apiUrl,
    commands: bot.commands,
  });
  const bots: Bot[] = [bot];

  return {
    emu,
    guild,
    channel,
    alice,
    bob,
    clock,
    dbPath,
    decksDir,
    /** warn/error log lines the bot wrote (a clean run has none at error level). */
    errors,
    get bot() {
      return bot;
    },
    /** Replace the bot with a fresh process-equivalent on the same database file. */
    async restart() {
      await bot.stop();
      bot = await launch();
      bots.push(bot);
      return bot;
    },
    /** A second bot on the same database, connected at the same time (two processes). */
    async secondBot() {
      const b = await launch();
      bots.push(b);
      return b;
    },
    async stop() {
      for (const b of bots) await b.stop();
      await emu.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type World = Awaited<ReturnType<typeof startWorld>>;
