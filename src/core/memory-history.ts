/**
 * A member's review log as FSRS's optimizer reads it (fsrs-rs, services/memory): each card's reviews in order,
 * the rating and the days elapsed since the review before, counted in whole study days (04:00 to 04:00 in the
 * member's zone) as Anki counts them. A same-day review has 0 elapsed days: fsrs-rs's short-term model learns
 * from those, and judges long-term memory on the reviews of a later day. A card's history starts at its first
 * review as a new card; reviews before it (a log the bot did not keep from the start) are left out.
 */
import { studyDayNumber } from "./streaks.ts";

/** ts-fsrs State.New: the state before a card's first review. */
const NEW = 0;

/**
 * The reviews on a later day than the review before that a full fit needs: fsrs-rs's `compute_parameters`
 * returns FSRS's defaults below 8 of them and fits only the four initial stabilities below 64.
 */
export const REVIEWS_FOR_A_FIT = 64;

/** One card's reviews: ratings 1–4, and days since the review before (0 for the first). */
export interface CardHistory {
  ratings: number[];
  deltas: number[];
}

export interface LoggedReview {
  cardId: number;
  rating: number;
  /** The card's state before the review (ts-fsrs State). */
  state: number;
  at: number;
}

/** The study day of an instant, cached per quarter hour (every zone's 04:00 falls on one). */
function dayCounter(zone: string): (ms: number) => number {
  const QUARTER = 900_000;
  const seen = new Map<number, number>();
  return (ms) => {
    const q = Math.floor(ms / QUARTER);
    let day = seen.get(q);
    if (day === undefined) {
      day = studyDayNumber(q * QUARTER, zone);
      seen.set(q, day);
    }
    return day;
  };
}

/** The log (ordered by card, then time) as one history per card, from its first review as a new card. */
export function cardHistories(log: readonly LoggedReview[], zone: string): CardHistory[] {
  const dayOf = dayCounter(zone);
  const out: CardHistory[] = [];
  let card = Number.NaN;
  let current: CardHistory | null = null;
  let lastDay = 0;
  for (const r of log) {
    if (r.cardId !== card) {
      card = r.cardId;
      current = null;
    }
    if (r.rating < 1 || r.rating > 4) continue;
    const day = dayOf(r.at);
    // A review of the card as new begins its history again (the first, or after its state was reset).
    if (r.state === NEW) {
      current = { ratings: [r.rating], deltas: [0] };
      out.push(current);
    } else if (current !== null) {
      current.ratings.push(r.rating);
      current.deltas.push(Math.max(0, day - lastDay));
    } else continue;
    lastDay = day;
  }
  return out;
}

/** Reviews in the histories, and those on a later day than the review before (what a fit learns long-term from). */
export function historySize(histories: readonly CardHistory[]): { reviews: number; longTerm: number } {
  let reviews = 0;
  let longTerm = 0;
  for (const h of histories) {
    reviews += h.ratings.length;
    for (let k = 1; k < h.deltas.length; k++) if ((h.deltas[k] ?? 0) > 0) longTerm++;
  }
  return { reviews, longTerm };
}
