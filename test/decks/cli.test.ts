import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { BASIC, collectionBytes, packageBytes } from "../../datagen/anki-packages.ts";
import { run } from "../../src/cli/deck.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const FIXTURES = join(ROOT, "test/fixtures/decks");
const tmp = mkdtempSync(join(tmpdir(), "deck-cli-"));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the tool in-process (`run` from src/cli/deck.ts), as `npm run deck -- ...args` from the repo root. */
async function deck(...args: string[]): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const code = await run(args, {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
  });
  return { code, stdout, stderr };
}

/** Runs the real entry point in a child process (`node_modules/.bin/tsx src/cli/deck.ts ...args`). */
function spawnDeck(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      join(ROOT, "node_modules/.bin/tsx"),
      ["src/cli/deck.ts", ...args],
      { cwd: ROOT, maxBuffer: 1 << 24 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

interface CheckJson {
  format: string | null;
  cards: { front: string; back: string; tags: string[] }[];
  errors: { line: number; message: string }[];
}

/** stdout must be exactly one JSON object. */
function json(run: Run): CheckJson {
  expect(run.stdout.trim().startsWith("{")).toBe(true);
  return JSON.parse(run.stdout) as CheckJson;
}

describe("the deck tool as a process", () => {
  it("GIVEN the real entry point THEN one JSON object on stdout and the exit code", async () => {
    const [ok, broken] = await Promise.all([
      spawnDeck("check", "decks/pytorch.deck", "--json"),
      spawnDeck("check", join(FIXTURES, "broken.deck")),
    ]);
    expect(ok.code).toBe(0);
    expect((JSON.parse(ok.stdout) as CheckJson).cards).toHaveLength(81);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain("line 9: card '2' has no '---'");
  });
});

describe.concurrent("deck check --json", () => {
  it("GIVEN the user's Brainscape export THEN 81 cards, exit 0", async () => {
    const run = await deck("check", join(FIXTURES, "pytorch-flashcards.brainscape.txt"), "--json");
    expect(run.code).toBe(0);
    const out = json(run);
    expect(out.format).toBe("brainscape");
    expect(out.cards).toHaveLength(81);
    expect(out.errors).toEqual([]);
    expect(out.cards[80]).toEqual({
      front: 'What\'s the tuple "batch shape" consist of?',
      back: "(batch size, sample shape)",
      tags: [],
    });
    expect(Object.keys(out).sort()).toEqual(["cards", "errors", "format"]);
  });

  it("GIVEN decks/pytorch.deck THEN 81 cards, exit 0, the same cards", async () => {
    const [shipped, original] = await Promise.all([
      deck("check", "decks/pytorch.deck", "--json"),
      deck("check", join(FIXTURES, "pytorch-flashcards.brainscape.txt"), "--json", "--format", "brainscape"),
    ]);
    expect(shipped.code).toBe(0);
    expect(json(shipped).format).toBe("native");
    expect(json(shipped).cards).toHaveLength(81);
    expect(json(shipped).cards).toEqual(json(original).cards);
  });

  it("GIVEN an Anki package THEN check lists its cards and convert writes a native deck of them", async () => {
    const dir = mkdtempSync(join(tmpdir(), "deck-cli-apkg-"));
    const file = join(dir, "German.apkg");
    writeFileSync(
      file,
      packageBytes(
        "collection.anki2",
        collectionBytes({
          schema: 11,
          noteTypes: [BASIC],
          decks: { 1: "German" },
          notes: [{ id: 1, guid: "g-hund", mid: BASIC.id, fields: ["der Hund", "the dog"], ords: [0] }],
        }),
      ),
    );
    const checked = await deck("check", file, "--json");
    expect(checked.code).toBe(0);
    expect(json(checked)).toMatchObject({ format: "apkg", cards: [{ front: "der Hund", back: "the dog" }] });
    const out = join(dir, "german.deck");
    expect((await deck("convert", file, "--to", "native", "--out", out)).code).toBe(0);
    expect(readFileSync(out, "utf8")).toContain("## g-hund\nder Hund\n---\nthe dog");
    const bad = join(dir, "bad.apkg");
    writeFileSync(bad, "not a zip");
    const refused = await deck("check", bad, "--json");
    expect(refused.code).toBe(1);
    expect(json(refused).errors[0]?.message).toContain("it is not a zip file");
  });

  it("GIVEN a broken deck THEN exit 1 with the errors and their lines", async () => {
    const run = await deck("check", join(FIXTURES, "broken.deck"), "--json");
    expect(run.code).toBe(1);
    const out = json(run);
    expect(out.format).toBe("native");
    expect(out.errors.map((e) => e.line)).toEqual([1, 9, 13, 23]);
    expect(out.errors[1]?.message).toContain("card '2' has no '---'");
    expect(out.cards).toHaveLength(1);
  });

  it("GIVEN a missing file THEN exit 2 and still one JSON object", async () => {
    const run = await deck("check", join(tmp, "nope.deck"), "--json");
    expect(run.code).toBe(2);
    expect(json(run)).toEqual({
      format: null,
      cards: [],
      errors: [{ line: 0, message: expect.stringContaining("no such file") }],
    });
  });
});

describe.concurrent("deck check (text output)", () => {
  it("GIVEN a valid deck THEN format and card count", async () => {
    const run = await deck("check", "decks/pytorch.deck");
    expect(run.code).toBe(0);
    expect(run.stdout).toBe("decks/pytorch.deck: native deck 'pytorch' (PyTorch Flashcards), 81 cards: OK\n");
  });

  it("GIVEN a broken deck THEN 'line N: …' per error and a summary, exit 1", async () => {
    const file = join(FIXTURES, "broken.deck");
    const run = await deck("check", file);
    expect(run.code).toBe(1);
    expect(run.stdout.split("\n")).toEqual([
      "warning: line 18: card '4' has the same question as card '1' (line 4); it was skipped",
      expect.stringMatching(/^line 1: deck id 'Bad_Id' is not valid/),
      "line 9: card '2' has no '---' separating question from answer; put a line holding only '---' after the question",
      expect.stringMatching(/^line 13: card key '1' is already used on line 4/),
      "line 23: card '5' has an empty question; write one or delete the card",
      `${file}: native deck 'Bad_Id' (Broken deck), 1 card: 4 errors, not valid`,
      "",
    ]);
  });

  it("GIVEN binary or non-UTF-8 input THEN a clear refusal, exit 2", async () => {
    const binary = join(tmp, "image.deck");
    writeFileSync(binary, Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00]));
    const latin1 = join(tmp, "latin1.deck");
    writeFileSync(latin1, Buffer.from("id: x\n## 1\nqu\xe9?\n---\na\n", "latin1"));
    const [b, l] = await Promise.all([deck("check", binary), deck("check", latin1)]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/not valid UTF-8|binary/);
    expect(l.code).toBe(2);
    expect(l.stderr).toContain("is not valid UTF-8 (byte 0xe9 at offset 13, line 3); save it as UTF-8");
  });

  it("GIVEN bad usage THEN the usage text, exit 2", async () => {
    const runs = await Promise.all([
      deck(),
      deck("frobnicate", "x"),
      deck("check"),
      deck("check", "decks/pytorch.deck", "--format", "xml"),
      deck("check", "x", "--bogus"),
    ]);
    for (const run of runs) {
      expect(run.code).toBe(2);
      expect(run.stderr).toContain("usage:");
    }
  });
});

describe.concurrent("every format", () => {
  it("GIVEN an Anki, CSV or Quizlet file THEN check detects it and counts its cards", async () => {
    const runs = await Promise.all(
      ["anki-notes.txt", "anki-plain.txt", "cards.csv", "german.csv", "quizlet.txt"].map((f) =>
        deck("check", join(FIXTURES, f), "--json"),
      ),
    );
    expect(runs.map((r) => [r.code, json(r).format, json(r).cards.length])).toEqual([
      // Its Basic (and reversed card) note gives two cards.
      [0, "anki", 9],
      [0, "anki", 4],
      [0, "csv", 4],
      [0, "csv", 3],
      [0, "tsv", 3],
    ]);
    expect(json(runs[0] as Run).cards[0]).toEqual({
      front: "What is the powerhouse of the cell?",
      back: "The **mitochondrion**.\nIt makes *ATP* & heat.",
      tags: ["biology", "cells"],
    });
  });

  it("GIVEN Quizlet's custom separators THEN --format tsv with --term-separator / --row-separator", async () => {
    const file = join(FIXTURES, "quizlet-custom.txt");
    const run = await deck(
      "check",
      file,
      "--format",
      "tsv",
      "--term-separator",
      "comma",
      "--row-separator",
      ";",
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${file}: tsv, 3 cards: OK\n`);
    const bad = await deck("check", file, "--term-separator", "");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--term-separator");
  });

  it("GIVEN problems THEN text output lists warnings and errors with lines, exit 1", async () => {
    const file = join(tmp, "bad.csv");
    writeFileSync(file, 'front,back\nq,a\nq,again\nlonely\n"open,\n');
    const run = await deck("check", file);
    expect(run.code).toBe(1);
    expect(run.stdout.split("\n")).toEqual([
      "warning: line 3: the card has the same question as the card on line 2; it was skipped",
      "line 4: this row has only one field: a card needs a question and an answer separated by a comma (quote a field that holds a comma)",
      `line 5: a field opened with a double quote (") here is never closed: close it, or write a quote inside a quoted field as two quotes ("")`,
      `${file}: csv, 1 card: 2 errors, not valid`,
      "",
    ]);
  });
});

describe("deck convert", () => {
  it("GIVEN --to anki or --to csv THEN a file that checks back to the same cards", async () => {
    const src = join(FIXTURES, "anki-notes.txt");
    const original = json(await deck("check", src, "--json")).cards;
    for (const to of ["anki", "csv", "native"]) {
      const out = join(tmp, `converted.${to}`);
      const run = await deck("convert", src, "--to", to, "--id", "biology", "--out", out);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toContain(`anki → ${to}, deck 'biology', 9 cards`);
      const back = await deck("check", out, "--json", "--format", to);
      expect(json(back).cards).toEqual(original);
    }
    const noFormat = await deck("convert", src, "--to", "xml");
    expect(noFormat.code).toBe(2);
    expect(noFormat.stderr).toContain("--to native|anki|csv");
  });

  it("GIVEN the Brainscape export THEN a native deck identical to decks/pytorch.deck", async () => {
    const out = join(tmp, "pytorch.deck");
    const run = await deck(
      "convert",
      join(FIXTURES, "pytorch-flashcards.brainscape.txt"),
      "--to",
      "native",
      "--id",
      "pytorch",
      "--name",
      "PyTorch Flashcards",
      "--description",
      "PyTorch and machine-learning basics",
      "--out",
      out,
    );
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("81 cards");
    expect(readFileSync(out, "utf8")).toBe(readFileSync(join(ROOT, "decks/pytorch.deck"), "utf8"));
  });

  it("GIVEN no --out THEN the deck on stdout, id from the file name; a broken deck is refused", async () => {
    const [ok, broken, noTo] = await Promise.all([
      deck("convert", join(FIXTURES, "tiny.deck"), "--to", "native", "--id", "tiny-copy"),
      deck("convert", join(FIXTURES, "broken.deck"), "--to", "native"),
      deck("convert", join(FIXTURES, "tiny.deck")),
    ]);
    expect(ok.code).toBe(0);
    expect(
      ok.stdout.startsWith("id: tiny-copy\nname: Tiny deck\ndescription: two cards for tests\n\n## a\n"),
    ).toBe(true);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain("line 9: card '2' has no '---'");
    expect(noTo.code).toBe(2);
  });
});
