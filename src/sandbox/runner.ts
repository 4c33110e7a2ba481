/**
 * Runs a scenario against the emulator and the real bot and writes its transcript, one JSON object per line.
 * The CLI (`npm run sandbox -- --script FILE`) is a thin wrapper; tests call `runScenario` in-process.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, extname, join, resolve } from "node:path";
import { manualTicker } from "../jobs/quiz-job.ts";
import { type ClickRecord, clickAgain, clickButton, runTick } from "./actions.ts";
import { checkExpectation } from "./expect.ts";
import { coerceOptions } from "./options.ts";
import { FileSaver } from "./saved-files.ts";
import { parseScenario, type Scenario, ScenarioError, type Step } from "./scenario.ts";
import { settle, Tracker, type TranscriptEvent } from "./transcript.ts";
import { TypedTerminal } from "./typing.ts";
import { createWorld, ERROR_LEVEL, type SandboxWorld } from "./world.ts";

export interface RunOptions {
  /** Where transcript lines go (e.g. process.stdout). */
  out?: { write(chunk: string): unknown };
  /** Names the scenario in error messages (its file). */
  source?: string;
  /** Every line the bot logs (pino JSON). Default: dropped. */
  onLog?: (line: string) => void;
  logLevel?: string;
  /** Default: the repo's decks/. */
  decksDir?: string;
  /** Where the attachments the bot sends are saved; default data/sandbox-files/<scenario file name>/. */
  filesDir?: string;
  /** Default: a fresh temp file, removed afterwards, so runs are reproducible (a `relaunch` keeps it). */
  databasePath?: string;
  /** The bot as this many shard processes under discord.js's ShardingManager (`--shards N`); default: in process. */
  shards?: number;
}

export interface RunResult {
  /** 0: every step ran, nothing was rejected, no bot error. 1: something failed. 2: the scenario is invalid. */
  exitCode: 0 | 1 | 2;
  /** One line per problem, for humans. */
  failures: string[];
  events: TranscriptEvent[];
}

/** Validates `raw` (a parsed scenario JSON) and runs it. Never throws for scenario or bot problems. */
export async function runScenario(raw: unknown, opts: RunOptions = {}): Promise<RunResult> {
  let scenario: Scenario;
  try {
    scenario = parseScenario(raw, opts.source);
  } catch (err) {
    if (err instanceof ScenarioError) return { exitCode: 2, failures: [err.message], events: [] };
    throw err;
  }
  return run(scenario, opts);
}

/** Reads FILE (JSON) and runs it; a missing or non-JSON file is an invalid scenario (exit code 2). */
export async function runScenarioFile(file: string, opts: RunOptions = {}): Promise<RunResult> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    return { exitCode: 2, failures: [`${file}: ${(err as Error).message}`], events: [] };
  }
  return runScenario(raw, { source: file, ...opts });
}

/** data/sandbox-files/<scenario file name without .json>/: each scenario's files apart, the same on every run. */
export function defaultFilesDir(source: string | undefined): string {
  const name = source === undefined ? "scenario" : basename(source, extname(source));
  return resolve("data/sandbox-files", name);
}

/** The step as written (without our `kind`/`ms`), for the transcript's step lines. */
function describeStep(step: Step): Record<string, unknown> {
  const { kind: _kind, ...rest } = step;
  if ("ms" in rest) {
    const { ms: _ms, ...written } = rest;
    return written;
  }
  return rest;
}

async function run(scenario: Scenario, opts: RunOptions): Promise<RunResult> {
  const events: TranscriptEvent[] = [];
  const failures: string[] = [];
  const emit = (e: TranscriptEvent) => {
    events.push(e);
    opts.out?.write(`${JSON.stringify(e)}\n`);
  };
  const fail = (step: number, message: string, source: "step" | "bot" = "step") => {
    failures.push(`step ${step}: ${message}`);
    emit({ step, event: "error", source, message });
  };

  // The run owns its temporary database (not the world), so a `relaunch` can start a new world on the same file.
  const tmp = opts.databasePath === undefined ? mkdtempSync(join(tmpdir(), "sandbox-run-")) : undefined;
  const databasePath = opts.databasePath ?? join(tmp ?? "", "study.db");
  const open = (start: string | undefined, timezone: string | undefined) =>
    createWorld({
      start,
      followRealTime: false,
      channels: scenario.channels,
      users: scenario.users,
      guildLocale: scenario.locale,
      timezone,
      decksDir: opts.decksDir,
      databasePath,
      fuzz: false,
      // Ticks happen in `tick` steps (and the catch-up tick each start does), never on a real-time schedule.
      quizTicker: manualTicker,
      logLevel: opts.logLevel ?? "info",
      onLog: opts.onLog,
      shards: opts.shards,
    });
  const removeTmp = () => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  };

  let world: SandboxWorld;
  try {
    world = await open(scenario.start, scenario.timezone);
  } catch (err) {
    removeTmp();
    fail(0, `could not start the emulator and the bot: ${(err as Error).message}`);
    return { exitCode: 1, failures, events };
  }

  const names = (w: SandboxWorld) =>
    [
      new Map([...w.channels].map(([name, c]) => [c.id, name])),
      new Map([...w.users].map(([name, u]) => [u.id, name])),
    ] as const;
  const files = new FileSaver(opts.filesDir ?? defaultFilesDir(opts.source));
  const tracker = new Tracker(world.emu, ...names(world), { saveFile: (att, n) => files.save(att, n) });
  let problemsSeen = 0;
  let errorsSeen = 0;
  const lastClick = new Map<string, ClickRecord>();
  // The sandbox's own terminal client, for `type` steps: watching from the start, as a person's screen would.
  const typing = scenario.steps.some((s) => s.kind === "type");
  let terminal = typing ? new TypedTerminal(world, files, tracker.nextMessage) : undefined;
  const flush = async (step: number) => {
    await settle(world.emu, tracker);
    for (const e of tracker.collect(step)) {
      emit(e);
      if (e.event === "rejected")
        failures.push(
          `step ${step}: the emulator rejected ${e.method} ${e.path}: ${e.status} ${e.code} ${e.message}`,
        );
    }
    for (; problemsSeen < files.problems.length; problemsSeen++)
      fail(step, files.problems[problemsSeen] ?? "");
    for (; errorsSeen < world.errors.length; errorsSeen++) {
      const rec = world.errors[errorsSeen];
      if (rec && rec.level >= ERROR_LEVEL) {
        const err = rec.err as { message?: string } | undefined;
        fail(
          step,
          `the bot logged an error: ${rec.msg ?? ""}${err?.message ? ` (${err.message})` : ""}`,
          "bot",
        );
      }
    }
  };
  /** A second launch on the same database: a new emulator (no messages), a new bot, the clock where it was. */
  const relaunch = async () => {
    const at = world.clock.now().toISOString();
    await world.stop();
    // The timezone was written at the first launch; the database keeps it (and any later /settings change).
    world = await open(at, undefined);
    tracker.follow(world.emu, ...names(world));
    if (typing) terminal = new TypedTerminal(world, files, tracker.nextMessage);
    errorsSeen = 0;
    lastClick.clear();
  };

  // What the latest step that did something showed: `expect` steps check it (several in a row check the same).
  let shown: TranscriptEvent[] = [];
  try {
    await flush(0);
    for (const [k, step] of scenario.steps.entries()) {
      const n = k + 1;
      let error: Error | undefined;
      let printed: string | undefined;
      try {
        if (step.kind === "expect") {
          const why = checkExpectation(step.as, step.expect, step.lacks ?? [], shown);
          if (why) error = new Error(why);
        } else if (step.kind === "relaunch") await relaunch();
        else if (step.kind === "type") printed = await terminal?.type(step.type);
        else await perform(world, scenario, step, lastClick);
      } catch (err) {
        error = err as Error;
      }
      emit({ step: n, event: "step", ...describeStep(step), at: world.clock.now().toISOString() });
      if (printed) emit({ step: n, event: "terminal", text: printed });
      const before = events.length;
      await flush(n);
      if (step.kind !== "expect") shown = events.slice(before);
      if (error) {
        fail(n, error.message);
        break;
      }
    }
  } finally {
    await world.stop();
    removeTmp();
  }
  return { exitCode: failures.length > 0 ? 1 : 0, failures, events };
}

async function perform(
  world: SandboxWorld,
  scenario: Scenario,
  step: Step,
  lastClick: Map<string, ClickRecord>,
): Promise<void> {
  switch (step.kind) {
    case "command": {
      const user = world.user(step.as);
      const channel = world.channel(step.channel ?? scenario.channels[0] ?? "study");
      const options = coerceOptions(world.emu, world.guild.id, step.command, step.options ?? {}, world.users);
      await world.emu.runCommand({ user, channel, command: step.command, options });
      return;
    }
    case "click": {
      lastClick.set(step.as, await clickButton(world, world.user(step.as), step.click));
      return;
    }
    case "again": {
      const previous = lastClick.get(step.as);
      if (!previous) throw new Error(`${step.as} has not clicked anything yet: nothing to click again`);
      await clickAgain(world, world.user(step.as), previous);
      return;
    }
    case "advance":
      world.advance(step.ms);
      return;
    case "tick":
      await runTick(world);
      return;
    case "restart":
      await world.restart();
      return;
    case "expect": // checked by the runner against the previous step's events
    case "relaunch": // replaces the world: done by the runner
    case "type": // goes to the runner's terminal client
      return;
  }
}
