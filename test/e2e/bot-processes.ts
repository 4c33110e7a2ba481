/**
 * Real bot processes for the sharding end-to-end tests: `npm start`'s entry point (src/index.ts), with or without
 * SHARD_COUNT, against the test's loopback emulator, on a shared database and a shared TEST_CLOCK_FILE. What a
 * process (and, under a manager, each shard process: they share its stderr) logs is read back as pino lines.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join, resolve } from "node:path";
import type { DiscordEmulator } from "../../src/emulator/index.ts";
import { writeClockFile } from "../../src/jobs/file-clock.ts";
import { TSX_LOADER_FLAGS } from "../../src/shards/build.ts";

const ROOT = resolve(import.meta.dirname, "../..");

/** The database every process of a test shares: its environment for the bot (DATABASE_PATH, later DATABASE_URL). */
export interface SharedDatabase {
  name: string;
  env: Record<string, string>;
}

/** A clock file all processes read: the test moves their time and so makes each of them tick. */
export class ClockFile {
  constructor(readonly path: string) {}
  /** Moves every process's clock to `at` and makes each of them tick there. */
  set(at: string | Date): number {
    const ms = new Date(at).getTime();
    writeClockFile(this.path, ms);
    return ms;
  }
}

export interface LogLine {
  msg?: string;
  [k: string]: unknown;
}

export interface BotProcess {
  child: ChildProcess;
  exited: Promise<number | null>;
  lines(): LogLine[];
  stderr(): string;
  /** The pid that last logged "ready" for each shard id. */
  readyPids(): Map<number, number>;
  /** Whether every one of `shards` (or, for an unsharded process, "all") logged a finished tick at `at`. */
  tickedAt(at: number, shards: number[] | "all"): boolean;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

export function startBot(o: {
  emu: DiscordEmulator;
  db: SharedDatabase;
  clock: ClockFile;
  cwd: string;
  env?: Record<string, string>;
  /** Node's arguments (default: the TypeScript entry point through tsx's loader). */
  args?: string[];
}): BotProcess {
  const args = o.args ?? [...TSX_LOADER_FLAGS, join(ROOT, "src/index.ts")];
  const child = spawn(process.execPath, args, {
    cwd: o.cwd,
    env: {
      PATH: process.env.PATH ?? "",
      DISCORD_TOKEN: o.emu.token,
      DISCORD_API_URL: o.emu.apiUrl,
      DECKS_DIR: join(ROOT, "decks"),
      FSRS_FUZZ: "false",
      LOG_LEVEL: "debug", // "quiz tick done" is a debug line
      SHARD_SPAWN_DELAY_MS: "0", // the emulator has no identify rate limit
      TEST_CLOCK_FILE: o.clock.path,
      ...o.db.env,
      ...o.env,
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  const parsed: LogLine[] = [];
  let partial = "";
  child.stderr?.on("data", (b: Buffer) => {
    const text = b.toString();
    stderr += text;
    const parts = (partial + text).split("\n");
    partial = parts.pop() ?? "";
    for (const l of parts) {
      if (!l.startsWith("{")) continue;
      try {
        parsed.push(JSON.parse(l) as LogLine);
      } catch {
        // not a whole pino line
      }
    }
  });
  const exited = new Promise<number | null>((res) => child.on("exit", (code) => res(code)));
  const iso = (at: number) => new Date(at).toISOString();
  return {
    child,
    exited,
    lines: () => parsed,
    stderr: () => stderr,
    readyPids() {
      const out = new Map<number, number>();
      for (const l of parsed)
        if (l.msg === "ready" && Array.isArray(l.shards))
          for (const s of l.shards as number[]) out.set(s, Number(l.pid));
      return out;
    },
    tickedAt(at, shards) {
      const done = parsed.filter((l) => l.msg === "quiz tick done" && l.at === iso(at));
      if (shards === "all") return done.some((l) => l.shards === "all");
      return shards.every((s) => done.some((l) => Array.isArray(l.shards) && l.shards.includes(s)));
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
}
