/**
 * Child process for the memory benchmark: a discord.js client built by the bot's own `createClient` (its cache
 * settings) logs in to the emulator, takes every GUILD_CREATE, and reports its memory once ready and after a GC.
 * Run with `--import tsx --expose-gc`; the result goes back over IPC.
 */
import { Events } from "discord.js";
import { createClient } from "../../src/bot.ts";

const gc = () => (globalThis as { gc?: () => void }).gc?.();
const mb = (n: number) => Math.round((n / 2 ** 20) * 10) / 10;

process.once("message", async (job: { apiUrl: string; token: string }) => {
  gc();
  const base = process.memoryUsage();
  const client = createClient(job.apiUrl);
  const t0 = performance.now();
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  await client.login(job.token);
  await ready;
  const readyMs = performance.now() - t0;
  const peak = process.memoryUsage().rss;
  await new Promise((r) => setTimeout(r, 500));
  gc();
  gc();
  const after = process.memoryUsage();
  let members = 0;
  let channels = 0;
  let roles = 0;
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
      void client.destroy().finally(() => process.exit(0));
    },
  );
});
