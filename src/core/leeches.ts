/** Leeches, Anki's rule: a card forgotten `threshold` times is one (8 by default; 4–20, or 0 for off). */

export const LEECH_THRESHOLD_DEFAULT = 8;
export const LEECH_THRESHOLD_MIN = 4;
export const LEECH_THRESHOLD_MAX = 20;

/** What becomes of a leech: suspended (out of the reviews until unsuspended), or only tagged. */
export type LeechAction = "suspend" | "tag";
export const LEECH_ACTIONS: readonly LeechAction[] = ["suspend", "tag"];

/**
 * Whether the rating that took the card's lapses from `before` to `after` makes it a leech: it is a lapse, the
 * card has reached the threshold, and it is not a leech already (`tagged`), so the member is told once, at that
 * rating, even when they change the threshold later (lowered below the card's lapses: at its next lapse).
 */
export function becomesLeech(before: number, after: number, threshold: number, tagged: boolean): boolean {
  return threshold > 0 && after > before && after >= threshold && !tagged;
}

/** A threshold `/settings leeches` accepts: 0 (off) or LEECH_THRESHOLD_MIN–MAX. */
export function validLeechThreshold(n: number): boolean {
  return n === 0 || (Number.isInteger(n) && n >= LEECH_THRESHOLD_MIN && n <= LEECH_THRESHOLD_MAX);
}
