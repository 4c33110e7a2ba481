import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { type RunResult, runScenarioFile } from "../../src/sandbox/runner.ts";

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
