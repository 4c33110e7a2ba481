/** Types shared by the deck parsers. Public entry point: parse.ts, which re-exports these. */

export type DeckFormat = "native" | "brainscape";

export interface ParsedCard {
  /** Stable card id within the deck: a card keeps its schedule when its text is edited. */
  key: string;
  front: string;
  back: string;
  tags: string[];
  /** 1-based line where the card starts (its `## key` header, or its Brainscape number line). */
  line: number;
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
}
