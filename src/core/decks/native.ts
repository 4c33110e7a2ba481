/**
 * The native deck format (`.deck`), specified in decks/FORMAT.md. In short:
 *
 *   id: pytorch                 header: `field: value` lines before the first card
 *   name: PyTorch Flashcards
 *
 *   ## 7                        a card: `## <key>`, optional `tags:` / `reversed:` lines, question, `---`, answer
 *   tags: metrics
 *   reversed: yes               the card also asks its answer (reverse.ts); `reversed: yes` in the header: all do
 *   What is recall?
 *   ---
 *   TP / (TP + FN)
 *
 * A text line that would read as syntax is written with a leading `\`, which the parser removes; a line
 * holding characters an editor could mangle is written as `\` plus a JSON string. So any text round-trips.
 */
import { clozeNumbers, clozeSides } from "./cloze.ts";
import { CARD_KEY_PATTERN, MAX_CARDS } from "./limits.ts";
import { foldReverses, type NoteCard } from "./reverse.ts";
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

/** A card's option line (`tags: a b`, `reversed: yes`): only before its question, each at most once. */
const OPTION_LINE = /^(tags|reversed):([\s\S]*)$/;

function isOptionLine(line: string): boolean {
  return OPTION_LINE.test(line);
}

/** `yes` / `no` (or `true` / `false`, any case); undefined for anything else. */
function yesNo(value: string): boolean | undefined {
  const v = value.trim().toLowerCase();
  if (v === "yes" || v === "true") return true;
  if (v === "no" || v === "false") return false;
  return undefined;
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
      (isFront && i === 0 && isOptionLine(line)) ||
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
 * Deck name and description are written on one line (whitespace runs collapse to one space). A reverse card
 * (reverse.ts) is written as its card's option: `reversed: yes` in the header when most cards have one (and
 * `reversed: no` on the others), else `reversed: yes` on each such card.
 */
export function renderNative(meta: Required<DeckMeta>, cards: NoteCard[]): string {
  const folded = foldReverses(cards);
  const deckReversed = folded.filter((c) => c.reversed).length * 2 > folded.length;
  const out = [
    headerField("id", meta.id),
    headerField("name", meta.name),
    headerField("description", meta.description),
  ];
  if (deckReversed) out.push("reversed: yes");
  for (const card of folded) {
    if (!CARD_KEY_PATTERN.test(card.key))
      throw new RangeError(`renderNative: invalid card key ${quote(card.key)}`);
    const badTag = card.tags.find((t) => t === "" || /\s/.test(t));
    if (badTag !== undefined)
      throw new RangeError(`renderNative: invalid tag ${quote(badTag)} on card ${card.key}`);
    out.push("", `## ${card.key}`);
    if (card.tags.length > 0) out.push(`tags: ${card.tags.join(" ")}`);
    if (card.reversed !== deckReversed) out.push(`reversed: ${card.reversed ? "yes" : "no"}`);
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

const cardLabel = (key: string): string => (key === "" ? "card" : `card ${quote(key)}`);
const thousands = (n: number): string => n.toLocaleString("en-US");

/** A card's own options, read from its option lines. */
interface CardOptions {
  tags: string[];
  /** Its `reversed:` line (undefined: none, the deck's option applies). */
  reversed?: boolean;
}

/**
 * Reads the option lines at the start of a card's body (blank lines between them are fine); the body's other
 * lines are the question and answer. Undefined (errors reported) for a bad or repeated option.
 */
function readOptions(
  name: string,
  body: BodyLine[],
  errors: DeckIssue[],
): { options: CardOptions; rest: BodyLine[] } | undefined {
  const options: CardOptions = { tags: [] };
  const seen = new Map<string, number>();
  let at = 0;
  for (;;) {
    while (at < body.length && body[at]?.literal === false && isBlank(body[at]?.text ?? "")) at++;
    const l = body[at];
    const m = l === undefined || l.literal ? null : OPTION_LINE.exec(l.text);
    if (l === undefined || m === null) return { options, rest: body.slice(at) };
    const [, option = "", value = ""] = m;
    const earlier = seen.get(option);
    if (earlier !== undefined) {
      errors.push({
        line: l.line,
        message: `${name} has a second '${option}:' line (the first is on line ${earlier}); keep one. For a question that starts with '${option}:', write '\\${option}:'`,
      });
      return undefined;
    }
    seen.set(option, l.line);
    if (option === "tags") options.tags = value.split(/\s+/).filter((t) => t !== "");
    else {
      const on = yesNo(value);
      if (on === undefined) {
        errors.push({
          line: l.line,
          message: `${name}: 'reversed:' takes yes or no, not ${quote(value.trim())}. For a question that starts with 'reversed:', write '\\reversed:'`,
        });
        return undefined;
      }
      options.reversed = on;
    }
    at++;
  }
}

function parseCard(
  key: string,
  headerLine: number,
  lines: BodyLine[],
  errors: DeckIssue[],
): ParsedCard | undefined {
  const name = cardLabel(key);
  const read = readOptions(name, lines, errors);
  if (read === undefined) return undefined;
  const { options, rest: body } = read;
  const separators = body.flatMap((l, at) => (!l.literal && isSeparator(l.text) ? [at] : []));
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
    tags: options.tags,
    line: headerLine,
    ...(options.reversed !== undefined && { reversed: options.reversed }),
  };
}

/**
 * A card whose question holds cloze deletions (`{{c1::Paris}}`, `{{c2::France::country}}`): one card per cloze
 * number, keyed `<key>.c<n>`, its question with that number's deletions as `[…]` (or `[hint]`), its answer the
 * whole text with them in bold, then the card's own answer (which may be empty). Any other card as it is. A
 * literal `\{{c1::` splits the text: no cloze starts there.
 */
function clozeCards(card: ParsedCard): { cloze: boolean; cards: ParsedCard[] } {
  const parts = card.front.split(LITERAL_BRACES);
  const back = card.back.split(LITERAL_BRACES).join("{{");
  const numbers = [...new Set(parts.flatMap((p) => clozeNumbers(p)))].sort((a, b) => a - b);
  if (numbers.length === 0) return { cloze: false, cards: [{ ...card, front: parts.join("{{"), back }] };
  const cards = numbers.map((n) => {
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
  return { cloze: true, cards };
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
  /** The header's `reversed:` (every card's default) and its line. */
  let deckReversed = false;
  let reversedLine: number | undefined;
  /** Cloze cards the header's `reversed: yes` leaves alone (one warning names them). */
  const clozeLeftOut: ParsedCard[] = [];

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
      message: `unexpected text ${quote(stray.text)} before the first card${more}: the header holds only 'id:', 'name:', 'description:' and 'reversed:' lines, and each card starts with a '## <key>' line (e.g. '## 1')`,
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
    if (!(META_FIELDS as readonly string[]).includes(fieldName) && fieldName !== "reversed") {
      warnings.push({
        line,
        message: `unknown header field ${quote(rawName)} is ignored (known: id, name, description, reversed)`,
      });
      continue;
    }
    if (fieldName === "reversed") {
      if (reversedLine !== undefined) {
        errors.push({
          line,
          message: `'reversed:' is already set on line ${reversedLine}; keep one of them`,
        });
        continue;
      }
      reversedLine = line;
      const on = yesNo(rawValue);
      if (on === undefined)
        errors.push({
          line,
          message: `'reversed:' takes yes or no, not ${quote(rawValue.trim())} ('reversed: yes': every card also asks its answer)`,
        });
      else deckReversed = on;
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
    const parsed = parseCard(key, headerLine, body, errors);
    if (parsed === undefined) continue;
    const { reversed: own, ...card } = parsed;
    const made = clozeCards(card);
    const reversed = own ?? deckReversed;
    if (!made.cloze) {
      cards.push(...made.cards.map((c) => (reversed ? { ...c, reversed } : c)));
      continue;
    }
    // A cloze card's answer is its own question filled in: asked the other way round it would give the answer
    // away, so a cloze card is never reversed.
    cards.push(...made.cards);
    if (own === true)
      warnings.push({
        line: headerLine,
        message: `${cardLabel(key)} has cloze deletions, so it is not reversed (its answer is its question filled in); remove its 'reversed: yes'`,
      });
    else if (reversed) clozeLeftOut.push(card);
  }
  const [firstCloze] = clozeLeftOut;
  if (firstCloze !== undefined)
    warnings.push({
      line: reversedLine ?? 1,
      message: `'reversed: yes' leaves out ${clozeLeftOut.length === 1 ? "the cloze card" : `${thousands(clozeLeftOut.length)} cloze cards`} (${clozeLeftOut.length === 1 ? "" : "the first: "}${cardLabel(firstCloze.key)} on line ${firstCloze.line}): a cloze card is not reversed; write 'reversed: no' on it to say so`,
    });
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
  isCardHeader(firstLine) || /^(id|name|description|reversed)\s*:/i.test(firstLine);
