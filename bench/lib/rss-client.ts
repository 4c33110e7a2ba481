/**
 * Child process for the memory benchmark: one shard's bot, as a shard process runs it (createBot: every module, the
 * repo's decks synced into a new SQLite file, the bot's cache settings), started against the emulator: it takes
 * every GUILD_CREATE (each server recorded) and reports its memory once ready and after a GC. Forked with the shard
 * processes' Node flags (SHARD_NODE_FLAGS) plus `--expose-gc`; the result goes back over IPC.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createBot } from "../../src/bot.ts";
import { systemClock } from "../../src/core/clock.ts";
import { createLogger } from "../../src/logger.ts";

const gc = () => (globalThis as { gc?: () => void }).gc?.();
const mb = (n: number) => Math.round((n / 2 ** 20) * 10) / 10;
const DECKS = resolve(import.meta.dirname, "../../decks");

process.once("message", async (job: { apiUrl: string; token: string }) => {
  gc();
  const base = process.memoryUsage();
  const dir = mkdtempSync(join(tmpdir(), "bench-memory-"));
  const bot = await createBot({
    token: job.token,
    databasePath: join(dir, "bot.db"),
    decksDir: DECKS,
    apiUrl: job.apiUrl,
    fuzz: false,
    clock: systemClock,
    quizTicker: { start() {}, stop() {}, timers: null }, // no daily quiz during the measurement
    log: createLogger("warn"),
  });
  const t0 = performance.now();
  await bot.start();
  const readyMs = performance.now() - t0;
  const peak = process.memoryUsage().rss;
  await new Promise((r) => setTimeout(r, 500));
  gc();
  gc();
  const after = process.memoryUsage();
  let members = 0;
  let channels = 0;
  let roles = 0;
  const { client } = bot;
  for (const g of client.guilds.cache.values()) {
    members += g.members.cache.size;
    channels += g.channels.cache.size;
    roles += g.roles.cache.size;
  }
  process.send?.(
    {
      baseRss: mb(base.rss),
      rss: mb(after.rss),
      peakRss: mb(peak),
      heapUsed: mb(after.heapUsed),
      external: mb(after.external),
      readyMs: Math.round(readyMs),
      guilds: client.guilds.cache.size,
      members,
      users: client.users.cache.size,
      channels,
      roles,
    },
    () => {
      void bot.stop().finally(() => {
        rmSync(dir, { recursive: true, force: true });
        process.exit(0);
      });
    },
  );
});
