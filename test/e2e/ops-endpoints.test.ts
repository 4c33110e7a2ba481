/**
 * METRICS_PORT end to end: `npm start`'s entry point as a real process against the emulator, its /metrics scraped
 * after a /study session and a daily-quiz tick, its /healthz through a gateway outage. Each engine's process is
 * shared by the suite's tests (none changes what another checks: counts are read as differences).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCommands } from "../../src/discord/load-commands.ts";
import { registerCommands } from "../../src/discord/register.ts";
import { type ChannelHandle, DiscordEmulator, type UserHandle } from "../../src/emulator/index.ts";
import type { HealthReport } from "../../src/ops/health.ts";
import { TSX_LOADER_FLAGS } from "../../src/shards/build.ts";
import { hasPgServer, openTestDb, type TestDb } from "../helpers/engines.ts";
import { type BotProcess, ClockFile, startBot } from "./bot-processes.ts";
import { E2E_ENGINES } from "./harness.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const SETUP_AT = "2026-03-01T22:00:00Z";
const POST_AT = "2026-03-02T09:00:00Z";

interface Running {
  emu: DiscordEmulator;
  bot: BotProcess;
  clock: ClockFile;
  base: string;
  study: ChannelHandle;
  quiz: ChannelHandle;
  alice: UserHandle;
  bob: UserHandle;
  dir: string;
  pg?: TestDb;
}

async function start(engine: string): Promise<Running> {
  const emu = await DiscordEmulator.start({ answerTimeoutMs: 10_000 });
  const g = emu.addGuild({ name: "Ops" });
  const study = emu.addChannel(g.id, { name: "study" });
  const quiz = emu.addChannel(g.id, { name: "quiz" });
  const alice = emu.addUser({ name: "alice", guildId: g.id, admin: true });
  const bob = emu.addUser({ name: "bob", guildId: g.id });
  await registerCommands({
    token: emu.token,
    applicationId: emu.applicationId,
    apiUrl: emu.apiUrl,
    commands: await loadCommands(),
  });
  const dir = mkdtempSync(join(tmpdir(), "study-ops-"));
  const clock = new ClockFile(join(dir, "clock"));
  clock.set(SETUP_AT);
  let pg: TestDb | undefined;
  let env: Record<string, string> = { DATABASE_PATH: join(dir, "study.db") };
  if (engine === "pg") {
    pg = await openTestDb("pg");
    env = { DATABASE_URL: pg.target ?? "" };
  }
  const bot = startBot({ emu, db: { name: engine, env }, clock, cwd: dir, env: { METRICS_PORT: "0" } });
  const listening = await emu.waitFor(
    () =>
      bot.lines().find((l) => l.msg === "metrics listening") ?? (bot.child.exitCode !== null || undefined),
    20_000,
    () => bot.stderr().slice(-3000),
  );
  expect(listening, bot.stderr()).not.toBe(true);
  const base = `http://127.0.0.1:${(listening as { port: number }).port}`;
  await emu.waitFor(() => bot.lines().some((l) => l.msg === "ready") || undefined, 20_000, bot.stderr);
  return { emu, bot, clock, base, study, quiz, alice, bob, dir, pg };
}

/** Polls `probe` (an HTTP request each time) every 50 ms until it gives a value. */
async function until<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(what);
    await new Promise((res) => setTimeout(res, 50));
  }
}

const health = async (r: Running) => {
  const res = await fetch(`${r.base}/healthz`);
  return { status: res.status, body: (await res.json()) as HealthReport };
};
const scrape = async (r: Running) => (await fetch(`${r.base}/metrics`)).text();
/** One series' value in a scrape (0 when absent). */
const value = (text: string, series: string) => {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
};
const interactions = (text: string, command: string, kind: string, outcome: string) =>
  value(text, `study_interactions_total{command="${command}",kind="${kind}",outcome="${outcome}"}`);

describe.each(E2E_ENGINES)("%s", (engine) => {
  let r: Running | undefined;
  beforeAll(async () => {
    if (engine === "pg" && !hasPgServer()) return; // PGlite lives in one process: the bot cannot open it
    r = await start(engine);
  }, 40_000);
  afterAll(async () => {
    if (!r) return;
    r.bot.child.kill("SIGKILL");
    await r.bot.exited;
    await r.emu.stop();
    await r.pg?.close();
    rmSync(r.dir, { recursive: true, force: true });
  });
  const running = (ctx: { skip: (why: string) => never }): Running =>
    r ?? ctx.skip("needs a PostgreSQL server: the bot process opens the database by URL");

  describe("GIVEN the bot started with METRICS_PORT", () => {
    it("THEN /metrics counts a /study session's interactions by command and outcome, with latencies", async (ctx) => {
      const w = running(ctx);
      const before = await scrape(w);
      const { emu, alice, bob, study } = w;
      await emu.runCommand({
        user: alice,
        channel: study,
        command: "deck subscribe",
        options: { deck: "pytorch" },
      });
      const opened = await emu.runCommand({ user: alice, channel: study, command: "study" });
      const shown = await emu.click({ user: alice, message: opened.message ?? "", label: "Show answer" });
      const rated = await emu.click({ user: alice, message: shown.message ?? "", label: "Good" });
      // bob presses Stop on alice's review (a crafted client): refused politely, a user error.
      const forged = await emu.click({
        user: bob,
        message: rated.message ?? "",
        label: "Stop",
        forged: true,
      });
      expect(forged.message?.content).toContain("someone else's review");
      // A button no handler serves (a message from an older version): stale.
      await emu.click({ user: alice, message: rated.message ?? "", label: "Stop", craftedId: "gone:1" });

      const after = await scrape(w);
      const delta = (command: string, kind: string, outcome: string) =>
        interactions(after, command, kind, outcome) - interactions(before, command, kind, outcome);
      expect(delta("deck", "command", "ok")).toBe(1);
      expect(delta("study", "command", "ok")).toBe(1);
      expect(delta("study", "button", "ok")).toBe(2); // Show answer, Good
      expect(delta("study", "button", "user_error")).toBe(1);
      expect(delta("unknown", "button", "stale")).toBe(1);
      expect(interactions(after, "study", "command", "bug")).toBe(0);
      const count = (t: string) =>
        value(t, 'study_interaction_duration_seconds_count{command="study",kind="button"}');
      expect(count(after) - count(before)).toBe(3);
      expect(after).toMatch(/^nodejs_eventloop_lag_p99_seconds \d/m);
      expect(
        value(after, `study_database_size_bytes{engine="${engine === "pg" ? "postgresql" : "sqlite"}"}`),
      ).toBeGreaterThan(0);
    });

    it("THEN /metrics counts a daily-quiz tick's post", async (ctx) => {
      const w = running(ctx);
      const setup = await w.emu.runCommand({
        user: w.alice,
        channel: w.study,
        command: "quiz setup",
        options: { channel: w.quiz, time: "09:00", timezone: "UTC" },
      });
      expect(setup.ephemeral).toBe(true);
      const before = await scrape(w);
      const at = w.clock.set(POST_AT);
      await w.emu.waitFor(() => w.bot.tickedAt(at, "all") || undefined, 20_000, w.bot.stderr);
      const after = await scrape(w);
      const delta = (series: string) => value(after, series) - value(before, series);
      expect(delta('study_quiz_ticks_total{result="ok"}')).toBe(1);
      expect(delta('study_quiz_posts_total{result="posted"}')).toBe(1);
      expect(delta('study_quiz_posts_total{result="failed"}')).toBe(0);
      expect(value(after, "study_quiz_last_tick_timestamp_seconds")).toBeGreaterThan(Date.now() / 1000 - 60);
      expect(w.emu.messages(w.quiz.id).filter((m) => m.author.id === w.emu.botUser.id)).toHaveLength(1);
    });

    it("THEN /healthz is 200 while connected, 503 while the gateway is down, and 200 again once it resumed", async (ctx) => {
      const w = running(ctx);
      const up = await health(w);
      expect(up.status, JSON.stringify(up.body)).toBe(200);
      expect(up.body).toMatchObject({ healthy: true, gateway: { ok: true }, database: { ok: true } });
      expect(up.body.quizTick.expected).toBe(false); // TEST_CLOCK_FILE: ticks by hand, not judged

      w.emu.dropGateway();
      try {
        const down = await until(
          async () => {
            const h = await health(w);
            return h.status === 503 ? h : undefined;
          },
          10_000,
          "still healthy after the gateway dropped",
        );
        expect(down.body.healthy).toBe(false);
        expect(down.body.gateway.ok).toBe(false);
        expect(down.body.gateway.shards[0]?.status).not.toBe("Ready");
        expect(down.body.database.ok).toBe(true);
        expect(value(await scrape(w), 'study_gateway_ready{shard="0"}')).toBe(0);
      } finally {
        w.emu.restoreGateway();
      }
      const back = await until(
        async () => {
          const h = await health(w);
          return h.status === 200 ? h : undefined;
        },
        15_000,
        "not healthy again after the gateway resumed",
      );
      expect(back.body.gateway.shards).toEqual([expect.objectContaining({ id: 0, status: "Ready" })]);
      expect(w.bot.lines().filter((l) => Number(l.level) >= 50)).toEqual([]);
    });

    it("THEN SIGTERM closes the metrics server with the bot and exits 0", async (ctx) => {
      const w = running(ctx);
      // A scraper's connection left open does not hold the shutdown.
      const res = await fetch(`${w.base}/metrics`, { headers: { connection: "keep-alive" } });
      await res.text();
      expect(await w.bot.stop()).toBe(0);
      expect(w.bot.lines().map((l) => l.msg)).toContain("shutting down");
      await expect(fetch(`${w.base}/healthz`)).rejects.toThrow();
    });
  });
});

describe("GIVEN METRICS_PORT already taken on METRICS_HOST", () => {
  it("THEN start exits 1 with one line naming the setting, before connecting", async () => {
    const taken = createServer();
    await new Promise<void>((res) => taken.listen(0, "127.0.0.1", res));
    const port = (taken.address() as AddressInfo).port;
    const dir = mkdtempSync(join(tmpdir(), "study-ops-port-"));
    try {
      const r = spawnSync(process.execPath, [...TSX_LOADER_FLAGS, join(ROOT, "src/index.ts")], {
        cwd: dir,
        env: {
          PATH: process.env.PATH ?? "",
          DISCORD_TOKEN: "t",
          DISCORD_API_URL: "http://127.0.0.1:9/api", // never reached
          DATABASE_PATH: join(dir, "study.db"),
          DECKS_DIR: join(ROOT, "decks"),
          METRICS_PORT: String(port),
        },
        encoding: "utf8",
        timeout: 15_000,
      });
      expect(r.status).toBe(1);
      expect(r.stderr.trim().split("\n")).toEqual([
        `METRICS_PORT: cannot listen on 127.0.0.1:${port} (EADDRINUSE): choose another port or host (METRICS_HOST), or leave METRICS_PORT empty for no metrics server`,
      ]);
    } finally {
      taken.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
