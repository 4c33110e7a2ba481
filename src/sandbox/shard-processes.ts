/**
 * The sandbox's bot as N shard processes (`--shards N`): `npm start`'s entry point with SHARD_COUNT=N, so
 * discord.js's ShardingManager forks one process per shard, against the sandbox's emulator and database. Their
 * clock is the sandbox's, through a TEST_CLOCK_FILE (src/jobs/file-clock.ts): `setTime` moves it, `tick` makes
 * every shard tick and resolves with their reports merged, read from their "quiz tick done" log lines.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { join, resolve } from "node:path";
import { engineOf } from "../db/client.ts";
import type { DiscordEmulator } from "../emulator/index.ts";
import { writeClockFile } from "../jobs/file-clock.ts";
import type { TickReport } from "../services/quiz/tick.ts";
import { TSX_LOADER_FLAGS } from "../shards/build.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const LEVELS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };
const WAIT_MS = 60_000;

interface Line {
  level: number;
  msg?: string;
  shard?: number;
  at?: string;
  report?: TickReport;
  [key: string]: unknown;
}

export interface ShardedBotOptions {
  emu: DiscordEmulator;
  shards: number;
  databasePath: string;
  decksDir: string;
  clockFile: string;
  /** The clock's time now (written to the clock file before the processes start). */
  now: number;
  /** Lines at or above this level go to `onLog` (the shards log at debug, for their tick lines). */
  logLevel: string;
  /** Every line logged at `logLevel` or above, with its newline. */
  onLog: (line: string) => void;
}

export class ShardedBot {
  private readonly lines: Line[] = [];
  private readonly waiters = new Set<() => void>();
  private tickId = 0;
  private stderr = "";
  private constructor(
    private readonly o: ShardedBotOptions,
    private readonly child: ChildProcess,
  ) {}

  /** Starts the manager and waits until every shard is ready and has run its catch-up tick. */
  static async start(o: ShardedBotOptions): Promise<ShardedBot> {
    writeClockFile(o.clockFile, o.now, 0);
    const child = spawn(process.execPath, [...TSX_LOADER_FLAGS, join(ROOT, "src/index.ts")], {
      env: {
        PATH: process.env.PATH ?? "",
        DISCORD_TOKEN: o.emu.token,
        DISCORD_API_URL: o.emu.apiUrl,
        // A postgres:// URL is DATABASE_URL, anything else the SQLite file (as src/config.ts reads them).
        ...(engineOf(o.databasePath) === "pg"
          ? { DATABASE_URL: o.databasePath }
          : { DATABASE_PATH: o.databasePath }),
        DECKS_DIR: o.decksDir,
        FSRS_FUZZ: "false",
        LOG_LEVEL: "debug",
        SHARD_COUNT: String(o.shards),
        SHARD_SPAWN_DELAY_MS: "0",
        TEST_CLOCK_FILE: o.clockFile,
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    const bot = new ShardedBot(o, child);
    bot.listen();
    await bot.waitFor(() => bot.allShards((s) => bot.ticksOf(s).length > 0), "every shard to start");
    return bot;
  }

  private listen(): void {
    const min = LEVELS[this.o.logLevel] ?? 30;
    let partial = "";
    this.child.stderr?.on("data", (b: Buffer) => {
      const text = b.toString();
      this.stderr = (this.stderr + text).slice(-4000);
      const parts = (partial + text).split("\n");
      partial = parts.pop() ?? "";
      for (const raw of parts) {
        if (raw.trim() === "") continue;
        let line: Line;
        try {
          line = JSON.parse(raw) as Line;
        } catch {
          // A one-line problem the manager or a shard printed (not pino): an error for the run.
          line = { level: 50, msg: raw };
          this.o.onLog(`${JSON.stringify(line)}\n`);
        }
        this.lines.push(line);
        if (line.level >= min && line.msg !== "quiz tick done") this.o.onLog(`${raw}\n`);
      }
      for (const w of this.waiters) w();
    });
    this.child.on("exit", () => {
      for (const w of this.waiters) w();
    });
  }

  private allShards(ok: (shard: number) => boolean): boolean {
    return Array.from({ length: this.o.shards }, (_, s) => s).every(ok);
  }

  private ticksOf(shard: number): Line[] {
    return this.lines.filter((l) => l.msg === "quiz tick done" && l.shard === shard);
  }

  private waitFor(done: () => boolean, what: string): Promise<void> {
    return new Promise((res, rej) => {
      const check = () => {
        if (done()) finish();
        else if (this.child.exitCode !== null || this.child.signalCode !== null)
          finish(new Error(`the shard processes exited while waiting for ${what}:\n${this.stderr}`));
      };
      const finish = (err?: Error) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        if (err) rej(err);
        else res();
      };
      const timer = setTimeout(
        () => finish(new Error(`no ${what} within ${WAIT_MS} ms:\n${this.stderr}`)),
        WAIT_MS,
      );
      this.waiters.add(check);
      check();
    });
  }

  /** Moves every shard's clock (no tick). */
  setTime(ms: number): void {
    writeClockFile(this.o.clockFile, ms, this.tickId);
  }

  /** Every shard ticks at `ms`; their reports, merged. */
  async tick(ms: number): Promise<TickReport> {
    const before = Array.from({ length: this.o.shards }, (_, s) => this.ticksOf(s).length);
    this.tickId += 1;
    writeClockFile(this.o.clockFile, ms, this.tickId);
    const at = new Date(ms).toISOString();
    const fresh = (s: number) =>
      this.ticksOf(s)
        .slice(before[s])
        .find((l) => l.at === at);
    await this.waitFor(() => this.allShards((s) => fresh(s) !== undefined), `tick of every shard at ${at}`);
    const merged: TickReport = { posted: [], failed: [], skipped: [] };
    for (let s = 0; s < this.o.shards; s++) {
      const r = fresh(s)?.report;
      merged.posted.push(...(r?.posted ?? []));
      merged.failed.push(...(r?.failed ?? []));
      merged.skipped.push(...(r?.skipped ?? []));
    }
    return merged;
  }

  /** SIGTERM to the manager (which stops every shard), then waits for it to exit. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((res) => this.child.once("exit", res));
    this.child.kill("SIGTERM");
    await exited;
  }
}
