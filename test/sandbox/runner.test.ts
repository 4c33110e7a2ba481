import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runScenario } from "../../src/sandbox/runner.ts";
import { parseScenario, ScenarioError } from "../../src/sandbox/scenario.ts";

const base = {
  start: "2026-03-02T08:00:00Z",
  users: [{ name: "alice", admin: true }, { name: "bob" }],
};

describe("GIVEN a scenario that clicks a button nobody can see", () => {
  it("THEN the run fails with exit 1, names the step and the button, and stops there", async () => {
    const lines: string[] = [];
    const result = await runScenario(
      {
        ...base,
        steps: [
          { as: "alice", command: "deck subscribe", options: { deck: "pytorch" } },
          { as: "alice", command: "study" },
          { as: "alice", click: "Launch rocket" },
          { as: "alice", click: "Show answer" },
        ],
      },
      { out: { write: (s: string) => lines.push(s) } },
    );
    expect(result.exitCode).toBe(1);
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]).toMatch(/^step 3: alice sees no enabled button "Launch rocket"/);
    expect(result.failures[0]).toContain('"Show answer"');
    const parsed = lines
      .join("")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(parsed.at(-1)).toMatchObject({ step: 3, event: "error", source: "step" });
    expect(parsed.some((e) => e.step === 4)).toBe(false);
  });

  it("THEN bob cannot click alice's ephemeral study message either", async () => {
    const result = await runScenario({
      ...base,
      steps: [
        { as: "alice", command: "deck subscribe", options: { deck: "pytorch" } },
        { as: "alice", command: "study" },
        { as: "bob", click: "Show answer" },
      ],
    });
    expect(result.exitCode).toBe(1);
    expect(result.failures[0]).toMatch(/^step 3: bob sees no enabled button/);
  });

  it("THEN 'again' before any click is reported as a step that cannot be performed", async () => {
    const result = await runScenario({ ...base, steps: [{ as: "bob", again: true }] });
    expect(result.exitCode).toBe(1);
    expect(result.failures[0]).toBe("step 1: bob has not clicked anything yet: nothing to click again");
  });
});

describe("GIVEN a malformed scenario", () => {
  const bad =
    (steps: unknown[], extra: object = {}) =>
    () =>
      parseScenario({ ...base, ...extra, steps }, "x.json");

  it("THEN it is rejected with exit 2 and its step index, before anything starts", async () => {
    const result = await runScenario(
      {
        ...base,
        steps: [
          { as: "alice", command: "study" },
          { as: "alice", clik: "Good" },
        ],
      },
      { source: "bad.json" },
    );
    expect(result.exitCode).toBe(2);
    expect(result.events).toEqual([]);
    expect(result.failures[0]).toMatch(
      /^bad\.json: step 2 \(steps\[1\]\): expected one of "command", "click"/,
    );
  });

  it("THEN each kind of mistake says what is wrong", () => {
    expect(bad([{ as: "carol", command: "study" }])).toThrow(
      /step 1 \(steps\[0\]\): "as": no user named "carol"/,
    );
    expect(bad([{ advance: "tomorrow" }])).toThrow(
      /step 1 \(steps\[0\]\): advance: a duration such as "30m"/,
    );
    expect(bad([{ tick: true }, { as: "alice", click: "Good", again: true }])).toThrow(
      /step 2 \(steps\[1\]\): a step does one thing, this one has "click" and "again"/,
    );
    expect(bad([{ as: "alice", command: "study", option: { deck: "x" } }])).toThrow(
      /step 1 \(steps\[0\]\): Unrecognized key: "option"/,
    );
    expect(bad([{ as: "alice", command: "study", channel: "lounge" }])).toThrow(
      /"channel": no channel "lounge"/,
    );
    expect(bad([{ restart: true }], { timezone: "Mars/Olympus" })).toThrow(
      /^x\.json: timezone: an IANA timezone/,
    );
    expect(bad([])).toThrow(ScenarioError);
    expect(() => parseScenario([1, 2], "x.json")).toThrow(/^x\.json: /);
  });

  it("THEN a valid one parses with defaults (channel study, alice admin and bob)", () => {
    const s = parseScenario({ steps: [{ advance: "1d12h" }, { as: "alice", command: "/deck list" }] });
    expect(s.channels).toEqual(["study"]);
    expect(s.users.map((u) => u.name)).toEqual(["alice", "bob"]);
    expect(s.steps[0]).toMatchObject({ kind: "advance", ms: 36 * 3_600_000 });
    expect(s.steps[1]).toMatchObject({ kind: "command", command: "deck list" });
  });
});

describe("GIVEN a scenario with expect steps", () => {
  const steps = [
    { as: "alice", command: "deck subscribe", options: { deck: "pytorch" } },
    { as: "alice", command: "study" },
  ];

  it("THEN an expectation the previous step meets passes, and two in a row check the same step", async () => {
    const result = await runScenario({
      ...base,
      steps: [
        ...steps,
        { as: "alice", expect: "Show answer" },
        { as: "alice", expect: ["Stop"], lacks: "Good" },
      ],
    });
    expect(result.failures).toEqual([]);
    expect(result.exitCode).toBe(0);
  });

  it("THEN an unmet one fails with exit 1, names the user and the text and quotes what they saw", async () => {
    const result = await runScenario({
      ...base,
      steps: [...steps, { as: "alice", expect: "Nothing to review" }, { as: "alice", command: "help" }],
    });
    expect(result.exitCode).toBe(1);
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]).toMatch(
      /^step 3: alice was expected to see a message with "Nothing to review"/,
    );
    expect(result.failures[0]).toContain("Show answer");
    expect(result.events.some((e) => e.step === 4)).toBe(false);
  });

  it("THEN text that must be absent fails it, and another member's ephemeral message does not count", async () => {
    const lacking = await runScenario({
      ...base,
      steps: [...steps, { as: "alice", expect: "Stop", lacks: "Show" }],
    });
    expect(lacking.exitCode).toBe(1);
    const other = await runScenario({ ...base, steps: [...steps, { as: "bob", expect: "Show answer" }] });
    expect(other.exitCode).toBe(1);
    expect(other.failures[0]).toContain("the previous step showed them no message");
  });

  it("THEN a malformed expect step is invalid (exit 2)", async () => {
    const result = await runScenario({ ...base, steps: [{ as: "alice", expect: [] }] });
    expect(result.exitCode).toBe(2);
    expect(result.failures[0]).toMatch(/step 1 \(steps\[0\]\)/);
  });
});

describe("GIVEN a scenario that relaunches the sandbox", () => {
  it("THEN the clock goes on from where it was, messages keep their numbers, and earlier clicks are gone", async () => {
    const result = await runScenario({
      ...base,
      steps: [
        { as: "alice", command: "deck subscribe", options: { deck: "pytorch" } },
        { advance: "2h" },
        { relaunch: true },
        { as: "alice", command: "study" },
        { as: "alice", click: "Show answer" },
        { relaunch: true },
        { as: "alice", again: true },
      ],
    });
    expect(result.exitCode).toBe(1);
    expect(result.failures).toEqual(["step 7: alice has not clicked anything yet: nothing to click again"]);
    const step = (n: number) => result.events.find((e) => e.step === n && e.event === "step");
    expect(step(3)).toMatchObject({ relaunch: true, at: "2026-03-02T10:00:00.000Z" });
    const created = result.events.filter((e) => e.event === "create");
    expect(created.map((e) => [e.step, "message" in e ? e.message : 0])).toEqual([
      [1, 1],
      [4, 2],
    ]);
  });
});

describe("GIVEN a scenario that attaches local files and gets files from the bot", () => {
  const files = mkdtempSync(join(tmpdir(), "sandbox-files-"));
  afterAll(() => rmSync(files, { recursive: true, force: true }));
  const importing = (file: string) => ({
    ...base,
    steps: [{ as: "alice", command: "deck import", options: { file } }],
  });

  it("THEN a path relative to the working directory is the file the user picked", async () => {
    const result = await runScenario(
      {
        ...base,
        steps: [
          { as: "alice", command: "deck import", options: { file: "test/fixtures/decks/cards.csv" } },
          { as: "alice", expect: "Imported: cards" },
        ],
      },
      { filesDir: files },
    );
    expect(result.failures).toEqual([]);
  });

  it("THEN a missing path or a folder is a clear step error (exit 1) that names the path", async () => {
    const missing = await runScenario(importing("decks/nope.deck"), { filesDir: files });
    expect(missing.exitCode).toBe(1);
    expect(missing.failures[0]).toMatch(/^step 1: file: cannot attach "decks\/nope\.deck": no such file/);
    const folder = await runScenario(importing("decks"), { filesDir: files });
    expect(folder.failures[0]).toMatch(/^step 1: file: cannot attach "decks": it is a folder, not a file/);
  });

  it("THEN the /stats chart and an export are saved in the files folder, and the transcript names the paths", async () => {
    const result = await runScenario(
      {
        ...base,
        steps: [
          { as: "alice", command: "stats" },
          { as: "alice", command: "deck export", options: { deck: "pytorch", format: "native" } },
        ],
      },
      { filesDir: files },
    );
    expect(result.failures).toEqual([]);
    const listed = result.events.flatMap((e) => (e.event === "create" ? e.files : []));
    expect(listed).toEqual([join(files, "1-stats.png"), join(files, "2-pytorch.deck")]);
    expect(readFileSync(join(files, "1-stats.png")).subarray(1, 4).toString()).toBe("PNG");
    expect(readFileSync(join(files, "2-pytorch.deck"), "utf8")).toMatch(/^id: pytorch$/m);
  });

  it("THEN a files folder that cannot be written fails the run (exit 1) and the transcript lists the file by name", async () => {
    const blocked = join(files, "not-a-folder");
    writeFileSync(blocked, "a file where the folder should be");
    const result = await runScenario(
      { ...base, steps: [{ as: "alice", command: "stats" }] },
      { filesDir: join(blocked, "inside") },
    );
    expect(result.exitCode).toBe(1);
    expect(result.failures[0]).toMatch(/^step 1: could not save stats\.png to .*not-a-folder/);
    expect(result.events.find((e) => e.event === "create")).toMatchObject({ files: ["stats.png"] });
  });
});

describe("GIVEN a scenario that types into the interactive client", () => {
  it("THEN what the client printed is a terminal line, and a line it refuses fails the step with its message", async () => {
    const result = await runScenario({
      ...base,
      steps: [
        { type: "/as bob" },
        { type: "/deck subscribe deck:pytorch" },
        { as: "bob", expect: "Subscribed" },
        { type: "7" },
      ],
    });
    expect(result.exitCode).toBe(1);
    expect(result.failures).toEqual(["step 4: No button [7] on screen. Type :show to redraw your messages."]);
    const printed = result.events.filter((e) => e.event === "terminal");
    expect(printed[0]).toEqual({ step: 1, event: "terminal", text: "You are now bob.\n" });
    expect(printed[1]).toMatchObject({ step: 2, text: expect.stringContaining("(only you)\n  Subscribed") });
  });

  it("THEN after a relaunch the client's saved files are named by the transcript's message numbers", async () => {
    const files = mkdtempSync(join(tmpdir(), "sandbox-typed-"));
    try {
      const result = await runScenario(
        { ...base, steps: [{ as: "alice", command: "stats" }, { relaunch: true }, { type: "/stats" }] },
        { filesDir: files },
      );
      expect(result.failures).toEqual([]);
      const listed = result.events.flatMap((e) => (e.event === "create" ? [[e.message, ...e.files]] : []));
      expect(listed).toEqual([
        [1, join(files, "1-stats.png")],
        [2, join(files, "2-stats.png")],
      ]);
      const printed = result.events.find((e) => e.event === "terminal");
      expect(printed).toMatchObject({
        step: 3,
        text: expect.stringContaining(`[file] ${join(files, "2-stats.png")}\n`),
      });
    } finally {
      rmSync(files, { recursive: true, force: true });
    }
  });
});
