import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { runScenarioFile } from "../../src/sandbox/runner.ts";
import type { TranscriptEvent } from "../../src/sandbox/transcript.ts";

const SCENARIOS = resolve(import.meta.dirname, "../../scenarios");
/**
 * The transcript without what differs between any two runs: the clock readings (`at`) and the snowflakes of
 * message links, which the emulator makes from real time.
 */
const comparable = (events: TranscriptEvent[]) =>
  events.map((e) =>
    JSON.stringify(e)
      .replace(/"at":"[^"]*",?/g, "")
      .replace(/(discord\.com\/channels\/\d+\/\d+\/)\d+/g, "$1<message>"),
  );

describe("GIVEN the scenario runner with `--shards 2`", () => {
  it("THEN quiz-daily.json, played by two shard processes under the ShardingManager, gives the in-process run's transcript", async () => {
    const file = join(SCENARIOS, "quiz-daily.json");
    const [inProcess, sharded] = await Promise.all([
      runScenarioFile(file),
      runScenarioFile(file, {
        shards: 2,
        filesDir: join(SCENARIOS, "../data/sandbox-files/quiz-daily-sharded"),
      }),
    ]);
    expect(sharded.failures).toEqual([]);
    expect(sharded.exitCode).toBe(0);
    expect(inProcess.exitCode).toBe(0);
    expect(sharded.events.filter((e) => e.event === "create").length).toBeGreaterThan(0);
    expect(comparable(sharded.events)).toEqual(comparable(inProcess.events));
  }, 120_000);
});
