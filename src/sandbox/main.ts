/**
 * `npm run sandbox` — the bot in a local Discord emulator, with a terminal client.
 * `npm run sandbox -- --script FILE` — runs a scenario and prints its transcript (JSON lines) to stdout.
 */
import { appendFileSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { DatabaseOpenError } from "../db/sqlite/open-errors.ts";
import { runScenarioFile } from "./runner.ts";
import { FileSaver } from "./saved-files.ts";
import { runTerminal } from "./terminal.ts";
import { createWorld, DEFAULT_USERS, REPO_DECKS } from "./world.ts";

const USAGE = `Usage:
  npm run sandbox                          interactive: the bot in a local Discord, in your terminal
  npm run sandbox -- --script FILE         run a scenario, print its transcript (JSON lines) to stdout
Options:
  --db PATH      interactive database (default ./data/sandbox.db); --script always uses a fresh temp file
                 DATABASE_URL=postgres://… in the environment: that PostgreSQL database instead (with
                 --script give it an empty one: a scenario starts from nothing)
  --decks DIR    deck folder (default ./decks)
  --log FILE     interactive log file (default ./data/sandbox.log); --script logs to stderr
  --files DIR    where the files the bot sends are saved (default ./data/sandbox-files;
                 with --script ./data/sandbox-files/<scenario name>)
  --log-level L  pino level (default info)
  --shards N     the bot as N shard processes under discord.js's ShardingManager (SHARD_COUNT=N), not in
                 this process; its clock then moves only with :advance / advance steps, and ticks only with
                 :tick / tick steps`;

async function main(): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse();
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const v = args.values;
  if (v.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const decksDir = v.decks ? resolve(v.decks) : REPO_DECKS;
  const shards = v.shards === undefined ? undefined : Number(v.shards);
  if (shards !== undefined && !(Number.isInteger(shards) && shards >= 1 && shards <= 64)) {
    process.stderr.write(`--shards: "${v.shards}" is not a number of shards from 1 to 64\n${USAGE}\n`);
    return 2;
  }
  const logLevel = v["log-level"] ?? process.env.LOG_LEVEL ?? "info";

  if (v.script) {
    const result = await runScenarioFile(v.script, {
      out: process.stdout,
      onLog: (line) => process.stderr.write(line),
      logLevel,
      decksDir,
      shards,
      ...(process.env.DATABASE_URL ? { databasePath: process.env.DATABASE_URL } : {}),
      ...(v.files ? { filesDir: resolve(v.files) } : {}),
    });
    for (const f of result.failures) process.stderr.write(`sandbox: ${f}\n`);
    return result.exitCode;
  }

  const dbPath = process.env.DATABASE_URL || resolve(v.db ?? "data/sandbox.db");
  const logFile = resolve(v.log ?? "data/sandbox.log");
  const files = new FileSaver(resolve(v.files ?? "data/sandbox-files"));
  mkdirSync(dirname(logFile), { recursive: true });
  const world = await createWorld({
    databasePath: dbPath,
    decksDir,
    followRealTime: shards === undefined,
    shards,
    logLevel,
    onLog: (line) => appendFileSync(logFile, line),
  });
  try {
    const users = DEFAULT_USERS.map((u) => (u.admin ? `${u.name} (admin)` : u.name)).join(", ");
    await runTerminal({
      world,
      input: process.stdin,
      output: process.stdout,
      files,
      banner: [
        "Study bot sandbox: the real bot, connected to a local Discord emulator. Nothing leaves this machine.",
        `Server "${world.guild.name}", channel #study, users ${users}.`,
        `Database ${dbPath} · logs ${logFile} · files the bot sends go to ${files.dir}`,
        ...(shards === undefined
          ? []
          : [
              `The bot runs as ${shards} shard processes; its clock moves only with :advance, the quiz ticks only with :tick.`,
            ]),
        `Bot clock ${world.clock.now().toISOString()}. Attach a file with its path: /deck import file:decks/pytorch.deck`,
        "Try /help, /deck list, /deck subscribe deck:pytorch, /study. A number clicks a button; :help for more.",
        "",
      ],
    });
  } finally {
    await world.stop();
  }
  return 0;
}

function parse() {
  return parseArgs({
    options: {
      script: { type: "string" },
      db: { type: "string" },
      decks: { type: "string" },
      log: { type: "string" },
      files: { type: "string" },
      "log-level": { type: "string" },
      shards: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    allowPositionals: false,
  });
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    // A database the sandbox cannot use gets the bot's one-line explanation, naming the option it came from.
    const line =
      err instanceof DatabaseOpenError ? err.lineFor("--db") : ((err as Error).stack ?? String(err));
    process.stderr.write(`sandbox: ${line}\n`);
    process.exit(1);
  },
);
