import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "vitest";
import type { Bot } from "../../src/bot.ts";
import { openDb } from "../../src/db/client.ts";
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
  /** The server's time zone (guilds.timezone), as /quiz setup would have stored it. */
  timezone?: string;
}

/**
 * One server ("Study Group", #study), alice (admin) and bob, the loopback emulator, and the real bot (real
 * discord.js Client, real SQLite file with migrations) connected to it with its commands registered.
 * A thin wrapper over the sandbox's world (src/sandbox/world.ts).
 */
export async function startWorld(o: WorldOptions = {}) {
  const dir = mkdtempSync(join(tmpdir(), "e2e-db-"));
  const databasePath = join(dir, "study.db");
  copyFileSync(migratedTemplate(), databasePath);
  let w: Awaited<ReturnType<typeof createWorld>>;
  try {
    // Quiz ticks run only when a test calls bot.tick(): no wall-clock cron firing in the middle of a test.
    w = await createWorld({
      quizTicker: manualTicker,
      ...o,
      databasePath,
      channels: ["study"],
      users: [{ name: "alice", admin: true }, { name: "bob" }],
    });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
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
    restart: async (): Promise<Bot> => {
      await w.restart();
      return w.bot;
    },
    /** A second bot on the same database, connected at the same time (two processes). */
    secondBot: (): Promise<Bot> => w.secondBot(),
    async stop(): Promise<void> {
      await w.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let template: string | undefined;

/**
 * An empty database with every migration applied, made once per test process: a world starts on a copy of it,
 * which is what a fresh file is after the bot's first start, without running each migration's DDL again for
 * every test (the bot's start-up still runs `migrate`, which then finds nothing to do).
 */
function migratedTemplate(): string {
  if (template) return template;
  const dir = mkdtempSync(join(tmpdir(), "e2e-template-"));
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, "migrated.db");
  openDb(path).$client.close(); // closing the last connection checkpoints the WAL into the file
  template = path;
  return path;
}

export type World = Awaited<ReturnType<typeof startWorld>>;

/**
 * A story told in steps, for a `describe.sequential` whose subject IS a sequence (a multi-day story):
 * `const { it } = story()` in the describe, and each `it` is a step, the steps sharing the describe's world (made
 * in its `beforeAll`) in order. A step's test first replays the steps before it that this run skipped (so
 * `vitest -t '<any one step>'` passes alone, as every e2e test must), then runs its own body. A step that fails
 * counts as done: the next one does not replay it. (Named `it` so the steps read, and format, as tests.)
 */
export function story() {
  const bodies: (() => Promise<void> | void)[] = [];
  let done = 0;
  return {
    it(name: string, body: () => Promise<void> | void, timeout?: number) {
      const k = bodies.push(body) - 1;
      it(
        name,
        async () => {
          while (done < k) await bodies[done++]?.();
          done = k + 1;
          await body();
        },
        timeout,
      );
    },
  };
}
