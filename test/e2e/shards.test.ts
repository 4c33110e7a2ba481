/**
 * The bot sharded, end to end through real processes: `npm start` with SHARD_COUNT=4 (discord.js's ShardingManager
 * and four shard processes) against a loopback emulator of 160 servers on one shared database. The processes'
 * clocks are moved through TEST_CLOCK_FILE (a child's clock cannot be reached otherwise; each change also makes
 * every process tick, as the minute cron would), and each step waits until every shard logged its tick at that
 * time, so the post counts checked after it are final for that step.
 *
 * The database is a parameter (`SharedDatabase`): the suite runs on a SQLite file and on a PostgreSQL database of its
 * own (DATABASE_URL; on a server only: PGlite cannot be shared by processes).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, type TestContext } from "vitest";
import { loadCommands } from "../../src/discord/load-commands.ts";
import { registerCommands } from "../../src/discord/register.ts";
import { type ChannelHandle, DiscordEmulator, type UserHandle } from "../../src/emulator/index.ts";
import { openTestDb, skipWithoutPgServer, type TestDb } from "../helpers/engines.ts";
import { guildSnowflake } from "../helpers/snowflakes.ts";
import { type BotProcess, ClockFile, type SharedDatabase, startBot } from "./bot-processes.ts";

const SERVERS = 160;
const SHARDS = 4;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Every server posts at 09:00 local; the five zones put that at five UTC instants (no DST change until Mar 8). */
const ZONES = [
  { tz: "Asia/Tokyo", first: Date.parse("2026-03-02T00:00:00Z") },
  { tz: "Asia/Kolkata", first: Date.parse("2026-03-02T03:30:00Z") },
  { tz: "Europe/Berlin", first: Date.parse("2026-03-02T08:00:00Z") },
  { tz: "Europe/London", first: Date.parse("2026-03-02T09:00:00Z") },
  { tz: "America/New_York", first: Date.parse("2026-03-02T14:00:00Z") },
] as const;
const SETUP_AT = "2026-03-01T22:00:00Z";

interface Server {
  n: number;
  id: string;
  quiz: ChannelHandle;
  study: ChannelHandle;
  zone: (typeof ZONES)[number];
}

/** The emulator world: server n is on shard n % 4 and in zone n % 5, so every shard has servers of every zone. */
async function world() {
  const emu = await DiscordEmulator.start({ firstResponseDeadlineMs: 3000, answerTimeoutMs: 20_000 });
  const servers: Server[] = [];
  let admin: UserHandle | undefined;
  for (let n = 0; n < SERVERS; n++) {
    const g = emu.addGuild({ name: `Server ${n}`, id: guildSnowflake(n) });
    const quiz = emu.addChannel(g.id, { name: "quiz" });
    const study = emu.addChannel(g.id, { name: "study" });
    if (!admin) admin = emu.addUser({ name: "ada", guildId: g.id, admin: true });
    else emu.addMember(g.id, admin, { admin: true });
    servers.push({ n, id: g.id, quiz, study, zone: ZONES[n % ZONES.length] ?? ZONES[0] });
  }
  // Global commands, as `npm run deploy-commands` registers them once for every shard.
  await registerCommands({
    token: emu.token,
    applicationId: emu.applicationId,
    apiUrl: emu.apiUrl,
    commands: await loadCommands(),
  });
  const dir = mkdtempSync(join(tmpdir(), "study-shards-"));
  const clock = new ClockFile(join(dir, "clock"));
  clock.set(SETUP_AT);
  return { emu, servers, admin: admin as UserHandle, dir, clock };
}
type World = Awaited<ReturnType<typeof world>>;

/** The bot's quiz posts in a server (its #quiz channel only gets those). */
const postsIn = (w: World, s: Server) =>
  w.emu.messages(s.quiz.id).filter((m) => !m.deleted && !m.ephemeral && m.author.id === w.emu.botUser.id);

/** Posts a server must have at `now`: one per local date whose 09:00 has come (Mar 2 and Mar 3 here). */
const expectedPosts = (s: Server, now: number) => [0, DAY].filter((d) => s.zone.first + d <= now).length;

function expectPostsAt(w: World, now: number): void {
  const wrong = w.servers
    .map((s) => ({ server: s.n, zone: s.zone.tz, posts: postsIn(w, s).length, want: expectedPosts(s, now) }))
    .filter((x) => x.posts !== x.want);
  expect(wrong, `at ${new Date(now).toISOString()}`).toEqual([]);
}

/** `/quiz setup` in every server (8 at a time), each answered by whichever process holds that server. */
async function setUpQuizzes(w: World): Promise<void> {
  for (let k = 0; k < w.servers.length; k += 8)
    await Promise.all(
      w.servers.slice(k, k + 8).map(async (s) => {
        const r = await w.emu.runCommand({
          user: w.admin,
          channel: s.study,
          command: "quiz setup",
          options: { channel: s.quiz, time: "09:00", timezone: s.zone.tz },
        });
        expect(r.ephemeral).toBe(true);
      }),
    );
}

/** Moves every process's clock and waits until each group logged a finished tick there for all its shards. */
async function step(
  w: World,
  at: string | number,
  groups: [BotProcess, number[] | "all"][],
): Promise<number> {
  const now = w.clock.set(new Date(at));
  await w.emu.waitFor(
    () => groups.every(([p, shards]) => p.tickedAt(now, shards)),
    30_000,
    () => `not every shard ticked at ${new Date(now).toISOString()}`,
  );
  return now;
}

/** Waits for the group's "ready" lines of every shard; returns their pids. */
async function readyShards(w: World, p: BotProcess, shards: number[]): Promise<Map<number, number>> {
  await w.emu.waitFor(
    () => shards.every((s) => p.readyPids().has(s)) || p.child.exitCode !== null,
    60_000,
    () => `shards ${shards} not ready:\n${p.stderr().slice(-3000)}`,
  );
  expect(p.child.exitCode, p.stderr().slice(-3000)).toBeNull();
  return p.readyPids();
}

/** /study, a Good rating and /leaderboard in `s`, answered by a process holding the server's shard. */
async function studyIn(w: World, s: Server): Promise<void> {
  const user = w.admin;
  await w.emu.runCommand({ user, channel: s.study, command: "deck subscribe", options: { deck: "pytorch" } });
  const r = await w.emu.runCommand({ user, channel: s.study, command: "study" });
  const shown = await w.emu.click({ user, message: r.message ?? "", label: "Show answer" });
  await w.emu.click({ user, message: shown.message ?? "", label: "Good" });
  const board = await w.emu.runCommand({
    user,
    channel: s.study,
    command: "leaderboard",
    options: { period: "today", metric: "reviews" },
  });
  expect(board.message?.content, `server ${s.n}`).toMatch(new RegExp(`<@${user.id}> — 1 review\\b`));
  const shardsThatAnswered = [r, board].flatMap((x) =>
    x.interaction.sessionIds.map((id) => w.emu.sessions.find((ss) => ss.id === id)?.shard),
  );
  expect(shardsThatAnswered).toEqual([
    [s.n % SHARDS, SHARDS],
    [s.n % SHARDS, SHARDS],
  ]);
}

async function cleanUp(w: World, procs: BotProcess[]): Promise<void> {
  for (const p of procs) p.child.kill("SIGKILL");
  await Promise.all(procs.map((p) => p.exited));
  await w.emu.stop();
  rmSync(w.dir, { recursive: true, force: true });
}

function shardSuite(name: string, database: (dir: string) => Promise<SharedDatabase>, needsServer = false) {
  /** Several processes open the one database: a PostgreSQL run needs a server (PGlite lives in one process). */
  const needServer = (ctx: TestContext) => {
    if (needsServer) skipWithoutPgServer(ctx, "pg", "shard processes each open the database");
  };
  describe(`GIVEN ${SERVERS} servers on one ${name}`, () => {
    it("THEN SHARD_COUNT=4 runs four shard processes: every server posts once per local date at its 09:00, commands work on every shard, and a SIGKILLed shard is respawned with no post doubled or lost", async (ctx) => {
      needServer(ctx);
      const w = await world();
      const bot = startBot({
        emu: w.emu,
        db: await database(w.dir),
        clock: w.clock,
        cwd: w.dir,
        env: { SHARD_COUNT: "4" },
      });
      const all: [BotProcess, number[]][] = [[bot, [0, 1, 2, 3]]];
      try {
        const pids = await readyShards(w, bot, [0, 1, 2, 3]);
        expect(new Set(pids.values()).size).toBe(4); // one process per shard
        expect(
          w.emu.sessions
            .filter((s) => s.connected)
            .map((s) => s.shard)
            .sort(),
        ).toEqual([0, 1, 2, 3].map((id) => [id, SHARDS]));
        await setUpQuizzes(w);
        expectPostsAt(w, Date.parse(SETUP_AT));

        expectPostsAt(w, await step(w, "2026-03-02T00:00:00Z", all)); // Tokyo, at 09:00 sharp
        for (const shard of [0, 1, 2, 3]) await studyIn(w, w.servers[shard + 4 * 3] as Server);
        expectPostsAt(w, await step(w, "2026-03-02T03:29:00Z", all)); // Kolkata not a minute early
        expectPostsAt(w, await step(w, "2026-03-02T03:30:00Z", all));

        // Berlin's 09:00, and shard 2's process is killed as it ticks (before, during or after its sends).
        const killed = pids.get(2) ?? 0;
        const berlin = w.clock.set("2026-03-02T08:00:00Z");
        process.kill(killed, "SIGKILL");
        await w.emu.waitFor(
          () => (bot.readyPids().get(2) ?? killed) !== killed,
          60_000,
          () => `shard 2 not respawned:\n${bot.stderr().slice(-3000)}`,
        );
        expect(bot.lines()).toContainEqual(
          expect.objectContaining({ msg: "shard process died; respawning it", shard: 2, signal: "SIGKILL" }),
        );
        // A claim the kill interrupted is another process's until its 10-minute lease ends; then it is taken over.
        expectPostsAt(w, await step(w, berlin + 11 * 60_000, all));
        expectPostsAt(w, await step(w, "2026-03-02T09:00:00Z", all));
        expectPostsAt(w, await step(w, "2026-03-02T14:00:00Z", all));
        expectPostsAt(w, await step(w, "2026-03-03T00:00:00Z", all)); // Tokyo's next local date
        // Each shard process posted only for the servers Discord routes to it.
        const shardOfServer = new Map(w.servers.map((s) => [s.id, s.n % SHARDS]));
        const posts = bot.lines().filter((l) => l.msg === "quiz posted");
        expect(posts.length).toBeGreaterThanOrEqual(SERVERS);
        expect(posts.filter((l) => shardOfServer.get(String(l.guild)) !== l.shard)).toEqual([]);
        expect(w.emu.rejections).toEqual([]);
        expect(bot.lines().filter((l) => Number(l.level) >= 50)).toEqual([]);

        expect(await bot.stop()).toBe(0);
        await w.emu.waitFor(() => w.emu.connectedClients === 0, 10_000);
      } finally {
        await cleanUp(w, [bot]);
      }
    }, 120_000);

    it("THEN two machines (SHARD_IDS=0,1 and 2,3 of SHARD_COUNT=4), with a forgotten unsharded process beside them ticking every server too, post each server once per local date", async (ctx) => {
      needServer(ctx);
      const w = await world();
      const db = await database(w.dir);
      const start = (env: Record<string, string>) =>
        startBot({ emu: w.emu, db, clock: w.clock, cwd: w.dir, env });
      // Machine A first: its first shard migrates the fresh database (see README, Running at scale).
      const machineA = start({ SHARD_COUNT: "4", SHARD_IDS: "0,1" });
      const procs = [machineA];
      try {
        expect([...(await readyShards(w, machineA, [0, 1])).keys()].sort()).toEqual([0, 1]);
        const machineB = start({ SHARD_COUNT: "4", SHARD_IDS: "2,3" });
        const single = start({});
        procs.push(machineB, single);
        const groups: [BotProcess, number[] | "all"][] = [
          [machineA, [0, 1]],
          [machineB, [2, 3]],
          [single, "all"],
        ];
        expect([...(await readyShards(w, machineB, [2, 3])).keys()].sort()).toEqual([2, 3]);
        await readyShards(w, single, [0]);
        expect(
          w.emu.sessions
            .filter((s) => s.connected)
            .map((s) => s.shard)
            .sort(),
        ).toEqual([
          [0, 1],
          [0, 4],
          [1, 4],
          [2, 4],
          [3, 4],
        ]);
        await setUpQuizzes(w);
        expectPostsAt(w, await step(w, "2026-03-02T00:00:00Z", groups));
        expectPostsAt(w, await step(w, "2026-03-02T14:00:00Z", groups)); // every zone's 09:00 has come
        expectPostsAt(w, await step(w, "2026-03-03T00:00:00Z", groups));
        // Each machine ticked only its own shards' servers; the unsharded process all of them.
        const posted = (p: BotProcess) =>
          new Set(
            p
              .lines()
              .filter((l) => l.msg === "quiz posted")
              .map((l) => String(l.guild)),
          );
        const shardOfServer = new Map(w.servers.map((s) => [s.id, s.n % SHARDS]));
        expect([...posted(machineA)].every((g) => [0, 1].includes(shardOfServer.get(g) ?? -1))).toBe(true);
        expect([...posted(machineB)].every((g) => [2, 3].includes(shardOfServer.get(g) ?? -1))).toBe(true);
        expect(w.emu.rejections).toEqual([]);
        expect(await Promise.all([machineA.stop(), machineB.stop(), single.stop()])).toEqual([0, 0, 0]);
      } finally {
        await cleanUp(w, procs);
      }
    }, 120_000);
  });
}

shardSuite("SQLite file", async (dir) => ({
  name: "SQLite file",
  env: { DATABASE_PATH: join(dir, "study.db") },
}));

/** PostgreSQL databases made for the suite's tests, dropped after them (the processes are stopped by then). */
const pgDatabases: TestDb[] = [];
afterAll(async () => {
  for (const t of pgDatabases) await t.close();
});
shardSuite(
  "PostgreSQL database",
  async () => {
    const t = await openTestDb("pg");
    pgDatabases.push(t);
    if (t.target === null) throw new Error("a PostgreSQL run of the shards needs a server");
    return { name: "PostgreSQL database", env: { DATABASE_URL: t.target } };
  },
  true,
);
