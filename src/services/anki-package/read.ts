/**
 * An Anki package (.apkg / .colpkg) read for `/deck import` and `npm run deck`: unpacked under caps (unpack.ts),
 * its collection opened read-only from a temporary copy (src/db/anki/collection.ts), and each of its cards rendered
 * from its note type's templates (core/decks/anki-templates.ts): Basic, Basic (and reversed card), Basic (optional
 * reversed card) and Type-in give one card per card Anki made, Cloze one per cloze number. Fields' HTML goes through
 * the same conversion as the text import (core/decks/html.ts). Card keys are the note's guid (keys.ts `guidKey`),
 * `.t<n>` for a note's card of template n > 0, `.c<n>` for cloze n: a re-import keeps every schedule, and a note
 * imported from Anki's text export before keeps its own. Media are not imported yet: images and sounds are named
 * in the warnings. With `progress` (`import_progress`), the cards' review log is read too and handed on by card key
 * (replayed by anki-package/progress.ts); it is never read otherwise.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AnkiRevlogEntry } from "../../core/anki-replay.ts";
import { type NoteType, renderAnkiCard } from "../../core/decks/anki-templates.ts";
import { htmlToMarkdown } from "../../core/decks/html.ts";
import { guidKey } from "../../core/decks/keys.ts";
import { MAX_CARDS, MAX_DECK_NAME_CHARS, MAX_IMPORTED_REVIEWS } from "../../core/decks/limits.ts";
import {
  type DeckIssue,
  finish,
  type ParsedCard,
  type ParseResult,
  type RawDeck,
} from "../../core/decks/parse.ts";
import { normalizeSide, quote } from "../../core/decks/text.ts";
import { type AnkiCollection, CollectionError, readCollection } from "../../db/anki/collection.ts";
import { PackageError, unpackPackage } from "./unpack.ts";

export { looksLikeZip, PACKAGE_LIMITS, PackageError } from "./unpack.ts";

// `[^\][]`: a `[sound:` that never closes is not re-scanned from every later `[` (linear, not quadratic).
const SOUND = /\[sound:([^\][]*)\]/g;

/** The collection's bytes as a temporary file (better-sqlite3 opens files), removed once read. */
function readFromTemporaryCopy(bytes: Uint8Array, progress: boolean): AnkiCollection {
  const dir = mkdtempSync(join(tmpdir(), "anki-package-"));
  try {
    const path = join(dir, "collection.sqlite");
    writeFileSync(path, bytes);
    return readCollection(path, MAX_CARDS, progress ? { max: MAX_IMPORTED_REVIEWS } : undefined);
  } catch (err) {
    if (err instanceof CollectionError) throw new PackageError(err.message);
    throw err;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function side(html: string): { text: string; media: string[] } {
  const media: string[] = [];
  const noSound = html.replace(SOUND, (_m, file: string) => {
    media.push(file);
    return "";
  });
  const converted = htmlToMarkdown(noSound);
  return { text: normalizeSide(converted.text), media: [...media, ...converted.media] };
}

/** The deck name for the import: the package's one deck, or the parent all its decks share. */
function deckNameOf(col: AnkiCollection): string | undefined {
  const used = [...new Set(col.cards.map((c) => col.decks.get(c.did) ?? ""))].filter((n) => n !== "");
  if (used.length === 0) return undefined;
  const parts = used.map((n) => n.split("::"));
  const common: string[] = [];
  for (let k = 0; parts.every((p) => p[k] !== undefined && p[k] === parts[0]?.[k]); k++)
    common.push(parts[0]?.[k] ?? "");
  const name = common.join("::");
  return name === "" || name === "Default" ? undefined : [...name].slice(0, MAX_DECK_NAME_CHARS).join("");
}

/** The review history of a package's cards, by card key (`import_progress`). */
export interface PackageHistory {
  byKey: Map<string, AnkiRevlogEntry[]>;
  /** The entries of the cards read; over MAX_IMPORTED_REVIEWS, `byKey` is empty (the import refuses). */
  total: number;
}

/**
 * The package's cards as a deck parser would give them (validated next by the shared checks); with `progress`,
 * also their review history (the revlog is not read otherwise).
 */
export function readAnkiPackage(
  bytes: Uint8Array,
  opts: { progress?: boolean } = {},
): RawDeck & { decks: number; history?: PackageHistory } {
  const { collection } = unpackPackage(bytes);
  const col = readFromTemporaryCopy(collection, opts.progress === true);
  const byKey = new Map<string, AnkiRevlogEntry[]>();
  const cards: ParsedCard[] = [];
  const errors: DeckIssue[] = [];
  const warnings: DeckIssue[] = [];
  const fallback = new Set<string>();
  const dropped = new Set<string>();
  let line = 0;
  for (const c of col.cards) {
    line++;
    const note = col.notes.get(c.nid);
    if (!note) continue;
    const nt: NoteType | undefined = col.noteTypes.get(note.mid);
    const rendered = nt
      ? renderAnkiCard(nt, {
          values: note.fields,
          ord: c.ord,
          tags: note.tags,
          deck: col.decks.get(c.did) ?? "",
        })
      : null;
    let question = rendered ? side(rendered.question) : { text: "", media: [] };
    let answer = rendered ? side(rendered.answer) : { text: "", media: [] };
    if (question.text === "" && question.media.length === 0) {
      // A note type the templates do not render (missing, or unknown syntax): its first two fields, as Anki's text export.
      fallback.add(nt?.name ?? `note type ${note.mid}`);
      question = side(note.fields[0] ?? "");
      answer = side(note.fields[1] ?? "");
    }
    for (const m of [...question.media, ...answer.media]) dropped.add(m);
    const suffix = nt?.kind === "cloze" ? `.c${c.ord + 1}` : c.ord > 0 ? `.t${c.ord}` : "";
    if (question.text === "" || answer.text === "") {
      warnings.push({
        line,
        message: `a card of note type ${quote(nt?.name ?? String(note.mid))} has no text on its ${question.text === "" ? "question" : "answer"} (only media, which is not imported yet); it was skipped`,
      });
      continue;
    }
    const key = guidKey(note.guid, suffix);
    cards.push({ key, front: question.text, back: answer.text, tags: note.tags, line });
    const reviews = col.revlog?.byCard.get(c.id);
    if (reviews) byKey.set(key, reviews);
  }
  if (fallback.size > 0)
    warnings.push({
      line: 1,
      message: `note type${fallback.size === 1 ? "" : "s"} ${[...fallback].map((x) => quote(x)).join(", ")} could not be read from ${fallback.size === 1 ? "its" : "their"} templates: imported as front (first field) and back (second field)`,
    });
  if (dropped.size > 0)
    warnings.push({
      line: 1,
      message: `media dropped: ${[...dropped]
        .slice(0, 10)
        .map((x) => quote(x))
        .join(
          ", ",
        )}${dropped.size > 10 ? ` and ${dropped.size - 10} more` : ""} (images and sounds are not imported)`,
    });
  if (col.cards.length === 0) errors.push({ line: 1, message: "the package has no cards" });
  if (col.totalCards > MAX_CARDS)
    errors.push({
      line: 1,
      message: `the package has ${col.totalCards.toLocaleString("en-US")} cards; a deck holds at most ${MAX_CARDS.toLocaleString("en-US")} (export fewer decks)`,
    });
  const name = deckNameOf(col);
  return {
    meta: name ? { name } : {},
    metaLines: {},
    cards,
    errors,
    warnings,
    keys: "file",
    decks: new Set(col.cards.map((c) => c.did)).size,
    ...(col.revlog && { history: { byKey, total: col.revlog.total } }),
  };
}

/** A package read whole, with the shared checks (`npm run deck -- check|convert`): a refusal is its one error. */
export function parsePackage(bytes: Uint8Array): ParseResult {
  let raw: ReturnType<typeof readAnkiPackage>;
  try {
    raw = readAnkiPackage(bytes);
  } catch (err) {
    if (!(err instanceof PackageError)) throw err;
    return {
      format: "apkg",
      keys: "file",
      meta: {},
      cards: [],
      errors: [{ line: 1, message: err.message }],
      warnings: [],
    };
  }
  const steps = finish("apkg", raw);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}
