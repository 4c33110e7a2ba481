import {
  type Card,
  createEmptyCard,
  type FSRS,
  fsrs,
  type Grade,
  generatorParameters,
  Rating,
  type ReviewLog,
  State,
} from "ts-fsrs";

export type { Card, Grade, ReviewLog };
export { Rating, State };

export const GRADES = [Rating.Again, Rating.Hard, Rating.Good, Rating.Easy] as const;
export const GRADE_NAMES: Record<Grade, string> = {
  [Rating.Again]: "Again",
  [Rating.Hard]: "Hard",
  [Rating.Good]: "Good",
  [Rating.Easy]: "Easy",
};

export function isGrade(n: number): n is Grade {
  return n === Rating.Again || n === Rating.Hard || n === Rating.Good || n === Rating.Easy;
}

/** ts-fsrs with its defaults (desired retention 0.9, short-term steps on); fuzz is the only knob. */
export function createScheduler(opts: { fuzz: boolean }): FSRS {
  return fsrs(generatorParameters({ enable_fuzz: opts.fuzz }));
}

export function newCard(now: Date): Card {
  return createEmptyCard(now);
}

/** The four outcomes of rating `card` at `now`, as next due instants. */
export function previewDue(scheduler: FSRS, card: Card, now: Date): Record<Grade, Date> {
  const preview = scheduler.repeat(card, now);
  return {
    [Rating.Again]: preview[Rating.Again].card.due,
    [Rating.Hard]: preview[Rating.Hard].card.due,
    [Rating.Good]: preview[Rating.Good].card.due,
    [Rating.Easy]: preview[Rating.Easy].card.due,
  };
}

export function applyRating(
  scheduler: FSRS,
  card: Card,
  now: Date,
  grade: Grade,
): { card: Card; log: ReviewLog } {
  return scheduler.next(card, now, grade);
}

/** Compact interval for a button label: 1m, 10m, 3h, 4d, 2.5mo, 1.2y. */
export function formatInterval(ms: number): string {
  const min = Math.max(1, Math.round(ms / 60_000));
  if (min < 60) return `${min}m`;
  const hours = ms / 3_600_000;
  if (hours < 23.5) return `${Math.round(hours)}h`;
  const days = ms / 86_400_000;
  if (days < 30.5) return `${Math.round(days)}d`;
  if (days < 365) return `${trim(days / 30.4)}mo`;
  return `${trim(days / 365)}y`;
}

function trim(n: number): string {
  return n >= 10 ? String(Math.round(n)) : String(Math.round(n * 10) / 10);
}

/** Time spent on one card counts at most this long (ms): a card left open over lunch is not an hour of study. */
export const MAX_ANSWER_MS = 60_000;
