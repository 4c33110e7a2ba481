import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manualTicker } from "../../src/jobs/quiz-job.ts";
import { readable } from "../../src/sandbox/message-drawing.ts";
import { FileSaver } from "../../src/sandbox/saved-files.ts";
import { Terminal } from "../../src/sandbox/terminal.ts";
import { buttonsOf } from "../../src/sandbox/transcript.ts";
import { createWorld, type SandboxWorld } from "../../src/sandbox/world.ts";

let world: SandboxWorld;

beforeAll(async () => {
  world = await createWorld({
    start: "2026-03-02T08:00:00Z",
    followRealTime: false,
    decks: [
      {
        id: "basics",
        name: "Basics",
        cards: [
          { key: "1", front: "What is 2+2?", back: "Four" },
          { key: "2", front: "Capital of France?", back: "Paris" },
        ],
      },
    ],
  });
});
afterAll(async () => {
  await world?.stop();
});

/** Feeds `lines` to the client as typed input and returns everything it printed. */
async function session(lines: string[], on: SandboxWorld = world, files?: FileSaver): Promise<string> {
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = "";
  output.on("data", (d) => {
    printed += d;
  });
  const done = new Terminal({ world: on, input, output, ...(files ? { files } : {}) }).run();
  for (const line of lines) input.write(`${line}\n`);
  input.end();
  await done;
  return printed;
}

describe("GIVEN the interactive client driven through its input stream", () => {
  it("THEN /study draws numbered buttons, a number clicks one, /as switches user, :quit leaves", async () => {
    const out = await session([
      "/deck subscribe deck:basics",
      "/study",
      "1",
      "/as bob",
      "/help",
      ":advance 1d",
      ":quit",
      "/study",
    ]);
    expect(out).toContain("alice> ");
    expect(out).toContain("#study · Study Bot (only you)\n  Subscribed to **Basics**");
    expect(out).toMatch(/│ What is 2\+2\?\n[\s\S]*\[1\] Show answer {2}\[2\] Stop/);
    // "1" clicked Show answer: the same message, edited, now with the answer and the rating buttons.
    expect(out).toMatch(/\(only you\) · edited\n[\s\S]*Four[\s\S]*\[1\] Again · \d+m {2}\[2\] Hard/);
    expect(out).toContain("You are now bob.\nbob> ");
    expect(out).toMatch(/bob> #study · Study Bot \(only you\)\n {2}┌─+\n {2}│ \*\*Study companion\*\*/);
    expect(out).toContain("The bot's clock is now 2026-03-03T08:00:00.000Z.");
    expect(out.trimEnd().endsWith("Bye.")).toBe(true);
    expect(world.errors.filter((e) => e.level >= 50)).toEqual([]);
  });

  it("THEN mistakes print one readable line and the client keeps going", async () => {
    const out = await session([
      "/deck subscribe deck:my deck",
      "/as carol",
      "7",
      ":advance soon",
      "/settings reminders enabled:yes",
      ":tock",
    ]);
    expect(out).toContain('! "deck" follows an option: quote values with spaces');
    expect(out).toContain('! No user "carol". Users: alice, bob');
    expect(out).toContain("! No button [7] on screen");
    expect(out).toContain("! Usage: :advance 1d");
    expect(out).toContain("I will ping you in the daily post");
    expect(out).toContain('! Unknown input ":tock". Type :help.');
  });
});

describe("GIVEN a world with a daily quiz", () => {
  let quiz: SandboxWorld;
  beforeAll(async () => {
    quiz = await createWorld({
      start: "2026-03-02T07:00:00Z",
      followRealTime: false,
      quizTicker: manualTicker,
      decks: [
        {
          id: "basics",
          name: "Basics",
          cards: ["Four", "Paris", "Pacific", "Water"].map((back, k) => ({
            key: String(k),
            front: `Question ${k}?`,
            back,
          })),
        },
      ],
    });
  });
  afterAll(async () => {
    await quiz?.stop();
  });

  it("THEN after /as bob the numbers are the buttons bob can click: 1 clicks the public post's first button", async () => {
    const out = await session(
      [
        "/deck subscribe deck:basics",
        "/quiz setup channel:study time:09:00 timezone:Europe/Berlin",
        ":advance 1h",
        ":tick",
        "/study",
        "/as bob",
        "/as alice",
        "/as bob",
        "1",
      ],
      quiz,
    );
    const post = quiz.emu.messages(quiz.channel("study").id).find((m) => m.visibleTo === "everyone");
    const first = buttonsOf(post?.components ?? [])[0];
    const block = (from: string, to: string) =>
      out.slice(out.indexOf(from), out.indexOf(to, out.indexOf(from)));
    // alice's study message came last, but only she can click it: bob's numbers come from the public post.
    const asBob = block("You are now bob.", "bob> ");
    expect(asBob.startsWith("You are now bob.\nButtons bob can click on screen:\n  #study (public): ")).toBe(
      true,
    );
    expect(asBob).toContain(`[1] ${first?.label}  [2] `);
    expect(asBob).not.toContain("Show answer");
    // Back as alice, her own study message has the latest buttons she can click.
    expect(block("You are now alice.", "alice> ")).toBe(
      "You are now alice.\nButtons alice can click on screen:\n  #study (only you): [1] Show answer  [2] Stop\n",
    );
    expect(out).not.toContain("No button [1]");
    const click = quiz.emu.interactionsLog.at(-1);
    expect(click).toMatchObject({
      userId: quiz.user("bob").id,
      customId: first?.custom_id,
      sourceMessageId: post?.id,
    });
    expect(quiz.errors.filter((e) => e.level >= 50)).toEqual([]);
  });

  it("THEN a local file can be attached by its path and the files the bot sends are saved, their lines naming the path", async () => {
    const dir = mkdtempSync(join(tmpdir(), "terminal-files-"));
    try {
      const out = await session(
        ["/deck import file:test/fixtures/decks/tiny.deck", "/deck import file:nowhere.csv", "/stats"],
        quiz,
        new FileSaver(dir),
      );
      expect(out).toContain("Imported: Tiny deck");
      expect(out).toContain('! file: cannot attach "nowhere.csv": no such file');
      // Outside the working directory, the path is absolute: the message number, then the bot's file name.
      const saved = /\[file\] (\S+)\n/.exec(out)?.[1] ?? "";
      expect(saved).toMatch(/-stats\.png$/);
      expect(dirname(saved)).toBe(dir);
      expect(readFileSync(saved).subarray(1, 4).toString()).toBe("PNG");
      expect(out).toContain(`│ [image] ${saved}\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("GIVEN card text the bot escaped for Discord", () => {
  it("THEN the terminal draws it as Discord shows it: no escaping backslashes, mentions by name", () => {
    const shown = readable(
      "2. Define the \\_\\_init\\_\\_() method, **bold** \\*x\\* <@42>",
      new Date(0),
      () => "alice",
    );
    expect(shown).toBe("2. Define the __init__() method, **bold** *x* @alice");
  });
});
