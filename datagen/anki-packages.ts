/**
 * Small Anki packages for the tests and the bench, built with the schema Anki documents: a collection SQLite file
 * (the legacy schema 11 of collection.anki2 / .anki21, or schema 18 of collection.anki21b with its protobuf-encoded
 * note type and template settings), zipped with its media map; and the hostile ones an import must refuse. A zstd
 * frame of raw blocks stands in for Anki's compression (any zstd decoder reads it; nothing here needs an encoder).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { zipSync } from "fflate";
import protobuf from "protobufjs/minimal.js";
import { LEGACY_COLLECTION_SCHEMA } from "../src/db/anki/write-collection.ts";

export interface FixtureNoteType {
  id: number;
  name: string;
  kind: "normal" | "cloze";
  fields: string[];
  templates: { name: string; qfmt: string; afmt: string }[];
}

export interface FixtureNote {
  id: number;
  guid: string;
  mid: number;
  fields: string[];
  tags?: string[];
  /** The cards Anki made for it: template ords (normal) or cloze numbers minus one. */
  ords: number[];
  deck?: number;
  /** Its cards' review log (revlog lines), by the card's ord. */
  reviews?: FixtureReview[];
}

/** One revlog line: `at` is its id (epoch ms, unique in a collection); type 1 (review) unless said. */
export interface FixtureReview {
  ord?: number;
  at: number;
  ease: number;
  type?: number;
  factor?: number;
  /** Time spent (ms). */
  time?: number;
}

export const BASIC: FixtureNoteType = {
  id: 1001,
  name: "Basic",
  kind: "normal",
  fields: ["Front", "Back"],
  templates: [{ name: "Card 1", qfmt: "{{Front}}", afmt: "{{FrontSide}}\n\n<hr id=answer>\n\n{{Back}}" }],
};
export const REVERSED: FixtureNoteType = {
  id: 1002,
  name: "Basic (and reversed card)",
  kind: "normal",
  fields: ["Front", "Back"],
  templates: [
    { name: "Card 1", qfmt: "{{Front}}", afmt: "{{FrontSide}}\n\n<hr id=answer>\n\n{{Back}}" },
    { name: "Card 2", qfmt: "{{Back}}", afmt: "{{FrontSide}}\n\n<hr id=answer>\n\n{{Front}}" },
  ],
};
export const OPTIONAL_REVERSED: FixtureNoteType = {
  id: 1003,
  name: "Basic (optional reversed card)",
  kind: "normal",
  fields: ["Front", "Back", "Add Reverse"],
  templates: [
    { name: "Card 1", qfmt: "{{Front}}", afmt: "{{FrontSide}}\n\n<hr id=answer>\n\n{{Back}}" },
    {
      name: "Card 2",
      qfmt: "{{#Add Reverse}}{{Back}}{{/Add Reverse}}",
      afmt: "{{FrontSide}}\n\n<hr id=answer>\n\n{{Front}}",
    },
  ],
};
export const TYPE_IN: FixtureNoteType = {
  id: 1004,
  name: "Basic (type in the answer)",
  kind: "normal",
  fields: ["Front", "Back"],
  templates: [
    {
      name: "Card 1",
      qfmt: "{{Front}}\n\n{{type:Back}}",
      afmt: "{{Front}}\n\n<hr id=answer>\n\n{{type:Back}}",
    },
  ],
};
export const CLOZE: FixtureNoteType = {
  id: 1005,
  name: "Cloze",
  kind: "cloze",
  fields: ["Text", "Back Extra"],
  templates: [{ name: "Cloze", qfmt: "{{cloze:Text}}", afmt: "{{cloze:Text}}<br>\n{{Back Extra}}" }],
};

const SCHEMA_18 = `
CREATE TABLE notetypes (id integer not null primary key, name text not null, mtime_secs integer not null,
  usn integer not null, config blob not null);
CREATE TABLE fields (ntid integer not null, ord integer not null, name text not null, config blob not null,
  primary key (ntid, ord)) without rowid;
CREATE TABLE templates (ntid integer not null, ord integer not null, name text not null,
  mtime_secs integer not null, usn integer not null, config blob not null, primary key (ntid, ord)) without rowid;
CREATE TABLE decks (id integer primary key not null, name text not null, mtime_secs integer not null,
  usn integer not null, common blob not null, kind blob not null);`;

export interface CollectionSpec {
  schema: 11 | 18;
  noteTypes: FixtureNoteType[];
  notes: FixtureNote[];
  decks?: Record<number, string>;
}

/** The progress tests' collection: "der Hund" (Basic and reversed, with `reviews`) and "das Haus" (Basic). */
export function germanCollection(schema: 11 | 18, reviews: FixtureReview[]): CollectionSpec {
  return {
    schema,
    noteTypes: [BASIC, REVERSED],
    decks: { 1: "German" },
    notes: [
      { id: 1, guid: "g-hund", mid: REVERSED.id, fields: ["der Hund", "the dog"], ords: [0, 1], reviews },
      { id: 2, guid: "g-haus", mid: BASIC.id, fields: ["das Haus", "the house"], ords: [0] },
    ],
  };
}

/** The collection's SQLite bytes. */
export function collectionBytes(spec: CollectionSpec): Buffer {
  const dir = mkdtempSync(join(tmpdir(), "anki-fixture-"));
  try {
    const path = join(dir, "collection");
    const db = new Database(path);
    db.exec(LEGACY_COLLECTION_SCHEMA); // the same tables the bot's own export writes
    // One transaction: a bench-sized history is 150,000 revlog lines.
    db.exec("BEGIN");
    const decks = spec.decks ?? { 1: "Default" };
    if (spec.schema === 18) {
      db.exec(SCHEMA_18);
      for (const nt of spec.noteTypes) {
        const config = protobuf.Writer.create()
          .uint32((1 << 3) | 0)
          .int32(nt.kind === "cloze" ? 1 : 0)
          .finish();
        db.prepare("INSERT INTO notetypes VALUES (?, ?, 0, 0, ?)").run(nt.id, nt.name, config);
        nt.fields.forEach((f, k) => {
          db.prepare("INSERT INTO fields VALUES (?, ?, ?, ?)").run(nt.id, k, f, Buffer.alloc(0));
        });
        nt.templates.forEach((t, k) => {
          const c = protobuf.Writer.create()
            .uint32((1 << 3) | 2)
            .string(t.qfmt)
            .uint32((2 << 3) | 2)
            .string(t.afmt)
            .finish();
          db.prepare("INSERT INTO templates VALUES (?, ?, ?, 0, 0, ?)").run(nt.id, k, t.name, c);
        });
      }
      for (const [id, name] of Object.entries(decks))
        db.prepare("INSERT INTO decks VALUES (?, ?, 0, 0, ?, ?)").run(
          Number(id),
          name.replaceAll("::", "\u001f"),
          Buffer.alloc(0),
          Buffer.alloc(0),
        );
      db.prepare("INSERT INTO col VALUES (1, 0, 0, 0, 18, 0, 0, 0, '', '', '', '', '')").run();
    } else {
      const models = Object.fromEntries(
        spec.noteTypes.map((nt) => [
          String(nt.id),
          {
            id: nt.id,
            name: nt.name,
            type: nt.kind === "cloze" ? 1 : 0,
            flds: nt.fields.map((name, ord) => ({ name, ord })),
            tmpls: nt.templates.map((t, ord) => ({ ...t, ord })),
          },
        ]),
      );
      const deckJson = Object.fromEntries(
        Object.entries(decks).map(([id, name]) => [id, { id: Number(id), name }]),
      );
      db.prepare("INSERT INTO col VALUES (1, 0, 0, 0, 11, 0, 0, 0, '{}', ?, ?, '{}', '{}')").run(
        JSON.stringify(models),
        JSON.stringify(deckJson),
      );
    }
    let cardId = 1;
    const insertCard = db.prepare(
      "INSERT INTO cards VALUES (?, ?, ?, ?, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '')",
    );
    const insertReview = db.prepare("INSERT INTO revlog VALUES (?, ?, 0, ?, 0, 0, ?, ?, ?)");
    for (const n of spec.notes) {
      const tags = n.tags?.length ? ` ${n.tags.join(" ")} ` : "";
      db.prepare("INSERT INTO notes VALUES (?, ?, ?, 0, 0, ?, ?, '', 0, 0, '')").run(
        n.id,
        n.guid,
        n.mid,
        tags,
        n.fields.join("\u001f"),
      );
      for (const ord of n.ords) {
        insertCard.run(cardId, n.id, n.deck ?? Number(Object.keys(decks)[0]), ord);
        for (const r of n.reviews ?? [])
          if ((r.ord ?? 0) === ord)
            insertReview.run(r.at, cardId, r.ease, r.factor ?? 2500, r.time ?? 8000, r.type ?? 1);
        cardId++;
      }
    }
    db.exec("COMMIT");
    db.close();
    return readFileSync(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A zstd frame of raw (stored) blocks: valid zstd, no compression. */
export function zstdRaw(data: Uint8Array): Uint8Array {
  const BLOCK = 128 * 1024;
  const parts: number[] = [0x28, 0xb5, 0x2f, 0xfd, 0xa0]; // magic; single segment, 4-byte content size
  const size = data.length;
  parts.push(size & 0xff, (size >>> 8) & 0xff, (size >>> 16) & 0xff, (size >>> 24) & 0xff);
  const head = Uint8Array.from(parts);
  const blocks: Uint8Array[] = [head];
  for (let at = 0; at < size || at === 0; at += BLOCK) {
    const chunk = data.subarray(at, Math.min(size, at + BLOCK));
    const last = at + BLOCK >= size ? 1 : 0;
    const header = (chunk.length << 3) | last; // block type 0: raw
    blocks.push(Uint8Array.from([header & 0xff, (header >>> 8) & 0xff, (header >>> 16) & 0xff]), chunk);
    if (size === 0) break;
  }
  const out = new Uint8Array(blocks.reduce((n, b) => n + b.length, 0));
  let k = 0;
  for (const b of blocks) {
    out.set(b, k);
    k += b.length;
  }
  return out;
}

/**
 * A package: the collection under its entry name (anki21b compressed), its media as numbered entries with their
 * map (JSON, or anki21b's zstd-compressed protobuf MediaEntries with each file compressed too), and any extra
 * entries.
 */
export function packageBytes(
  entry: "collection.anki2" | "collection.anki21" | "collection.anki21b",
  collection: Uint8Array,
  extra: Record<string, Uint8Array> = {},
  media: Record<string, Uint8Array> = {},
): Uint8Array {
  const latest = entry === "collection.anki21b";
  const names = Object.keys(media);
  let map: Uint8Array;
  if (latest) {
    const w = protobuf.Writer.create();
    for (const name of names) {
      const e = protobuf.Writer.create()
        .uint32((1 << 3) | 2)
        .string(name)
        .uint32((2 << 3) | 0)
        .uint32(media[name]?.length ?? 0)
        .finish();
      w.uint32((1 << 3) | 2).bytes(e);
    }
    map = zstdRaw(w.finish());
  } else
    map = new TextEncoder().encode(JSON.stringify(Object.fromEntries(names.map((n, k) => [String(k), n]))));
  const files: Record<string, Uint8Array> = {
    [entry]: latest ? zstdRaw(collection) : collection,
    media: map,
    ...extra,
  };
  names.forEach((name, k) => {
    const bytes = media[name] ?? new Uint8Array();
    files[String(k)] = latest ? zstdRaw(bytes) : bytes;
  });
  return zipSync(files);
}

/** A real 1×1 PNG (red), and a GIF: the images of the fixtures. */
export const PNG_1X1 = Buffer.from(
  "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c49444154789c63f8cfc0000003010100c9fe92ef0000000049454e44ae426082",
  "hex",
);
export const GIF_1X1 = Buffer.from(
  "47494638396101000100800000ff000000000021f90401000000002c00000000010001000002024401003b",
  "hex",
);

/** The packages an import must refuse, by what is wrong with them (the tests' and the bench's). */
export function hostilePackages(): Record<string, Uint8Array> {
  const entries: Record<string, Uint8Array> = { "collection.anki2": new Uint8Array(10) };
  for (let k = 0; k < 10_000; k++) entries[String(k)] = new Uint8Array(1);
  const size = 64 * 1024 * 1024;
  const slow = [0x28, 0xb5, 0x2f, 0xfd, 0xa0, size & 255, (size >> 8) & 255, (size >> 16) & 255, size >>> 24];
  for (let k = 0; k < 10_000; k++) slow.push(((1 << 3) | (k === 9_999 ? 1 : 0)) & 255, 0, 0, 0x41);
  const pictured = collectionBytes({
    schema: 18,
    noteTypes: [BASIC],
    notes: [{ id: 1, guid: "g", mid: BASIC.id, fields: ['<img src="a.png">', "b"], ords: [0] }],
  });
  const junk = new TextEncoder().encode(
    "SQLite format 3\u0000 but then nothing that SQLite can read ".repeat(50),
  );
  return {
    "zip bomb (1 GiB collection)": zipSync(
      { "collection.anki2": new Uint8Array(1024 * 1024 * 1024) },
      { level: 9 },
    ),
    "zstd bomb (65 MiB collection.anki21b)": zipSync(
      { "collection.anki21b": zstdRaw(new Uint8Array(65 * 1024 * 1024)) },
      { level: 9 },
    ),
    "slow zstd (10,000 one-byte blocks, 64 MiB window)": zipSync({
      "collection.anki21b": Uint8Array.from(slow),
    }),
    "10,000 entries": zipSync(entries),
    "corrupt collection": packageBytes("collection.anki2", junk),
    "mislabelled media (a script named .png)": packageBytes(
      "collection.anki21b",
      pictured,
      {},
      {
        "a.png": new TextEncoder().encode("<script>alert(1)</script>"),
      },
    ),
    "media bomb (256 MiB among the media)": zipSync(
      {
        "collection.anki2": pictured,
        media: new TextEncoder().encode('{"0":"a.png"}'),
        "0": new Uint8Array(256 * 1024 * 1024),
      },
      { level: 9 },
    ),
  };
}
