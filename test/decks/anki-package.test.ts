/**
 * Anki packages (.apkg / .colpkg) read for an import: every collection version (anki2, anki21, zstd anki21b with
 * schema 18) and the stock note types give the right cards, keys and tags; hostile and broken packages are
 * refused with a reason and nothing read. Fixtures are built with Anki's schema (datagen/anki-packages.ts).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import {
  BASIC,
  CLOZE,
  type CollectionSpec,
  collectionBytes,
  OPTIONAL_REVERSED,
  packageBytes,
  REVERSED,
  TYPE_IN,
  zstdRaw,
} from "../../datagen/anki-packages.ts";
import type { ParsedCard } from "../../src/core/decks/parse.ts";
import { UserError } from "../../src/core/errors.ts";
import { readImportFile } from "../../src/services/deck-file.ts";
import { atOnce } from "../../src/services/slices.ts";

const NOTES: CollectionSpec["notes"] = [
  {
    id: 1,
    guid: "basic-1",
    mid: BASIC.id,
    fields: ["What is <b>PyTorch</b>?", "A tensor library"],
    ords: [0],
    tags: ["ml"],
  },
  {
    id: 2,
    guid: "rev-1",
    mid: REVERSED.id,
    fields: ["der Hund", "the dog"],
    ords: [0, 1],
    tags: ["de", "animals"],
  },
  { id: 3, guid: "opt-1", mid: OPTIONAL_REVERSED.id, fields: ["la casa", "the house", "y"], ords: [0, 1] },
  { id: 4, guid: "opt-2", mid: OPTIONAL_REVERSED.id, fields: ["el gato", "the cat", ""], ords: [0] },
  {
    id: 5,
    guid: "cloze-1",
    mid: CLOZE.id,
    fields: ["{{c1::Paris}} is the capital of {{c2::France::country}}", "Geography"],
    ords: [0, 1],
  },
  { id: 6, guid: "type-1", mid: TYPE_IN.id, fields: ["2 + 2 =", "4"], ords: [0] },
  {
    id: 7,
    guid: "img-1",
    mid: BASIC.id,
    fields: ['A picture <img src="tensor.png">', "a tensor"],
    ords: [0],
  },
];
const TYPES = [BASIC, REVERSED, OPTIONAL_REVERSED, CLOZE, TYPE_IN];

const read = (bytes: Uint8Array, fileName = "deck.apkg") => atOnce(readImportFile({ fileName, bytes }));
const cardsOf = (cards: ParsedCard[]) =>
  cards.map(({ key, front, back, tags }) => ({ key, front, back, tags }));

const EXPECTED = [
  { key: "basic-1", front: "What is **PyTorch**?", back: "A tensor library", tags: ["ml"] },
  { key: "rev-1", front: "der Hund", back: "the dog", tags: ["de", "animals"] },
  { key: "rev-1.t1", front: "the dog", back: "der Hund", tags: ["de", "animals"] },
  { key: "opt-1", front: "la casa", back: "the house", tags: [] },
  { key: "opt-1.t1", front: "the house", back: "la casa", tags: [] },
  { key: "opt-2", front: "el gato", back: "the cat", tags: [] },
  {
    key: "cloze-1.c1",
    front: "[…] is the capital of France",
    back: "**Paris** is the capital of France\nGeography",
    tags: [],
  },
  {
    key: "cloze-1.c2",
    front: "Paris is the capital of [country]",
    back: "Paris is the capital of **France**\nGeography",
    tags: [],
  },
  { key: "type-1", front: "2 + 2 =", back: "4", tags: [] },
  { key: "img-1", front: "A picture", back: "a tensor", tags: [] },
];

describe("GIVEN an Anki package of every collection version with the stock note types", () => {
  for (const [entry, schema] of [
    ["collection.anki2", 11],
    ["collection.anki21", 11],
    ["collection.anki21b", 18],
  ] as const) {
    it(`THEN ${entry} (schema ${schema}) gives one card per card Anki made, keyed by guid, with tags`, async () => {
      const col = collectionBytes({
        schema,
        noteTypes: TYPES,
        notes: NOTES,
        decks: { 1: "Languages::Mixed" },
      });
      const file = await read(packageBytes(entry, col));
      expect(file.format).toBe("apkg");
      expect(cardsOf(file.cards)).toEqual(EXPECTED);
      expect(file.fileDeckName).toBe("Languages::Mixed");
      expect(file.warnings.map((w) => w.message)).toContain(
        "media dropped: 'tensor.png' (not in the package). Sounds and videos are not imported; images are (png, jpg, gif, webp up to 1 MiB each)",
      );
    });
  }

  it("THEN a newer package's collection wins over the old-format stub it carries for old Anki versions", async () => {
    const stub = collectionBytes({
      schema: 11,
      noteTypes: [BASIC],
      notes: [
        {
          id: 1,
          guid: "stub",
          mid: BASIC.id,
          fields: ["Please update to the latest Anki version", "."],
          ords: [0],
        },
      ],
    });
    const real = collectionBytes({ schema: 18, noteTypes: TYPES, notes: NOTES });
    const bytes = zipSync({
      "collection.anki2": stub,
      "collection.anki21b": zstdRaw(real),
      media: zstdRaw(new Uint8Array()),
    });
    expect(cardsOf((await read(bytes, "export.colpkg")).cards)).toEqual(EXPECTED);
  });

  it("THEN a note type missing from the collection is imported as front and back, with a warning", async () => {
    const col = collectionBytes({
      schema: 11,
      noteTypes: [BASIC],
      notes: [{ id: 1, guid: "odd-1", mid: 4242, fields: ["Question", "Answer", "More"], ords: [0] }],
    });
    const file = await read(packageBytes("collection.anki2", col));
    expect(cardsOf(file.cards)).toEqual([{ key: "odd-1", front: "Question", back: "Answer", tags: [] }]);
    expect(file.warnings.map((w) => w.message).join("\n")).toContain(
      "could not be read from its templates: imported as front (first field) and back (second field)",
    );
  });

  it("THEN several Anki decks become one deck named for their common parent, and the reply says so", async () => {
    const col = collectionBytes({
      schema: 11,
      noteTypes: [BASIC],
      decks: { 1: "Spanish::Verbs", 2: "Spanish::Nouns" },
      notes: [
        { id: 1, guid: "v1", mid: BASIC.id, fields: ["ser", "to be"], ords: [0], deck: 1 },
        { id: 2, guid: "n1", mid: BASIC.id, fields: ["la mesa", "the table"], ords: [0], deck: 2 },
      ],
    });
    const file = await read(packageBytes("collection.anki2", col));
    expect(file.fileDeckName).toBe("Spanish");
    expect(file.warnings[0]?.message).toBe("2 Anki decks were imported as one deck");
  });
});

describe("GIVEN a hostile or broken package", () => {
  const refusal = async (bytes: Uint8Array, fileName = "deck.apkg") => {
    try {
      await read(bytes, fileName);
    } catch (err) {
      expect(err).toBeInstanceOf(UserError);
      return (err as Error).message;
    }
    throw new Error("the package was not refused");
  };

  it("THEN a file named .apkg that is not a zip is refused, saying so", async () => {
    expect(await refusal(new TextEncoder().encode("front\tback\n"))).toContain(
      "it is not a zip file, which an Anki package (.apkg or .colpkg) is",
    );
  });

  it("THEN a zip without a collection is refused", async () => {
    expect(await refusal(zipSync({ "notes.txt": new TextEncoder().encode("hi") }))).toContain(
      "it has no Anki collection inside",
    );
  });

  it("THEN a zip bomb (a collection that inflates past the cap) is refused while inflating", async () => {
    const bomb = zipSync({ "collection.anki2": new Uint8Array(65 * 1024 * 1024) }, { level: 9 });
    expect(bomb.length).toBeLessThan(200 * 1024);
    expect(await refusal(bomb)).toContain("`deck.apkg`: its collection unpacks to more than 64 MiB. Export");
  });

  it("THEN a zstd bomb in a newer collection is refused while decompressing", async () => {
    const huge = zstdRaw(new Uint8Array(65 * 1024 * 1024));
    expect(await refusal(zipSync({ "collection.anki21b": huge }, { level: 9 }))).toContain(
      "its collection unpacks to more than 64 MiB",
    );
  });

  it("THEN a package of 10,000 entries is refused", async () => {
    const files: Record<string, Uint8Array> = { "collection.anki2": new Uint8Array(10) };
    for (let k = 0; k < 10_000; k++) files[String(k)] = new Uint8Array(1);
    expect(await refusal(zipSync(files))).toContain("it holds more than 2,000 files");
  });

  it("THEN a corrupt collection is refused as one", async () => {
    const junk = new TextEncoder().encode(
      "SQLite format 3\u0000 but then nothing that SQLite can read ".repeat(50),
    );
    expect(await refusal(packageBytes("collection.anki2", junk))).toMatch(
      /the collection could not be (opened|read)/,
    );
  });

  it("THEN a collection with no cards is refused, saying so", async () => {
    const col = collectionBytes({ schema: 11, noteTypes: [], notes: [] });
    expect(await refusal(packageBytes("collection.anki2", col))).toContain("the package has no cards");
  });

  it("THEN a zstd frame built to be slow (10,000 one-byte blocks in a 64 MiB window) is refused before decoding", async () => {
    const size = 64 * 1024 * 1024;
    const frame: number[] = [
      0x28,
      0xb5,
      0x2f,
      0xfd,
      0xa0,
      size & 255,
      (size >> 8) & 255,
      (size >> 16) & 255,
      size >>> 24,
    ];
    for (let k = 0; k < 10_000; k++) {
      const h = (1 << 3) | (k === 9_999 ? 1 : 0);
      frame.push(h & 255, (h >> 8) & 255, 0, 0x41);
    }
    expect(await refusal(zipSync({ "collection.anki21b": Uint8Array.from(frame) }))).toContain(
      "its collection's zstd data is built to take minutes to unpack",
    );
  });

  it("THEN a package of more cards than a deck holds is refused, not cut", async () => {
    const notes = Array.from({ length: 5_001 }, (_, k) => ({
      id: k + 1,
      guid: `n${k}`,
      mid: BASIC.id,
      fields: [`question ${k}`, `answer ${k}`],
      ords: [0],
    }));
    const col = collectionBytes({ schema: 11, noteTypes: [BASIC], notes });
    expect(await refusal(packageBytes("collection.anki2", col))).toContain(
      "the package has 5,001 cards; a deck holds at most 5,000",
    );
  });

  it("THEN a collection whose tables compute columns on read is refused as not Anki's", async () => {
    const dir = mkdtempSync(join(tmpdir(), "anki-generated-"));
    try {
      const path = join(dir, "c.db");
      const db = new Database(path);
      db.exec(`CREATE TABLE col (id integer primary key, models text, decks text);
        CREATE TABLE notes (id integer primary key, guid text, mid integer, tags text,
          flds text GENERATED ALWAYS AS (printf('%.*c', 1000, 'x')) VIRTUAL);
        CREATE TABLE cards (id integer primary key, nid integer, did integer, ord integer);`);
      db.close();
      expect(await refusal(packageBytes("collection.anki2", readFileSync(path)))).toContain(
        "the collection's `notes` table is not Anki's (it has computed columns)",
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
