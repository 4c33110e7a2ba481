/**
 * A card's Anki review log (revlog) replayed through ts-fsrs with the member's own scheduler, so a member who moves
 * from Anki keeps their schedule (`/deck import import_progress:true`). Pure: the instants are the log's, `now` only
 * says which entries are in the future.
 *
 * Which entries count, as Anki's own FSRS reads a revlog (rslib `RevlogEntry::is_reset` / `is_cramming`):
 * - a rating (ease 1–4) of type learn (0), review (1) or relearn (2) is a review;
 * - type filtered (3) is a review only when the filtered deck rescheduled (factor ≠ 0); with rescheduling off
 *   (factor 0, "cramming") it moved no schedule, so it is left out;
 * - a manual entry (type 4) with ease 0 and factor 0 is Anki's Forget/Reset: the card starts again as new
 *   (ts-fsrs's own Manual rating with state New); every other manual entry (Set due date) and type 5
 *   (rescheduled) is left out: the schedule comes from the ratings alone, as FSRS computes it;
 * - an entry dated after `now` (a phone with a wrong clock) is left out and counted; the rest are replayed in time
 *   order whatever order they came in.
 */
import { createEmptyCard, type FSRS, type FSRSHistory } from "ts-fsrs";
import {
  type Card,
  type Grade,
  isGrade,
  MAX_ANSWER_MS,
  Rating,
  type ReviewLog,
  State,
} from "./scheduling.ts";

/** One line of Anki's revlog table (the columns the replay reads). */
export interface AnkiRevlogEntry {
  /** When it was made (epoch ms: Anki's id). */
  id: number;
  /** The button: 1 Again … 4 Easy; 0 for a manual entry. */
  ease: number;
  /** 0 learn, 1 review, 2 relearn, 3 filtered, 4 manual, 5 rescheduled. */
  type: number;
  /** The ease factor after it (permille); 0 marks a reset (manual) or cramming (filtered). */
  factor: number;
  /** Time spent answering (ms). */
  time: number;
}

const FILTERED = 3;
const MANUAL = 4;

export interface ReplayedReview {
  log: ReviewLog;
  /** Time spent, as the bot counts it (at most MAX_ANSWER_MS). */
  durationMs: number;
}

export interface ReplayedHistory {
  /** The card's state after the last entry; null when it is new (no rating, or reset since its last). */
  card: Card | null;
  /** The ratings replayed, in time order (a reset is no review: it is not among them). */
  reviews: ReplayedReview[];
  /** Entries left out for being dated after `now`. */
  future: number;
}

type Step = { at: number; order: number } & ({ grade: Grade; durationMs: number } | { reset: true });

/** What one entry is to the replay: a rating, a reset, or nothing (see the file's comment). */
function stepOf(e: AnkiRevlogEntry, order: number): Step | null {
  if (e.type === MANUAL && e.ease === 0 && e.factor === 0) return { at: e.id, order, reset: true };
  if (!isGrade(e.ease) || e.type < 0 || e.type > FILTERED) return null;
  if (e.type === FILTERED && e.factor === 0) return null;
  const durationMs = Number.isFinite(e.time) ? Math.min(MAX_ANSWER_MS, Math.max(0, Math.round(e.time))) : 0;
  return { at: e.id, order, grade: e.ease, durationMs };
}

/**
 * Replays one card's revlog entries with `scheduler` (the member's own: retention, steps, weights) through
 * ts-fsrs's `reschedule`, which feeds each rating to `next` in turn from an empty card (resets as its Manual
 * rating with state New), so the state is exactly the one ts-fsrs gives for those ratings one by one.
 */
export function replayAnkiHistory(
  scheduler: FSRS,
  entries: readonly AnkiRevlogEntry[],
  now: Date,
): ReplayedHistory {
  const cutoff = now.getTime();
  let future = 0;
  const steps: Step[] = [];
  entries.forEach((e, order) => {
    if (!Number.isSafeInteger(e.id) || e.id <= 0) return;
    if (e.id > cutoff) {
      future++;
      return;
    }
    const step = stepOf(e, order);
    if (step) steps.push(step);
  });
  steps.sort((a, b) => a.at - b.at || a.order - b.order);
  const first = steps.findIndex((s) => "grade" in s);
  // Resets before the first rating change nothing: the card was new already.
  const replayed = first < 0 ? [] : steps.slice(first);
  if (replayed.length === 0) return { card: null, reviews: [], future };
  const history: FSRSHistory[] = replayed.map((s) =>
    "grade" in s
      ? { rating: s.grade, review: new Date(s.at) }
      : { rating: Rating.Manual, state: State.New, due: new Date(s.at), review: new Date(s.at) },
  );
  const start = createEmptyCard(new Date(replayed[0]?.at ?? cutoff));
  const { collections } = scheduler.reschedule(start, history, {
    skipManual: false,
    first_card: start,
    now,
  });
  const reviews: ReplayedReview[] = [];
  collections.forEach((item, k) => {
    const s = replayed[k];
    if (s && "grade" in s) reviews.push({ log: item.log, durationMs: s.durationMs });
  });
  const last = collections.at(-1)?.card;
  return { card: last && last.state !== State.New ? last : null, reviews, future };
}
