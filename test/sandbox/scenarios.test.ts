import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type RunResult, runScenarioFile } from "../../src/sandbox/runner.ts";
import { openTestDb, skipWithoutPgServer, type TestDb } from "../helpers/engines.ts";

const DIR = resolve(import.meta.dirname, "../../scenarios");
const files = readdirSync(DIR)
  .filter((f) => f.endsWith(".json"))
  .sort();
// Each scenario runs once (its own emulator, bot and temp database); the runs overlap, as most of their time is
// spent waiting for the bot.
const results = new Map<string, Promise<RunResult>>();
const run = (file: string): Promise<RunResult> => {
  let result = results.get(file);
  if (!result) {
    result = runScenarioFile(join(DIR, file));
    results.set(file, result);
  }
  return result;
};

describe("GIVEN every scenario shipped in scenarios/", () => {
  it("THEN there are at least two", () => {
    expect(files.length).toBeGreaterThanOrEqual(2);
  });

  it.concurrent.each(files)(
    "THEN %s runs with exit 0: every step performed, nothing rejected, no bot error",
    async (file) => {
      const result = await run(file);
      expect(result.failures).toEqual([]);
      expect(result.exitCode).toBe(0);
      expect(result.events.filter((e) => e.event === "rejected" || e.event === "error")).toEqual([]);
      expect(result.events.some((e) => e.event === "create")).toBe(true);
    },
  );
});

describe("GIVEN the study-session scenario", () => {
  it("THEN its transcript shows the double click answered 'already rated' and the session continuing after a restart", async () => {
    const { events, exitCode } = await run("study-session.json");
    expect(exitCode).toBe(0);
    const at = (step: number) => events.filter((e) => e.step === step && e.event !== "step");
    const again = at(5);
    expect(again).toHaveLength(1);
    expect(again[0]).toMatchObject({ event: "edit", visibleTo: "alice", channel: "study" });
    expect(JSON.stringify(again[0])).toContain("already rated");
    const restart = events.findIndex((e) => e.event === "step" && "restart" in e);
    const after = events.slice(restart).find((e) => e.event === "create");
    expect(after).toMatchObject({ visibleTo: "alice" });
    expect(JSON.stringify(after)).toMatch(/1 due/);
  });
});

// The same scenarios once more as a multi-machine install runs: the bot as two shard processes under the
// ShardingManager, on a PostgreSQL database of its own (a server: PGlite cannot be shared by processes). Two at a
// time: each run is three Node processes on this machine's cores.
const pgDatabases: TestDb[] = [];
afterAll(async () => {
  for (const t of pgDatabases) await t.close();
});
const slots: Promise<void>[] = [Promise.resolve(), Promise.resolve()];
let next = 0;
const inSlot = <T>(fn: () => Promise<T>): Promise<T> => {
  const k = next++ % slots.length;
  const result = (slots[k] ?? Promise.resolve()).then(fn);
  slots[k] = result.then(
    () => {},
    () => {},
  );
  return result;
};

describe("GIVEN every scenario shipped in scenarios/, on two shard processes and PostgreSQL", () => {
  it.for(files)(
    "THEN %s runs with exit 0, as in one process on SQLite",
    { concurrent: true, timeout: 180_000 },
    async (file, ctx) => {
      skipWithoutPgServer(ctx, "pg", "shard processes each open the database");
      const result = await inSlot(async () => {
        const t = await openTestDb("pg");
        pgDatabases.push(t);
        return runScenarioFile(join(DIR, file), {
          shards: 2,
          databasePath: t.target ?? "",
          // Inside the scenario's own files folder (its expectations name that path), apart from the SQLite run's.
          filesDir: join(DIR, "../data/sandbox-files", file.replace(/\.json$/, ""), "sharded-pg"),
        });
      });
      expect(result.failures).toEqual([]);
      expect(result.exitCode).toBe(0);
      expect(result.events.filter((e) => e.event === "rejected" || e.event === "error")).toEqual([]);
      expect(result.events.some((e) => e.event === "create")).toBe(true);
    },
  );
});
