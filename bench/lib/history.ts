/**
 * Review histories drawn from ts-fsrs itself: each card is introduced at a session time, then reviewed when due
 * (learning steps within the session, later reviews at the user's daily session, sometimes days late) with random
 * grades, every step computed by the bot's own scheduler (`createScheduler`'s `next`). States and logs are what
 * ts-fsrs produced for that history, so they are consistent with each other.
 *
 * ts-fsrs is a pure function of (card, review instant, grade), and its day arithmetic is invariant under shifts by
 * whole UTC days. So the simulation walks a memo tree per intra-day session slot: a history is a path of
 * (grade, delay) choices computed once in a reference frame, then shifted to the card's real introduction day.
 * This is a cache of `next()`, not an approximation; a test checks it against an unmemoised replay.
 */
import { type Card, createEmptyCard, type FSRS, type Grade, Rating, type ReviewLog, State } from "ts-fsrs";
import { type Rng, weighted } from "./rng.ts";

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
/** Reference frame of the memo tree: a UTC midnight. */
const REF = Date.UTC(2020, 0, 1);

/** Grade odds by state before the review: Again, Hard, Good, Easy. */
const GRADE_ODDS: Record<number, readonly number[]> = {
  [State.New]: [10, 8, 57, 25],
  [State.Learning]: [12, 8, 75, 5],
  [State.Review]: [9, 11, 70, 10],
  [State.Relearning]: [12, 8, 75, 5],
};
const GRADES: readonly Grade[] = [Rating.Again, Rating.Hard, Rating.Good, Rating.Easy];
/** Days a due review waits for (the user skipped sessions), and their odds. */
const DELAYS = [0, 1, 2, 3, 5, 8, 13] as const;
const DELAY_ODDS = [50, 18, 10, 7, 6, 5, 4] as const;
/** A card due within this of its last review is reviewed in the same session, on time. */
const SAME_SESSION_MS = HOUR_MS;
/** Safety net against pathological Again loops. */
const MAX_REVIEWS = 64;

/** A node of the memo tree: the card after a review, and that review's log, in the reference frame. */
export interface SimNode {
  card: Card;
  /** The review that led here, as ts-fsrs logged it; null at a root. */
  log: ReviewLog | null;
  /** Reference-frame instant of that review. */
  at: number;
  /** `log.due` in ms (reference frame), kept as a number for the writers. */
  logDue: number;
  children: Map<number, SimNode>;
}

/** Where `simulate` appends a card's reviews: the node each review produced and the shift to absolute time. */
export interface ReviewSink {
  nodes: SimNode[];
  shifts: number[];
}

export class HistorySimulator {
  private readonly roots = new Map<number, SimNode>();
  /** ts-fsrs `next()` calls made (memo misses) and reviews produced. */
  calls = 0;
  reviews = 0;

  constructor(private readonly scheduler: FSRS) {}

  private root(slotMs: number): SimNode {
    let r = this.roots.get(slotMs);
    if (!r) {
      const at = REF + slotMs;
      r = { card: createEmptyCard(new Date(at)), log: null, at, logDue: at, children: new Map() };
      this.roots.set(slotMs, r);
    }
    return r;
  }

  /**
   * Simulates one card introduced on UTC day `introDay` (days since 1970) at `slotMs` after midnight (the user's
   * session hour) plus `jitterMs` (< 1 h: cards of a session are not all shown at the same instant), reviewed
   * until `endMs`. Appends its reviews to `out`; returns the final node (read it with `absState`) and the shift
   * to add to its instants, or null if even the introduction is after `endMs`.
   *
   * A common shift of every instant of a history leaves ts-fsrs's result unchanged as long as no instant changes
   * UTC calendar date (its day counts are `floor(Δ / 1 day)` and UTC date differences); sessions start at
   * 07:00–21:00 UTC and the jitter is under an hour, so a shared tree per session hour is exact.
   */
  simulate(
    introDay: number,
    slotMs: number,
    jitterMs: number,
    endMs: number,
    rng: Rng,
    out: ReviewSink,
  ): { node: SimNode; shift: number } | null {
    const shift = introDay * DAY_MS - REF + jitterMs;
    let node = this.root(slotMs);
    let at = node.at;
    let delayIdx = 0;
    for (let n = 0; n < MAX_REVIEWS; n++) {
      if (n > 0) {
        const due = node.card.due.getTime();
        if (due - node.at < SAME_SESSION_MS) {
          at = due;
          delayIdx = 0;
        } else {
          // The first daily session at or after the due instant, then some skipped days.
          const day = Math.ceil((due - REF - slotMs) / DAY_MS);
          delayIdx = weighted(rng, DELAY_ODDS);
          at = REF + (day + (DELAYS[delayIdx] ?? 0)) * DAY_MS + slotMs;
        }
      }
      if (at + shift > endMs) break;
      const grade = GRADES[weighted(rng, GRADE_ODDS[node.card.state] ?? GRADE_ODDS[State.Review] ?? [])];
      if (grade === undefined) throw new Error("no grade");
      const key = grade * 16 + delayIdx;
      let child = node.children.get(key);
      if (!child) {
        const r = this.scheduler.next(node.card, new Date(at), grade);
        child = { card: r.card, log: r.log, at, logDue: r.log.due.getTime(), children: new Map() };
        node.children.set(key, child);
        this.calls++;
      }
      node = child;
      out.nodes.push(node);
      out.shifts.push(shift);
      this.reviews++;
    }
    return node.log === null ? null : { node, shift };
  }
}

/** The card state a node holds, in absolute epoch ms. */
export function absState(node: SimNode, shift: number) {
  const c = node.card;
  return {
    due: c.due.getTime() + shift,
    stability: c.stability,
    difficulty: c.difficulty,
    elapsedDays: c.elapsed_days,
    scheduledDays: c.scheduled_days,
    learningSteps: c.learning_steps,
    reps: c.reps,
    lapses: c.lapses,
    state: c.state as number,
    lastReview: c.last_review ? c.last_review.getTime() + shift : null,
  };
}
