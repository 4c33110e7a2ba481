import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { runScenarioFile } from "../../src/sandbox/runner.ts";

const FILE = resolve(import.meta.dirname, "../../scenarios/leaderboard-week.json");

describe("GIVEN the leaderboard sandbox scenario", () => {
  it("THEN its transcript shows the boards in order, the hidden member gone, and the stats chart", async () => {
    const { events, exitCode, failures } = await runScenarioFile(FILE);
    expect(failures).toEqual([]);
    expect(exitCode).toBe(0);
    const created = (step: number) =>
      events.find((e) => e.step === step && e.event === "create") as
        | { content: string; visibleTo: string; pings: unknown[]; files: string[] }
        | undefined;
    // The ranked lines (a medal or `#n`, then the member); the asker's standing line is checked on its own.
    const board = (step: number) =>
      (created(step)?.content ?? "").split("\n").filter((l) => /^(🥇|🥈|🥉|`#\d+`) <@\d+>/u.test(l));

    // Step 27, default board (points, last 7 days): bob (3 reviews over two days) first; carol's fast answer earned 0.
    const week = created(27);
    expect(week?.visibleTo).toBe("everyone");
    expect(week?.pings).toEqual([]);
    expect(week?.content).toContain("Points · last 7 days");
    expect(board(27).map((l) => l.replace(/<@\d+>/, "@"))).toEqual([
      "🥇 @ — 3 pts",
      "🥈 @ — 1 pt",
      "🥉 @ — 0 pts",
    ]);
    expect(week?.content).toMatch(/\n<@\d+>'s rank: \*\*#2\*\* of 3 · 1 pt\n/); // alice asked
    // Step 28: today everyone did one review — a three-way tie at rank 1.
    expect(board(28).every((l) => l.startsWith("🥇"))).toBe(true);
    expect(board(28)).toHaveLength(3);
    // Step 29: bob's streak is two days.
    expect(board(29)[0]).toMatch(/^🥇 <@\d+> — 2 days$/);
    // Step 31: after carol hides, two remain.
    expect(board(31)).toHaveLength(2);
    // Step 33: /stats attaches the chart, which the sandbox saves (the transcript names the saved file).
    expect(created(33)?.files).toEqual([
      expect.stringMatching(/^data\/sandbox-files\/leaderboard-week\/\d+-stats\.png$/),
    ]);
  });
});
