/** Types shared by the deck parsers. Public entry point: parse.ts, which re-exports these. */

/** The text formats (one parser each in parse.ts), and Anki's packages (.apkg / .colpkg: services/anki-package). */
export type TextDeckFormat = "native" | "brainscape" | "anki" | "csv" | "tsv";
export type DeckFormat = TextDeckFormat | "apkg";

/**
 * Where card keys come from: written in the file (native `## key`, an Anki guid column, a CSV `key` column),
 * the card's number in the file (Brainscape: shifts when a card is inserted), or a hash of the question
 * (see keys.ts), which is stable as long as the question is unchanged.
 */
export type KeySource = "file" | "numbered" | "front";

/** Options for the formats whose separators are the user's choice. */
export interface ParseOptions {
  format?: TextDeckFormat;
  /** TSV / Quizlet: between term and definition (default tab). Names: tab, comma, semicolon, or a literal. */
  termSeparator?: string;
  /** TSV / Quizlet: between rows (default a line break). Names: newline, semicolon, or a literal. */
  rowSeparator?: string;
  /**
   * The file's name. Its `.csv` / `.tsv` extension names the format when the content shows none (a one-column
   * CSV has no comma, so it would otherwise be read, and refused, as a native deck).
   */
  fileName?: string;
}

export interface ParsedCard {
  /** Stable card id within the deck: a card keeps its schedule when its text is edited. */
  key: string;
  front: string;
  back: string;
  tags: string[];
  /** 1-based line where the card starts (its `## key` header, or its Brainscape number line). */
  line: number;
  /** An Anki package's images: names in the deck's media (ImportFile.media) shown with the question and answer. */
  frontImage?: string;
  backImage?: string;
  /** Cards of a deck with the same note key are siblings (a card and its reverse, an Anki note's cards). */
  noteKey?: string;
  /**
   * A parser's ask: the card also gives its reverse (reverse.ts), which validate.ts adds after it. Never set on
   * a parse result's cards: there the reverse is a card of its own.
   */
  reversed?: boolean;
}

export interface DeckMeta {
  id?: string;
  name?: string;
  description?: string;
}

export interface DeckIssue {
  /** 1-based line the issue is about. */
  line: number;
  /** What is wrong and how to fix it, without the "line N:" prefix (see formatIssue). */
  message: string;
}

export interface ParseResult {
  format: DeckFormat;
  /** Where the card keys come from (an import re-keys "numbered" cards by their question). */
  keys: KeySource;
  meta: DeckMeta;
  /** Valid cards only; a card with an error is reported in `errors` and left out. */
  cards: ParsedCard[];
  /** Any error makes the deck invalid: it must not be imported. */
  errors: DeckIssue[];
  /** Worth reading, not fatal (e.g. a duplicate question that was skipped). */
  warnings: DeckIssue[];
}

/** What a format parser hands to the shared validation (validate.ts). */
export interface RawDeck {
  meta: DeckMeta;
  /** Lines of the meta fields, for error messages (absent when the format has no such line). */
  metaLines: { [K in keyof DeckMeta]?: number };
  cards: ParsedCard[];
  errors: DeckIssue[];
  warnings: DeckIssue[];
  /** Default "file". With "front", two cards with the same key are a duplicate question, not a key clash. */
  keys?: KeySource;
  /** Cards past the card limit that a parser only counted (the deck is refused; building them is wasted work). */
  uncounted?: number;
}
