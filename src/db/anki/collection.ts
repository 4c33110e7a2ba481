/**
 * Reading an Anki collection (the SQLite file inside an .apkg / .colpkg, unpacked to a temporary file by
 * services/anki-package): its note types, decks, notes and cards, and, when an import brings progress, the cards'
 * review log (revlog); read-only. The only SQL here that is not the bot's own database: it lives in src/db with
 * the rest. Two schemas: the legacy one (collection.anki2 / .anki21: note types and decks as JSON in `col`) and
 * schema 18 (collection.anki21b: `notetypes`, `fields`, `templates` and `decks` tables, their settings
 * protobuf-encoded); both have the same revlog table.
 */
import Database from "better-sqlite3";
import protobuf from "protobufjs/minimal.js";
import type { AnkiRevlogEntry } from "../../core/anki-replay.ts";
import type { NoteType } from "../../core/decks/anki-templates.ts";

export interface AnkiNote {
  guid: string;
  /** Its note type's id. */
  mid: number;
  tags: string[];
  /** Field values (HTML), in the note type's field order. */
  fields: string[];
}

export interface AnkiCard {
  id: number;
  nid: number;
  did: number;
  ord: number;
}

export interface AnkiCollection {
  noteTypes: Map<number, NoteType>;
  decks: Map<number, string>;
  notes: Map<number, AnkiNote>;
  /** In the collection's order (note, then template or cloze number); at most `maxCards` + 1. */
  cards: AnkiCard[];
  /** All the collection's cards (an import over the limit is refused by it, not by what was read). */
  totalCards: number;
  /** Only when asked for (`reviews`): the review log of the cards read. */
  revlog?: AnkiRevlog;
}

/** The revlog entries of the cards read, by card id, in id (time) order. */
export interface AnkiRevlog {
  /** Empty when there are more than the cap (`total` says how many): the import refuses, nothing is read. */
  byCard: Map<number, AnkiRevlogEntry[]>;
  total: number;
}

/** Thrown for a file that is not an Anki collection SQLite can read: the import's refusal says so. */
export class CollectionError extends Error {
  override name = "CollectionError";
}

/** Reads one protobuf message's fields we need: numbers (varints) and strings by field number. */
function protoFields(bytes: Uint8Array | null): { ints: Map<number, number>; strings: Map<number, string> } {
  const ints = new Map<number, number>();
  const strings = new Map<number, string>();
  if (!bytes || bytes.length === 0) return { ints, strings };
  const r = protobuf.Reader.create(bytes);
  while (r.pos < r.len) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (wire === 0) ints.set(field, r.int32());
    else if (wire === 2) {
      const chunk = r.bytes();
      strings.set(field, Buffer.from(chunk).toString("utf8"));
    } else r.skipType(wire);
  }
  return { ints, strings };
}

interface LegacyModel {
  name?: string;
  type?: number;
  flds?: { name?: string; ord?: number }[];
  tmpls?: { name?: string; ord?: number; qfmt?: string; afmt?: string }[];
}

const byOrd = <T extends { ord?: number }>(a: T, b: T) => (a.ord ?? 0) - (b.ord ?? 0);

function legacyNoteTypes(json: string): Map<number, NoteType> {
  const out = new Map<number, NoteType>();
  const models = JSON.parse(json) as Record<string, LegacyModel>;
  for (const [id, m] of Object.entries(models)) {
    out.set(Number(id), {
      name: m.name ?? "",
      kind: m.type === 1 ? "cloze" : "normal",
      fields: [...(m.flds ?? [])].sort(byOrd).map((f) => f.name ?? ""),
      templates: [...(m.tmpls ?? [])]
        .sort(byOrd)
        .map((t) => ({ name: t.name ?? "", qfmt: t.qfmt ?? "", afmt: t.afmt ?? "" })),
    });
  }
  return out;
}

function schema18NoteTypes(db: Database.Database): Map<number, NoteType> {
  const out = new Map<number, NoteType>();
  const types = db.prepare("SELECT id, name, config FROM notetypes").all() as {
    id: number;
    name: string;
    config: Uint8Array | null;
  }[];
  const fields = db.prepare("SELECT ntid, name FROM fields ORDER BY ntid, ord").all() as {
    ntid: number;
    name: string;
  }[];
  const templates = db.prepare("SELECT ntid, name, config FROM templates ORDER BY ntid, ord").all() as {
    ntid: number;
    name: string;
    config: Uint8Array | null;
  }[];
  for (const t of types) {
    // NotetypeConfig.kind (field 1): 0 normal, 1 cloze.
    const kind = protoFields(t.config).ints.get(1) === 1 ? "cloze" : "normal";
    out.set(t.id, { name: t.name, kind, fields: [], templates: [] });
  }
  for (const f of fields) out.get(f.ntid)?.fields.push(f.name);
  for (const t of templates) {
    // CardTemplateConfig: q_format (1), a_format (2).
    const c = protoFields(t.config).strings;
    out.get(t.ntid)?.templates.push({ name: t.name, qfmt: c.get(1) ?? "", afmt: c.get(2) ?? "" });
  }
  return out;
}

const tablesOf = (db: Database.Database) =>
  new Set(
    (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(
      (t) => t.name,
    ),
  );

/** The cards an import reads: the first `maxCards` + 1 in the collection's order (a bound parameter). */
const CARDS_READ = "SELECT id FROM cards ORDER BY nid, ord LIMIT ?";

/**
 * The review log of the cards read, unless there are more than `max` entries (counted first: an over-large log is
 * never read into memory). Both schemas have the same revlog table; a collection without one has no history.
 */
function readRevlog(db: Database.Database, maxCards: number, max: number): AnkiRevlog {
  const byCard = new Map<number, AnkiRevlogEntry[]>();
  const total = (
    db.prepare(`SELECT count(*) AS n FROM revlog WHERE cid IN (${CARDS_READ})`).get(maxCards + 1) as {
      n: number;
    }
  ).n;
  if (total > max) return { byCard, total };
  const rows = db
    .prepare(
      `SELECT id, cid, ease, type, factor, time FROM revlog WHERE cid IN (${CARDS_READ}) ORDER BY cid, id LIMIT ?`,
    )
    .raw()
    .iterate(maxCards + 1, max) as IterableIterator<unknown[]>;
  for (const [id, cid, ease, type, factor, time] of rows) {
    const entry = {
      id: Number(id),
      ease: Number(ease),
      type: Number(type),
      factor: Number(factor),
      time: Number(time),
    };
    const card = Number(cid);
    const list = byCard.get(card);
    if (list) list.push(entry);
    else byCard.set(card, [entry]);
  }
  return { byCard, total };
}

/**
 * Opens the collection file read-only and reads what an import needs; throws CollectionError when it cannot.
 * `reviews`: also read the cards' review log (revlog), at most `max` entries.
 */
export function readCollection(path: string, maxCards: number, reviews?: { max: number }): AnkiCollection {
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new CollectionError(`the collection could not be opened (${(err as Error).message})`);
  }
  try {
    const tables = tablesOf(db);
    for (const need of ["col", "notes", "cards"])
      if (!tables.has(need)) throw new CollectionError(`the collection has no \`${need}\` table`);
    // A crafted file could make a column computed on read (one that grows to gigabytes): Anki's tables have none.
    for (const table of [
      "col",
      "notes",
      "cards",
      ...(tables.has("notetypes") ? ["notetypes", "fields", "templates", "decks"] : []),
      ...(reviews && tables.has("revlog") ? ["revlog"] : []),
    ]) {
      const columns = db.prepare(`SELECT name, hidden FROM pragma_table_xinfo(?)`).all(table) as {
        hidden: number;
      }[];
      if (columns.some((c) => c.hidden !== 0))
        throw new CollectionError(
          `the collection's \`${table}\` table is not Anki's (it has computed columns)`,
        );
    }
    const col = db.prepare("SELECT models, decks FROM col").get() as
      | { models: string; decks: string }
      | undefined;
    const modern = tables.has("notetypes");
    const noteTypes = modern ? schema18NoteTypes(db) : legacyNoteTypes(col?.models || "{}");
    const decks = new Map<number, string>();
    if (tables.has("decks")) {
      for (const d of db.prepare("SELECT id, name FROM decks").all() as { id: number; name: string }[])
        decks.set(d.id, d.name.replaceAll("\u001f", "::"));
    } else {
      for (const [id, d] of Object.entries(
        JSON.parse(col?.decks || "{}") as Record<string, { name?: string }>,
      ))
        decks.set(Number(id), d.name ?? "");
    }
    const totalCards = (db.prepare("SELECT count(*) AS n FROM cards").get() as { n: number }).n;
    const cards = db
      .prepare("SELECT id, nid, did, ord FROM cards ORDER BY nid, ord LIMIT ?")
      .all(maxCards + 1) as AnkiCard[];
    const notes = new Map<number, AnkiNote>();
    // One statement for the notes of those cards: no per-card lookup (a crafted notes table may have no index).
    const rows = db
      .prepare(
        "SELECT id, guid, mid, tags, flds FROM notes WHERE id IN (SELECT nid FROM cards ORDER BY nid, ord LIMIT ?)",
      )
      .all(maxCards + 1) as { id: number; guid: string; mid: number; tags: string; flds: string }[];
    for (const n of rows)
      notes.set(n.id, {
        guid: n.guid,
        mid: n.mid,
        tags: n.tags.split(/\s+/).filter((t) => t !== ""),
        fields: n.flds.split("\u001f"),
      });
    const revlog = !reviews
      ? undefined
      : tables.has("revlog")
        ? readRevlog(db, maxCards, reviews.max)
        : { byCard: new Map(), total: 0 };
    return { noteTypes, decks, notes, cards, totalCards, ...(revlog && { revlog }) };
  } catch (err) {
    if (err instanceof CollectionError) throw err;
    throw new CollectionError(`the collection could not be read (${(err as Error).message})`);
  } finally {
    db.close();
  }
}
