/**
 * An Anki package (.apkg / .colpkg) read for `/deck import` and `npm run deck`: unpacked under caps (unpack.ts),
 * its collection opened read-only from a temporary copy (src/db/anki/collection.ts), and each of its cards rendered
 * from its note type's templates (core/decks/anki-templates.ts): Basic, Basic (and reversed card), Basic (optional
 * reversed card) and Type-in give one card per card Anki made, Cloze one per cloze number. Fields' HTML goes through
 * the same conversion as the text import (core/decks/html.ts). Card keys are the note's guid (keys.ts `guidKey`),
 * `.t<n>` for a note's card of template n > 0, `.c<n>` for cloze n: a re-import keeps every schedule, and a note
 * imported from Anki's text export before keeps its own; a note's cards share its guid as their note key
 * (siblings). Images travel (images.ts, within decks/FORMAT.md's caps): a card keeps the first image of its
 * question and the first other image of its answer; sounds, videos and images past the caps are named in the
 * warnings, and a file a card shows that is not the image its name claims refuses the package. With `progress` (`import_progress`), the cards' review log is read too and handed on by card key
 * (replayed by anki-package/progress.ts); it is never read otherwise.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AnkiRevlogEntry } from "../../core/anki-replay.ts";
import { type NoteType, renderAnkiCard } from "../../core/decks/anki-templates.ts";
import { htmlToMarkdown } from "../../core/decks/html.ts";
import { claimedImageType, IMAGE_ONLY_TEXT, type ImageType, sniffImage } from "../../core/decks/images.ts";
import { guidKey } from "../../core/decks/keys.ts";
import {
  MAX_CARDS,
  MAX_DECK_IMAGE_BYTES,
  MAX_DECK_IMAGES,
  MAX_DECK_NAME_CHARS,
  MAX_IMAGE_BYTES,
  MAX_IMPORTED_REVIEWS,
} from "../../core/decks/limits.ts";
import {
  type DeckIssue,
  finish,
  type ParsedCard,
  type ParseResult,
  type RawDeck,
} from "../../core/decks/parse.ts";
import { foldReverses, reversedFrom } from "../../core/decks/reverse.ts";
import { normalizeSide, quote } from "../../core/decks/text.ts";
import { type AnkiCollection, CollectionError, readCollection } from "../../db/anki/collection.ts";
import { mediaBytes, PackageError, type UnpackedPackage, unpackPackage } from "./unpack.ts";

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

/** An image a deck stores (deck_media), checked to be what it is. */
export interface DeckImage {
  mime: ImageType;
  bytes: Buffer;
  sha256: string;
}

/**
 * The images the cards show, read from the package as they are first asked for: each checked to be the image
 * its name claims (else the package is refused: a PackageError), each and all of them within the caps (else
 * dropped, and said so).
 */
class ImageShelf {
  readonly kept = new Map<string, DeckImage>();
  readonly dropped = new Map<string, string>();
  private total = 0;
  constructor(private readonly pkg: UnpackedPackage) {}

  /** The name as the deck stores it when the image is kept; null (and why, in `dropped`) when it is not. */
  take(src: string): string | null {
    const name = this.pkg.media.has(src) ? src : safeDecode(src);
    if (this.kept.has(name)) return name;
    if (this.dropped.has(name)) return null;
    const why = this.check(name);
    if (why !== null) {
      this.dropped.set(name, why);
      return null;
    }
    return name;
  }

  private check(name: string): string | null {
    // A name is stored with every card that shows it: a crafted one of a megabyte would be copied thousands of times.
    if (name.length > MAX_MEDIA_NAME_CHARS) return `a name over ${MAX_MEDIA_NAME_CHARS} characters`;
    const claimed = claimedImageType(name);
    if (claimed === null) return "not an image the bot shows (png, jpg, gif, webp)";
    const stored = this.pkg.media.get(name);
    if (stored === undefined) return "not in the package";
    const bytes = stored === "too large" ? stored : mediaBytes(this.pkg, stored, MAX_IMAGE_BYTES, name);
    if (bytes === "too large" || bytes.length > MAX_IMAGE_BYTES) return "over 1 MiB";
    const actual = sniffImage(bytes);
    // Named an image, but not one: a file that could be anything is never attached to a message.
    if (actual === null)
      throw new PackageError(
        `its media file ${quote(name)} is not the ${claimed.slice(6).toUpperCase()} image its name says (its bytes are no image at all)`,
      );
    if (this.kept.size >= MAX_DECK_IMAGES) return `past the ${MAX_DECK_IMAGES} images a deck keeps`;
    if (this.total + bytes.length > MAX_DECK_IMAGE_BYTES) return "past the 10 MiB of images a deck keeps";
    this.total += bytes.length;
    const buffer = Buffer.from(bytes);
    this.kept.set(name, {
      mime: actual,
      bytes: buffer,
      sha256: createHash("sha256").update(buffer).digest("hex"),
    });
    return null;
  }
}

function safeDecode(src: string): string {
  try {
    return decodeURIComponent(src);
  } catch {
    return src;
  }
}

/** The review history of a package's cards, by card key (`import_progress`). */
export interface PackageHistory {
  byKey: Map<string, AnkiRevlogEntry[]>;
  /** The entries of the cards read; over MAX_IMPORTED_REVIEWS, `byKey` is empty (the import refuses). */
  total: number;
}

/**
 * The package's cards as a deck parser would give them (validated next by the shared checks), with the images
 * they show; with `progress`, also their review history (the revlog is not read otherwise).
 */
export function readAnkiPackage(
  bytes: Uint8Array,
  opts: { progress?: boolean } = {},
): RawDeck & { decks: number; media: Map<string, DeckImage>; history?: PackageHistory } {
  const pkg = unpackPackage(bytes);
  const col = readFromTemporaryCopy(pkg.collection, opts.progress === true);
  const shelf = new ImageShelf(pkg);
  const byKey = new Map<string, AnkiRevlogEntry[]>();
  const checkedTypes = new Set<NoteType>();
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
    if (nt && !checkedTypes.has(nt)) {
      checkTemplates(nt);
      checkedTypes.add(nt);
    }
    const rendered = nt
      ? renderAnkiCard(nt, {
          values: note.fields,
          ord: c.ord,
          tags: note.tags,
          deck: col.decks.get(c.did) ?? "",
        })
      : null;
    // HTML past this converts to far more than a side holds (1,500 characters): not converted, the card skipped.
    if (rendered && Math.max(rendered.question.length, rendered.answer.length) > MAX_SIDE_HTML) {
      warnings.push({
        line,
        message: `a card of note type ${quote(nt?.name ?? String(note.mid))} renders to more than ${MAX_SIDE_HTML / 1024} KiB of HTML on a side; it was skipped`,
      });
      continue;
    }
    let question = rendered ? side(rendered.question) : { text: "", media: [] };
    let answer = rendered ? side(rendered.answer) : { text: "", media: [] };
    if (question.text === "" && question.media.length === 0) {
      // A note type the templates do not render (missing, or unknown syntax): its first two fields, as Anki's text export.
      fallback.add(nt?.name ?? `note type ${note.mid}`);
      const [first = "", second = ""] = note.fields;
      if (Math.max(first.length, second.length) > MAX_SIDE_HTML) {
        warnings.push({
          line,
          message: `a note's field holds more than ${MAX_SIDE_HTML / 1024} KiB of HTML; it was skipped`,
        });
        continue;
      }
      question = side(first);
      answer = side(second);
    }
    const frontImage = firstImage(question.media, shelf, null);
    const backImage = firstImage(answer.media, shelf, frontImage);
    for (const m of [...question.media, ...answer.media]) if (!shelf.kept.has(m)) dropped.add(m);
    const suffix = nt?.kind === "cloze" ? `.c${c.ord + 1}` : c.ord > 0 ? `.t${c.ord}` : "";
    const front = question.text || (frontImage !== null ? IMAGE_ONLY_TEXT : "");
    const back = answer.text || (backImage !== null || frontImage !== null ? IMAGE_ONLY_TEXT : "");
    if (front === "" || back === "") {
      warnings.push({
        line,
        message: `a card of note type ${quote(nt?.name ?? String(note.mid))} has nothing the bot can show on its ${front === "" ? "question" : "answer"} (no text, and no image it keeps); it was skipped`,
      });
      continue;
    }
    const key = guidKey(note.guid, suffix);
    cards.push({
      key,
      front,
      back,
      tags: note.tags,
      line,
      // A reverse the bot exported as a note of its own is its card's sibling again.
      noteKey: reversedFrom(key) ?? guidKey(note.guid, ""),
      ...(frontImage !== null && { frontImage }),
      ...(backImage !== null && { backImage }),
    });
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
        .map((x) => `${quote(x)}${shelf.dropped.has(x) ? ` (${shelf.dropped.get(x)})` : ""}`)
        .join(
          ", ",
        )}${dropped.size > 10 ? ` and ${dropped.size - 10} more` : ""}. Sounds and videos are not imported; images are (png, jpg, gif, webp up to 1 MiB each)`,
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
    // A card and the reverse the bot exported beside it (`7`, `7~r`) are read as the reversed card they were: the
    // shared checks make the reverse again, with its own key (a written key never holds `~`).
    cards: foldReverses(cards).map(({ reversed, ...c }) => (reversed ? { ...c, reversed } : c)),
    errors,
    warnings,
    keys: "file",
    decks: new Set(col.cards.map((c) => c.did)).size,
    media: shelf.kept,
    ...(col.revlog && { history: { byKey, total: col.revlog.total } }),
  };
}

/** The longest media name an image keeps, and the most HTML a card's side may render to before conversion. */
const MAX_MEDIA_NAME_CHARS = 255;
const MAX_SIDE_HTML = 32 * 1024;
/** A note type's templates are rendered once per card: a huge one would be copied into every card. */
const MAX_TEMPLATE_CHARS = 64 * 1024;

/** Refuses (PackageError) a note type with a template over MAX_TEMPLATE_CHARS. */
function checkTemplates(nt: NoteType): void {
  for (const t of nt.templates)
    if (Math.max(t.qfmt.length, t.afmt.length) > MAX_TEMPLATE_CHARS)
      throw new PackageError(
        `its note type ${quote(nt.name)} has a card template over ${MAX_TEMPLATE_CHARS / 1024} KiB (Anki's own are a few hundred characters)`,
      );
}

/** The first image of a side the deck keeps, other than `not` (the question's, which an answer repeats). */
function firstImage(media: string[], shelf: ImageShelf, not: string | null): string | null {
  for (const src of media) {
    if (claimedImageType(src) === null && claimedImageType(safeDecode(src)) === null) continue;
    const name = shelf.take(src);
    if (name !== null && name !== not) return name;
  }
  return null;
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
