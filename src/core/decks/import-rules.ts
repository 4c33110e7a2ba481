/** Pure rules of an import that its unit of work in src/db applies: naming a new deck, fingerprinting a scope. */
import { createHash } from "node:crypto";
import { MAX_DECK_NAME_CHARS } from "./limits.ts";

/** A deck name cut to MAX_DECK_NAME_CHARS code points. */
export const clipDeckName = (name: string): string => [...name].slice(0, MAX_DECK_NAME_CHARS).join("");

/** `name`, or `name (2)`, `name (3)`, … when `taken` says a deck of the scope already has exactly that name. */
export function freeDeckName(name: string, taken: (candidate: string) => boolean): string {
  for (let n = 1; ; n++) {
    const suffix = n === 1 ? "" : ` (${n})`;
    const candidate = [...name].slice(0, MAX_DECK_NAME_CHARS - suffix.length).join("") + suffix;
    if (!taken(candidate)) return candidate;
  }
}

/**
 * What a confirm button vouches for: the scope's decks as they were when the member was asked (ids, last
 * update, card counts) and, for an update, what it would retire. Any import, removal or new progress in between
 * changes it, so a stale or repeated confirm finds a different value and changes nothing.
 */
export function scopeFingerprint(
  decksNow: readonly { id: string; updatedAt: number; cards: number }[],
  retiring: { cards: number; studied: number } | null,
): string {
  const state = JSON.stringify([decksNow.map((d) => [d.id, d.updatedAt, d.cards]), retiring]);
  return createHash("sha256").update(state).digest("base64url").slice(0, 10);
}
