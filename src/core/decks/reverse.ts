/**
 * Reversed cards: a card that also asks its answer (front ↔ back), as a card of its own with its own schedule. A
 * parser marks the card (`ParsedCard.reversed`); validate.ts adds the reverse after it. Files never hold the
 * reverse itself: the writers (native, CSV, Anki text) fold it back into the option (`foldReverses`), so an
 * export imports again to the same cards.
 *
 * The reverse's key is the card's key and `~r` (`7` → `7~r`): a written key never holds `~` (limits.ts
 * CARD_KEY_PATTERN), so no card of any file can take it, and it is stable as long as the card's key is. Both cards
 * share a note key (the card's own key): siblings, never shown on the same day (db/reviews.ts).
 */
import type { ParsedCard } from "./types.ts";

const MARK = "~r";

/** The key of `key`'s reverse card. */
export function reverseKey(key: string): string {
  return `${key}${MARK}`;
}

/** The key of the card a reverse card was made from; undefined for any other key. */
export function reversedFrom(key: string): string | undefined {
  return key.endsWith(MARK) ? key.slice(0, -MARK.length) : undefined;
}

/** A card as the writers take it: parsed, or read from the database (`noteKey` null: no siblings). */
export type NoteCard = Pick<ParsedCard, "key" | "front" | "back" | "tags"> & { noteKey?: string | null };

/** The card and its reverse, sharing the card's note key (its own key unless it has one). */
export function withReverse<T extends NoteCard & { frontImage?: string; backImage?: string }>(
  card: T,
): [T, T] {
  const noteKey = card.noteKey ?? card.key;
  const { frontImage, backImage, ...rest } = card;
  // The reverse asks the answer: the answer's image goes with its question, the question's with its answer.
  const images = {
    ...(backImage !== undefined && { frontImage: backImage }),
    ...(frontImage !== undefined && { backImage: frontImage }),
  };
  return [
    { ...card, noteKey },
    { ...rest, key: reverseKey(card.key), front: card.back, back: card.front, noteKey, ...images } as T,
  ];
}

/**
 * The cards as a file holds them: each reverse card left out and the card it was made from marked `reversed`.
 * A reverse is recognised by its key and a note key shared with that card; its text is the card's, swapped (an
 * Edit changes both: db/card-reports.ts), so nothing is lost by leaving it out.
 */
export function foldReverses<T extends NoteCard>(cards: readonly T[]): (T & { reversed: boolean })[] {
  const byKey = new Map(cards.map((c) => [c.key, c]));
  const reversed = new Set<string>();
  const isReverse = (c: T): boolean => {
    const from = reversedFrom(c.key);
    const original = from === undefined ? undefined : byKey.get(from);
    return original !== undefined && c.noteKey != null && c.noteKey === original.noteKey;
  };
  const out: (T & { reversed: boolean })[] = [];
  for (const c of cards) if (isReverse(c)) reversed.add(reversedFrom(c.key) ?? "");
  for (const c of cards) if (!isReverse(c)) out.push({ ...c, reversed: reversed.has(c.key) });
  return out;
}

/** The cards a folded list stands for, in the order a parser gives them: each reversed card, then its reverse. */
export function unfoldReverses(folded: readonly (NoteCard & { reversed: boolean })[]): NoteCard[] {
  return folded.flatMap(({ reversed, ...card }) => (reversed ? withReverse(card) : [card]));
}
