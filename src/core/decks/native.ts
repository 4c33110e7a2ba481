/**
 * The native deck format (`.deck`), specified in decks/FORMAT.md. In short:
 *
 *   id: pytorch                 header: `field: value` lines before the first card
 *   name: PyTorch Flashcards
 *
 *   ## 7                        a card: `## <key>`, optional `tags:` line, question, `---`, answer
 *   tags: metrics
 *   What is recall?
 *   ---
 *   TP / (TP + FN)
 *
 * A text line that would read as syntax is written with a leading `\`, which the parser removes; a line
 * holding characters an editor could mangle is written as `\` plus a JSON string. So any text round-trips.
 */
import { clozeNumbers, clozeSides } from "./cloze.ts";
import { CARD_KEY_PATTERN, MAX_CARDS } from "./limits.ts";
import { isBlank, quote } from "./text.ts";
import type { DeckIssue, DeckMeta, ParsedCard, RawDeck } from "./types.ts";

const HEADER_FIELD = /^([A-Za-z][A-Za-z0-9_-]*)[ \t]*:(.*)$/;
const META_FIELDS = ["id", "name", "description"] as const;
type MetaField = (typeof META_FIELDS)[number];

/** `## key` (a line starting with `##` then whitespace or the end of the line). */
function isCardHeader(line: string): boolean {
  return /^##(\s|$)/.test(line);
}

/** `---`, optionally followed by whitespace. */
function isSeparator(line: string): boolean {
  return /^---\s*$/.test(line);
}

function isTagsLine(line: string): boolean {
  return line.startsWith("tags:");
}

/**
 * Characters written only inside a JSON-string line: control characters other than tab (a raw CR would be
 * read as a line break), lone surrogates (not representable in UTF-8), and the Unicode line and paragraph
 * separators and NEL, which some editors break lines on.
 */
function needsJson(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f || c === 0x85 || c === 0x2028 || c === 0x2029) return true;
    if (c >= 0xd800 && c <= 0xdbff) {
      const low = line.charCodeAt(i + 1);
      if (!(low >= 0xdc00 && low <= 0xdfff)) return true;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return true;
    }
  }
  return false;
}

function jsonLine(line: string): string {
  const json = JSON.stringify(line).replace(
    /[\u007f\u0085\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  return `\\${json}`;
}

/** `\{{c1::` in card text: a literal `{{c1::`, never a cloze (renderNative writes a literal one so). */
const LITERAL_BRACES = /\\\{\{(?=c\d+::)/g;
const CLOZE_START = /\{\{(?=c\d+::)/g;

function encodeSide(text: string, isFront: boolean): string[] {
  // A card's literal `{{c1::` (an import's, a cloze's own text) stays text when the file is read again.
  const lines = text.replace(CLOZE_START, "\\{{").split("\n");
  const last = lines.length - 1;
  return lines.map((line, i) => {
    if (needsJson(line)) return jsonLine(line);
    const looksLikeSyntax =
      line.startsWith("\\") ||
      isCardHeader(line) ||
      isSeparator(line) ||
      (isFront && i === 0 && isTagsLine(line)) ||
      ((i === 0 || i === last) && isBlank(line));
    return looksLikeSyntax ? `\\${line}` : line;
  });
}

function headerField(field: keyof DeckMeta, value: string): string {
  const oneLine = value.replace(/\s+/g, " ").trim();
  return oneLine === "" ? `${field}:` : `${field}: ${oneLine}`;
}

/**
 * Writes a deck in the native format. Throws a RangeError for what the format cannot hold: a key that is not
 * a valid card key, or a tag that is empty or contains whitespace. Any question and answer text is fine.
 * Deck name and description are written on one line (whitespace runs collapse to one space).
 */
export function renderNative(
  meta: Required<DeckMeta>,
  cards: Pick<ParsedCard, "key" | "front" | "back" | "tags">[],
): string {
  const out = [
    headerField("id", meta.id),
    headerField("name", meta.name),
    headerField("description", meta.description),
  ];
  for (const card of cards) {
    if (!CARD_KEY_PATTERN.test(card.key))
      throw new RangeError(`renderNative: invalid card key ${quote(card.key)}`);
    const badTag = card.tags.find((t) => t === "" || /\s/.test(t));
    if (badTag !== undefined)
      throw new RangeError(`renderNative: invalid tag ${quote(badTag)} on card ${card.key}`);
    out.push("", `## ${card.key}`);
    if (card.tags.length > 0) out.push(`tags: ${card.tags.join(" ")}`);
    out.push(...encodeSide(card.front, true), "---", ...encodeSide(card.back, false));
  }
  return `${out.join("\n")}\n`;
}

/** A body line after escape processing. `literal` lines are never syntax and never trimmed away. */
interface BodyLine {
  text: string;
  literal: boolean;
  line: number;
}

function decodeBodyLine(raw: string, line: number, errors: DeckIssue[]): BodyLine {
  if (raw.startsWith('\\"')) {
    try {
      const value: unknown = JSON.parse(raw.slice(1));
      if (typeof value === "string") return { text: value, literal: true, line };
    } catch {
      // reported below
    }
    errors.push({
      line,
      message: `a line starting with '\\"' must be '\\' followed by one JSON string, e.g. \\"tab\\there"; to start a line with a plain '"', drop the backslash`,
    });
    return { text: raw.slice(1), literal: true, line };
  }
  if (raw.startsWith("\\")) return { text: raw.slice(1), literal: true, line };
  return { text: raw, literal: false, line };
}

function trimBody(lines: BodyLine[]): string {
  let start = 0;
  let end = lines.length;
  const blank = (l: BodyLine | undefined): boolean => l !== undefined && !l.literal && isBlank(l.text);
  while (start < end && blank(lines[start])) start++;
  while (end > start && blank(lines[end - 1])) end--;
  return lines
    .slice(start, end)
    .map((l) => l.text)
    .join("\n");
}

function parseCard(
  key: string,
  headerLine: number,
  body: BodyLine[],
  errors: DeckIssue[],
): ParsedCard | undefined {
  let tags: string[] = [];
  const first = body.findIndex((l) => l.literal || !isBlank(l.text));
  const firstLine = body[first];
  if (firstLine !== undefined && !firstLine.literal && isTagsLine(firstLine.text)) {
    tags = firstLine.text
      .slice("tags:".length)
      .split(/\s+/)
      .filter((t) => t !== "");
    body = body.slice(first + 1);
  }
  const separators = body.flatMap((l, at) => (!l.literal && isSeparator(l.text) ? [at] : []));
  const name = key === "" ? "card" : `card ${quote(key)}`;
  const [at, extra] = separators;
  if (at === undefined) {
    errors.push({
      line: headerLine,
      message: `${name} has no '---' separating question from answer; put a line holding only '---' after the question`,
    });
    return undefined;
  }
  if (extra !== undefined) {
    errors.push({
      line: body[extra]?.line ?? headerLine,
      message: `${name} has a second '---' line (the first is on line ${body[at]?.line}); did you forget a '## <key>' line before the next card? For a literal '---' in the text, write '\\---'`,
    });
    return undefined;
  }
  return {
    key,
    front: trimBody(body.slice(0, at)),
    back: trimBody(body.slice(at + 1)),
    tags,
    line: headerLine,
  };
}

/**
 * A card whose question holds cloze deletions (`{{c1::Paris}}`, `{{c2::France::country}}`): one card per cloze
 * number, keyed `<key>.c<n>`, its question with that number's deletions as `[…]` (or `[hint]`), its answer the
 * whole text with them in bold, then the card's own answer (which may be empty). Any other card as it is. A
 * literal `\{{c1::` splits the text: no cloze starts there.
 */
function clozeCards(card: ParsedCard): ParsedCard[] {
  const parts = card.front.split(LITERAL_BRACES);
  const back = card.back.split(LITERAL_BRACES).join("{{");
  const numbers = [...new Set(parts.flatMap((p) => clozeNumbers(p)))].sort((a, b) => a - b);
  if (numbers.length === 0) return [{ ...card, front: parts.join("{{"), back }];
  return numbers.map((n) => {
    const side = (which: "question" | "answer") =>
      parts.map((p) => clozeSides(p, n, false)[which]).join("{{");
    const answer = side("answer");
    return {
      ...card,
      key: `${card.key}.c${n}`,
      front: side("question"),
      back: back === "" ? answer : `${answer}\n\n${back}`,
    };
  });
}

/** Cards read between two pauses (parse.ts steps). */
const CARDS_PER_STEP = 250;

/** The lines of `text` one at a time (BOM dropped; CRLF, CR and LF end a line), as `splitLines` would give. */
function* linesOf(text: string): Generator<string, void, void> {
  const re = /\r\n|\r|\n/g;
  let start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  re.lastIndex = start;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    yield text.slice(start, m.index);
    start = re.lastIndex;
  }
  yield text.slice(start);
}

/**
 * Parses a native deck, as steps (parse.ts). Never throws; problems become errors and warnings with 1-based
 * lines. Lines are read one at a time and a run of stray text before the first card is one error, so a large
 * file that is no deck at all costs little more memory than its text.
 */
export function* parseNative(text: string): Generator<void, RawDeck, void> {
  const meta: DeckMeta = {};
  const metaLines: RawDeck["metaLines"] = {};
  const errors: DeckIssue[] = [];
  const warnings: DeckIssue[] = [];
  const cards: ParsedCard[] = [];

  const lines = linesOf(text);
  /** The current line (undefined past the end) and its 1-based number. */
  let raw: string | undefined;
  let line = 0;
  const advance = (): void => {
    const r = lines.next();
    raw = r.done ? undefined : r.value;
    line++;
  };
  advance();

  let stray: { line: number; text: string; more: number; last: number } | undefined;
  const reportStray = (): void => {
    if (stray === undefined) return;
    const more =
      stray.more === 0
        ? ""
        : ` (and ${stray.more.toLocaleString("en-US")} more line${stray.more === 1 ? "" : "s"} of such text, to line ${stray.last})`;
    errors.push({
      line: stray.line,
      message: `unexpected text ${quote(stray.text)} before the first card${more}: the header holds only 'id:', 'name:' and 'description:' lines, and each card starts with a '## <key>' line (e.g. '## 1')`,
    });
    stray = undefined;
  };
  for (; raw !== undefined; advance()) {
    if (line % (CARDS_PER_STEP * 8) === 0) yield;
    if (isCardHeader(raw)) break;
    if (isBlank(raw)) continue;
    const field = HEADER_FIELD.exec(raw);
    if (field === null) {
      if (stray === undefined) stray = { line, text: raw.trim(), more: 0, last: line };
      else {
        stray.more++;
        stray.last = line;
      }
      continue;
    }
    reportStray();
    const [, rawName = "", rawValue = ""] = field;
    const fieldName = rawName.toLowerCase();
    if (!(META_FIELDS as readonly string[]).includes(fieldName)) {
      warnings.push({
        line,
        message: `unknown header field ${quote(rawName)} is ignored (known: id, name, description)`,
      });
      continue;
    }
    const key = fieldName as MetaField;
    const earlier = metaLines[key];
    if (earlier !== undefined) {
      errors.push({ line, message: `'${key}:' is already set on line ${earlier}; keep one of them` });
      continue;
    }
    meta[key] = rawValue.trim();
    metaLines[key] = line;
  }
  reportStray();
  if (meta.id === undefined) {
    errors.push({
      line: 1,
      message: "the deck has no id: add a line like 'id: my-deck' at the top of the file",
    });
  }

  let read = 0;
  let uncounted = 0;
  while (raw !== undefined) {
    if (++read % CARDS_PER_STEP === 0) yield;
    // Past the card limit the deck is refused anyway (validate.ts): such cards are only counted.
    if (cards.length > MAX_CARDS) {
      uncounted++;
      for (advance(); raw !== undefined && !isCardHeader(raw); advance());
      continue;
    }
    const headerLine = line;
    const key = raw.slice(2).trim();
    const body: BodyLine[] = [];
    for (advance(); raw !== undefined; advance()) {
      if (isCardHeader(raw)) break;
      body.push(decodeBodyLine(raw, line, errors));
    }
    const card = parseCard(key, headerLine, body, errors);
    if (card !== undefined) cards.push(...clozeCards(card));
  }
  if (cards.length === 0 && errors.length === 0) {
    errors.push({
      // Past the end: `line` is one more than the file's last line.
      line: line - 1,
      message: "the deck has no cards: each card starts with a '## <key>' line",
    });
  }
  return { meta, metaLines, cards, errors, warnings, uncounted };
}

export const nativeLooksLike = (firstLine: string): boolean =>
  isCardHeader(firstLine) || /^(id|name|description)\s*:/i.test(firstLine);
