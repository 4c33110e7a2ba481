import type { Bot } from "../../src/bot.ts";
import { manualTicker } from "../../src/jobs/quiz-job.ts";
import { createWorld, REPO_DECKS, type WorldDeck } from "../../src/sandbox/world.ts";

export { REPO_DECKS };

export interface WorldOptions {
  /** The bot's clock start (it then follows real time; `clock.advance` moves it). */
  start?: string;
  /** Deck files to load; default: a temp folder with the decks given in `decks`, else the repo's decks/. */
  decksDir?: string;
  decks?: WorldDeck[];
  /** Router defer threshold (ms), for slow-path tests. */
  deferAfterMs?: number;
  firstResponseDeadlineMs?: number;
}

/**
 * One server ("Study Group", #study), alice (admin) and bob, the loopback emulator, and the real bot (real
 * discord.js Client, real SQLite file with migrations) connected to it with its commands registered.
 * A thin wrapper over the sandbox's world (src/sandbox/world.ts).
 */
export async function startWorld(o: WorldOptions = {}) {
  // Quiz ticks run only when a test calls bot.tick(): no wall-clock cron firing in the middle of a test.
  const w = await createWorld({
    quizTicker: manualTicker,
    ...o,
    channels: ["study"],
    users: [{ name: "alice", admin: true }, { name: "bob" }],
  });
  return {
    emu: w.emu,
    guild: w.guild,
    channel: w.channel("study"),
    alice: w.user("alice"),
    bob: w.user("bob"),
    clock: w.clock,
    dbPath: w.dbPath,
    decksDir: w.decksDir,
    /** warn/error log lines the bot wrote (a clean run has none at error level). */
    errors: w.errors,
    get bot(): Bot {
      return w.bot;
    },
    /** Replace the bot with a fresh process-equivalent on the same database file. */
    restart: (): Promise<Bot> => w.restart(),
    /** A second bot on the same database, connected at the same time (two processes). */
    secondBot: (): Promise<Bot> => w.secondBot(),
    stop: (): Promise<void> => w.stop(),
  };
}

export type World = Awaited<ReturnType<typeof startWorld>>;
