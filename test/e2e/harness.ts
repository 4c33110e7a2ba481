import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "vitest";
import type { Bot } from "../../src/bot.ts";
import { openSqlite } from "../../src/db/sqlite/open.ts";
import { manualTicker } from "../../src/jobs/quiz-job.ts";
import { createWorld, REPO_DECKS, type WorldDeck } from "../../src/sandbox/world.ts";
import { ENGINES, openTestDb, type TestEngine } from "../helpers/engines.ts";

export { REPO_DECKS };

/**
 * The engines an e2e suite runs on (`describe.each(E2E_ENGINES)`): both, or the one `E2E_ENGINE` names
 * (`E2E_ENGINE=sqlite npx vitest run test/e2e` for a quick pass while working on a command).
 */
export const E2E_ENGINES: readonly TestEngine[] = enginesFromEnv(process.env.E2E_ENGINE);

function enginesFromEnv(value: string | undefined): readonly TestEngine[] {
  if (value === undefined || value === "") return ENGINES;
  const one = ENGINES.find((e) => e === value);
  if (!one) throw new Error(`E2E_ENGINE must be one of ${ENGINES.join(", ")}, not ${JSON.stringify(value)}`);
  return [one];
}

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
  /** The bot's database: a copy of a migrated SQLite file (default), or a PostgreSQL database of its own. */
  engine?: TestEngine;
  /** The server's Discord language (`guild_locale`, `preferred_locale`); default en-US. */
  guildLocale?: string;
  /** Discord's per-channel message write limit, enforced by the emulator (src/emulator/rate-limits.ts). */
  messageRateLimit?: { limit: number; windowMs: number };
}

/**
 * One server ("Study Group", #study), alice (admin) and bob, the loopback emulator, and the real bot (real
 * discord.js Client, real database with migrations: an SQLite file, or on `engine: "pg"` a database of its own on
 * the run's PostgreSQL server, which the bot opens by URL like any process; on PGlite, which no second process
 * can open, the bots share the one open handle) connected to it with its commands registered.
 * A thin wrapper over the sandbox's world (src/sandbox/world.ts).
 */
export async function startWorld({ engine = "sqlite", ...o }: WorldOptions = {}) {
  const database = await worldDatabase(engine);
  let w: Awaited<ReturnType<typeof createWorld>>;
  try {
    // Quiz ticks run only when a test calls bot.tick(): no wall-clock cron firing in the middle of a test.
    w = await createWorld({
      quizTicker: manualTicker,
      ...o,
      ...database.open,
      channels: ["study"],
      users: [{ name: "alice", admin: true }, { name: "bob" }],
    });
  } catch (err) {
    await database.remove();
    throw err;
  }
  return {
    engine,
    emu: w.emu,
    guild: w.guild,
    channel: w.channel("study"),
    alice: w.user("alice"),
    bob: w.user("bob"),
    clock: w.clock,
    /** What another process opens to reach the bot's database (a file or a URL); null on PGlite. */
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
      await database.remove();
    },
  };
}

/** How the world's bots reach their database, and how it is removed once they have stopped. */
async function worldDatabase(engine: TestEngine) {
  if (engine === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "e2e-db-"));
    const databasePath = join(dir, "study.db");
    copyFileSync(migratedTemplate(), databasePath);
    return { open: { databasePath }, remove: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const t = await openTestDb(engine);
  if (t.target === null) return { open: { db: t.db }, remove: () => t.close() };
  // The bots open their own pools on the URL; the test database's handle is not needed meanwhile.
  return { open: { databasePath: t.target }, remove: () => t.close() };
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
  openSqlite(path).sqlite.close(); // closing the last connection checkpoints the WAL into the file
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
