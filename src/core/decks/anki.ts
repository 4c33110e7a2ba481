/**
 * Anki "Notes in Plain Text" (Anki 2.1.54+), as Anki writes and reads it:
 *
 *   #separator:tab                 header lines at the top, `#key:value`
 *   #html:true
 *   #notetype column:2
 *   #deck column:3
 *   #tags column:6
 *   #guid column:1
 *   Ie0)6_+3s&	Basic	Spanish	<b>hola</b>	hello	greetings
 *
 * Header keys: `separator` (Tab, Comma, Semicolon, Pipe, Colon, Space, or the character itself), `html`
 * (true|false; when absent, a field holding a tag makes the file HTML, as in Anki), `tags` (tags for every note),
 * `columns` (column names, separated by the separator), `deck` and `notetype` (for every note), and
 * `guid column`, `tags column`, `deck column`, `notetype column` (1-based). A first line `tags:a b` is the old
 * way to give tags for every note. Records follow RFC 4180 with the separator (delimited.ts); a record whose
 * first character is `#` is a comment, as in Anki.
 *
 * The columns that are not guid, notetype, deck or tags are the note's fields: the first is the question, the
 * second the answer; further non-empty fields are added to the answer (reported once). A first field holding
 * cloze deletions (`{{c1::Paris::capital}}`) gives one card per cloze number: the question shows that number's
 * deletions as `[…]` (or `[hint]`), the answer the whole text with them in bold, then the other fields.
 * A note of Anki's *Basic (and reversed card)* type (by its English name, from `#notetype:` or the notetype
 * column) also gives its reverse card (reverse.ts), and so does a *Basic (optional reversed card)* note whose third
 * field (Add Reverse) is filled; a cloze note is never reversed.
 * HTML is converted to Discord Markdown (html.ts); images and sounds (`<img>`, `[sound:x.mp3]`) are dropped and
 * reported. Card keys: the guid (keys.ts: `guidKey`, plus `.c<n>` for cloze cards) when there is a guid
 * column, otherwise a hash of the question. The header lines are read in anki-header.ts.
 */
import { guessSeparator, readHeader, separatorName, splitTags } from "./anki-header.ts";
import { clozeNumbers, clozeSides } from "./cloze.ts";
import { delimitedRecords, readDelimited, writeRecord } from "./delimited.ts";
import { htmlToMarkdown, looksLikeHtml, textToHtml } from "./html.ts";
import { frontKey, guidKey } from "./keys.ts";
import { MAX_CARDS, MAX_DECK_NAME_CHARS } from "./limits.ts";
import { foldReverses, type NoteCard } from "./reverse.ts";
import { normalizeSide, quote } from "./text.ts";
import type { DeckIssue, DeckMeta, ParsedCard, RawDeck } from "./types.ts";

const SOUND = /\[sound:([^\]]*)\]/g;

/** Anki's stock note types with a reverse card (their English names, as its text export writes them). */
const REVERSED_TYPE = "basic (and reversed card)";
const OPTIONAL_REVERSED_TYPE = "basic (optional reversed card)";

interface Side {
  text: string;
  media: string[];
}

/** Notes read between two pauses (parse.ts steps). */
const NOTES_PER_STEP = 200;

/** Parses Anki's "Notes in Plain Text", as steps (parse.ts). */
export function* parseAnki(text: string): Generator<void, RawDeck, void> {
  const errors: DeckIssue[] = [];
  const warnings: DeckIssue[] = [];
  const cards: ParsedCard[] = [];
  const meta: DeckMeta = {};
  const metaLines: RawDeck["metaLines"] = {};

  const header = readHeader(text, errors, warnings);
  const body = text.slice(header.bodyStart);
  const separator = header.separator ?? guessSeparator(body);
  const readOptions = { delimiter: separator, comment: "#", firstLine: header.bodyLine };

  let tagsColumn = header.tagsColumn;
  if (header.columns !== undefined) {
    const labels = readDelimited(header.columns.value, { delimiter: separator }).records[0]?.fields ?? [];
    const at = labels.findIndex((l) => l.trim().toLowerCase() === "tags");
    if (tagsColumn === undefined && at !== -1) tagsColumn = at + 1;
  }
  const metaColumns = new Set(
    [header.guid, tagsColumn, header.deckColumn, header.notetypeColumn].filter((c) => c !== undefined),
  );
  // Without '#html:', a first pass looks for HTML in any note (as Anki does); records are read, never kept.
  let html = header.html;
  if (html === undefined) {
    html = false;
    let seen = 0;
    for (const r of delimitedRecords(body, readOptions)) {
      if (++seen % NOTES_PER_STEP === 0) yield;
      if (r.fields.some((f, k) => !metaColumns.has(k + 1) && looksLikeHtml(f))) {
        html = true;
        break;
      }
    }
  }
  const convert = (raw: string): Side => {
    const media: string[] = [];
    const noSound = raw.replace(SOUND, (_m, file: string) => {
      media.push(file);
      return "";
    });
    if (!html) return { text: normalizeSide(noSound), media };
    const converted = htmlToMarkdown(noSound);
    return { text: normalizeSide(converted.text), media: [...media, ...converted.media] };
  };

  let extraFieldsLine: number | undefined;
  const decks = new Set<string>();
  let uncounted = 0;
  let notesRead = 0;
  let unclosed: DeckIssue | undefined;
  const reader = delimitedRecords(body, readOptions);
  for (let next = reader.next(); ; next = reader.next()) {
    if (next.done) {
      unclosed = next.value;
      break;
    }
    const record = next.value;
    if (++notesRead % NOTES_PER_STEP === 0) yield;
    if (cards.length > MAX_CARDS) {
      uncounted++;
      continue;
    }
    const { fields, line } = record;
    const cell = (column: number | undefined): string | undefined =>
      column === undefined ? undefined : fields[column - 1];
    const noteFields = fields.filter((_, k) => !metaColumns.has(k + 1));
    if (noteFields.length < 2) {
      errors.push({
        line,
        message: `this row has only one field: a note needs a question and an answer separated by ${separatorName(separator)}${header.separator === undefined ? " (add a '#separator:' line if the file uses another separator)" : ""}`,
      });
      continue;
    }
    const deck = cell(header.deckColumn);
    if (deck !== undefined) decks.add(deck.trim());
    const tags = [...new Set([...header.tags, ...splitTags(cell(tagsColumn) ?? "")])];
    const guid = (cell(header.guid) ?? "").trim();
    const [frontRaw = "", backRaw = "", ...fieldsAfter] = noteFields;
    const type = (cell(header.notetypeColumn) ?? header.notetype ?? "").trim().toLowerCase();
    // The optional type's third field is its Add Reverse switch, not text.
    const optional = type === OPTIONAL_REVERSED_TYPE;
    const more = optional ? fieldsAfter.slice(1) : fieldsAfter;
    const reversed = type === REVERSED_TYPE || (optional && (fieldsAfter[0] ?? "").trim() !== "");
    const extras = more.filter((f) => f.trim() !== "");
    if (extras.length > 0 && extraFieldsLine === undefined) extraFieldsLine = line;

    const variants: { key?: string; question: string; answer: string }[] = [];
    const numbers = clozeNumbers(frontRaw);
    if (numbers.length === 0) {
      variants.push({ question: frontRaw, answer: backRaw, ...(guid !== "" && { key: guidKey(guid) }) });
    } else {
      if (reversed)
        warnings.push({
          line,
          message:
            "this note has cloze deletions, so it is not reversed (a cloze card's answer is its question filled in)",
        });
      for (const k of numbers) {
        const sides = clozeSides(frontRaw, k, html);
        const sep = html ? "<br><br>" : "\n\n";
        const answer = backRaw.trim() === "" ? sides.answer : `${sides.answer}${sep}${backRaw}`;
        variants.push({ ...sides, answer, ...(guid !== "" && { key: guidKey(guid, `.c${k}`) }) });
      }
    }
    for (const v of variants) {
      const question = convert(v.question);
      const answer = convert(
        [v.answer, ...extras].filter((f) => f.trim() !== "").join(html ? "<br><br>" : "\n\n"),
      );
      const dropped = [...new Set([...question.media, ...answer.media])];
      if (dropped.length > 0) {
        warnings.push({
          line,
          message: `media dropped: ${dropped.map((d) => quote(d)).join(", ")} (images and sounds are not imported)`,
        });
      }
      const mediaOnly = (side: Side, name: string): boolean => {
        if (side.text !== "" || side.media.length === 0) return false;
        errors.push({
          line,
          message: `the ${name} is only media (${side.media.map((d) => quote(d)).join(", ")}), which is not imported; add text to the note or leave it out`,
        });
        return true;
      };
      if (mediaOnly(question, "question") || mediaOnly(answer, "answer")) continue;
      cards.push({
        key: v.key ?? frontKey(question.text),
        front: question.text,
        back: answer.text,
        tags,
        line,
        ...(reversed && numbers.length === 0 && { reversed }),
      });
    }
  }
  if (extraFieldsLine !== undefined) {
    warnings.push({
      line: extraFieldsLine,
      message: "notes have more than two fields: the fields after the second were added to the answer",
    });
  }

  const deckName = header.deck ?? (decks.size === 1 ? [...decks][0] : undefined);
  if (deckName !== undefined && deckName !== "") {
    meta.name = [...deckName].slice(0, MAX_DECK_NAME_CHARS).join("");
  }
  if (unclosed !== undefined) errors.push(unclosed);
  if (notesRead === 0 && unclosed === undefined) {
    const onlyHeader = header.lastHeaderLine > 0;
    errors.push({
      line: onlyHeader ? header.lastHeaderLine : 1,
      message: onlyHeader
        ? "the file has header lines but no notes after them"
        : "no notes found: each line is a note, its fields separated by the separator",
    });
  }
  return {
    meta,
    metaLines,
    cards,
    errors,
    warnings,
    keys: header.guid !== undefined ? "file" : "front",
    uncounted,
  };
}

/**
 * Writes cards as Anki "Notes in Plain Text" for the Basic note type: tab-separated, HTML (text escaped, line
 * breaks as <br>), with a guid column holding the card key (so a re-import keeps every card's identity) and
 * a tags column. A card with a reverse card (reverse.ts) is one note of the *Basic (and reversed card)* type
 * instead (a notetype column then names each note's type), which Anki makes two cards of. Anki imports it as it
 * is; `parseAnki` reads it back to the same cards.
 */
export function renderAnki(meta: Required<DeckMeta>, cards: NoteCard[]): string {
  const folded = foldReverses(cards);
  const typed = folded.some((c) => c.reversed);
  const lines = [
    "#separator:tab",
    "#html:true",
    ...(typed ? [] : ["#notetype:Basic"]),
    `#deck:${meta.name.replace(/\s+/g, " ").trim() || meta.id}`,
    ...(typed
      ? [
          "#columns:guid\tNotetype\tFront\tBack\tTags",
          "#guid column:1",
          "#notetype column:2",
          "#tags column:5",
        ]
      : ["#columns:guid\tFront\tBack\tTags", "#guid column:1", "#tags column:4"]),
  ];
  for (const c of folded) {
    const type = typed ? [c.reversed ? "Basic (and reversed card)" : "Basic"] : [];
    lines.push(
      writeRecord([c.key, ...type, textToHtml(c.front), textToHtml(c.back), c.tags.join(" ")], "\t", "#"),
    );
  }
  return `${lines.join("\n")}\n`;
}
