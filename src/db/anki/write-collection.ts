/**
 * Writing an Anki collection (legacy schema 11, as Anki 2.1 still imports as `collection.anki21`) for `/deck export
 * format: Anki package`: one Basic note per card (guid = the card's key, so a re-import keeps every schedule), in
 * one deck. The only SQL here that is not the bot's own database, beside collection.ts which reads them.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";

export interface CollectionNote {
  guid: string;
  /** Field HTML. */
  front: string;
  back: string;
  tags: string[];
}

/** Anki's legacy collection schema (11), as collection.anki2 / .anki21 hold it (the test fixtures build on it too). */
export const LEGACY_COLLECTION_SCHEMA = `
CREATE TABLE col (id integer primary key, crt integer not null, mod integer not null, scm integer not null,
  ver integer not null, dty integer not null, usn integer not null, ls integer not null, conf text not null,
  models text not null, decks text not null, dconf text not null, tags text not null);
CREATE TABLE notes (id integer primary key, guid text not null, mid integer not null, mod integer not null,
  usn integer not null, tags text not null, flds text not null, sfld integer not null, csum integer not null,
  flags integer not null, data text not null);
CREATE TABLE cards (id integer primary key, nid integer not null, did integer not null, ord integer not null,
  mod integer not null, usn integer not null, type integer not null, queue integer not null, due integer not null,
  ivl integer not null, factor integer not null, reps integer not null, lapses integer not null,
  left integer not null, odue integer not null, odid integer not null, flags integer not null, data text not null);
CREATE TABLE revlog (id integer primary key, cid integer not null, usn integer not null, ease integer not null,
  ivl integer not null, lastIvl integer not null, factor integer not null, time integer not null,
  type integer not null);
CREATE TABLE graves (usn integer not null, oid integer not null, type integer not null);
CREATE INDEX ix_notes_usn on notes (usn);
CREATE INDEX ix_cards_usn on cards (usn);
CREATE INDEX ix_revlog_usn on revlog (usn);
CREATE INDEX ix_cards_nid on cards (nid);
CREATE INDEX ix_cards_sched on cards (did, queue, due);
CREATE INDEX ix_revlog_cid on revlog (cid);
CREATE INDEX ix_notes_csum on notes (csum);`;

const MODEL_ID = 1_700_000_000_001;
const DECK_ID = 1_700_000_000_002;

function basicModel(mod: number) {
  const field = (name: string, ord: number) => ({
    name,
    ord,
    sticky: false,
    rtl: false,
    font: "Arial",
    size: 20,
  });
  return {
    id: MODEL_ID,
    name: "Basic (study bot)",
    type: 0,
    mod,
    usn: -1,
    sortf: 0,
    did: DECK_ID,
    tmpls: [
      {
        name: "Card 1",
        ord: 0,
        qfmt: "{{Front}}",
        afmt: "{{FrontSide}}\n\n<hr id=answer>\n\n{{Back}}",
        did: null,
        bqfmt: "",
        bafmt: "",
      },
    ],
    flds: [field("Front", 0), field("Back", 1)],
    css: ".card { font-family: arial; font-size: 20px; text-align: center; }",
    latexPre: "\\documentclass[12pt]{article}\n\\begin{document}\n",
    latexPost: "\\end{document}",
    req: [[0, "any", [0]]],
    tags: [],
    vers: [],
  };
}

function deck(id: number, name: string, mod: number) {
  return {
    id,
    name,
    mod,
    usn: -1,
    desc: "",
    dyn: 0,
    conf: 1,
    collapsed: false,
    newToday: [0, 0],
    revToday: [0, 0],
    lrnToday: [0, 0],
    timeToday: [0, 0],
    extendNew: 0,
    extendRev: 0,
  };
}

/** The collection's SQLite bytes: `notes` in order, each a new card of the one deck `deckName`. */
export function writeCollection(deckName: string, notes: CollectionNote[], now: Date): Buffer {
  const dir = mkdtempSync(join(tmpdir(), "anki-export-"));
  try {
    const path = join(dir, "collection.anki21");
    const db = new Database(path);
    try {
      db.exec(LEGACY_COLLECTION_SCHEMA);
      const secs = Math.floor(now.getTime() / 1000);
      db.prepare("INSERT INTO col VALUES (1, ?, ?, ?, 11, 0, 0, 0, ?, ?, ?, ?, '{}')").run(
        secs,
        now.getTime(),
        now.getTime(),
        JSON.stringify({ nextPos: notes.length + 1, schedVer: 2, curDeck: DECK_ID, curModel: MODEL_ID }),
        JSON.stringify({ [MODEL_ID]: basicModel(secs) }),
        JSON.stringify({ 1: deck(1, "Default", secs), [DECK_ID]: deck(DECK_ID, deckName, secs) }),
        JSON.stringify({ 1: { id: 1, name: "Default", mod: secs, usn: -1 } }),
      );
      const note = db.prepare("INSERT INTO notes VALUES (?, ?, ?, ?, -1, ?, ?, ?, 0, 0, '')");
      const card = db.prepare(
        "INSERT INTO cards VALUES (?, ?, ?, 0, ?, -1, 0, 0, ?, 0, 0, 0, 0, 0, 0, 0, 0, '')",
      );
      const base = now.getTime();
      db.transaction(() => {
        notes.forEach((n, k) => {
          const id = base + k;
          const tags = n.tags.length > 0 ? ` ${n.tags.join(" ")} ` : "";
          note.run(id, n.guid, MODEL_ID, secs, tags, `${n.front}\u001f${n.back}`, n.front);
          card.run(id, id, DECK_ID, secs, k + 1);
        });
      })();
    } finally {
      db.close();
    }
    return readFileSync(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
