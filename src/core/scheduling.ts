import {
  type Card,
  createEmptyCard,
  default_learning_steps,
  default_maximum_interval,
  default_relearning_steps,
  default_request_retention,
  default_w,
  type FSRS,
  fsrs,
  type Grade,
  generatorParameters,
  Rating,
  type ReviewLog,
  State,
  type StepUnit,
} from "ts-fsrs";

export type { Card, FSRS, Grade, ReviewLog, StepUnit };
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

/** A member's own scheduling (`/settings scheduling`): what ts-fsrs is built with for their cards. */
export interface SchedulingSettings {
  /** Desired retention: the share of reviews the member wants to recall. */
  retention: number;
  /** The longest interval, in days. */
  maxInterval: number;
  learningSteps: StepUnit[];
  relearningSteps: StepUnit[];
  /** The member's own FSRS weights (`/settings memory optimize`), null for FSRS's defaults. */
  weights: readonly number[] | null;
}

/** ts-fsrs's own defaults, which are the settings of a member who never changed them. */
export const DEFAULT_SCHEDULING: Readonly<SchedulingSettings> = Object.freeze({
  retention: default_request_retention,
  maxInterval: default_maximum_interval,
  learningSteps: [...default_learning_steps],
  relearningSteps: [...default_relearning_steps],
  weights: null,
});

/** FSRS-6's weights: how many a fit gives and ts-fsrs takes. */
export const WEIGHTS_COUNT = default_w.length;

/** Stored weights (a JSON array of WEIGHTS_COUNT finite numbers) as the scheduler takes them; null otherwise. */
export function parseWeights(text: string | null): readonly number[] | null {
  if (text === null) return null;
  try {
    const w: unknown = JSON.parse(text);
    if (
      Array.isArray(w) &&
      w.length === WEIGHTS_COUNT &&
      w.every((x) => typeof x === "number" && Number.isFinite(x))
    )
      return w as number[];
  } catch {
    // Not JSON: treated as no weights of their own.
  }
  return null;
}

export const RETENTION_MIN = 0.7;
export const RETENTION_MAX = 0.99;
export const MAX_INTERVAL_MAX = default_maximum_interval;
/** At most this many steps, each from 1 minute to 30 days (Anki's own bounds are looser; these keep a day sane). */
export const STEPS_MAX = 10;
const STEP_MAX_MINUTES = 30 * 24 * 60;

/**
 * Learning steps as `/settings` takes them, Anki style: `1m 10m`, `10m 1h 1d`; `none` for no steps. Null when a
 * step is not a whole number of minutes, hours or days from 1m to 30d, or there are more than STEPS_MAX.
 */
export function parseSteps(text: string): StepUnit[] | null {
  const t = text.trim().toLowerCase();
  if (t === "none" || t === "-") return [];
  const parts = t.split(/[\s,]+/).filter(Boolean);
  if (parts.length === 0 || parts.length > STEPS_MAX) return null;
  const out: StepUnit[] = [];
  for (const part of parts) {
    const m = /^(\d{1,5})([mhd])$/.exec(part);
    if (!m) return null;
    const n = Number(m[1]);
    const minutes = n * (m[2] === "d" ? 1440 : m[2] === "h" ? 60 : 1);
    if (n < 1 || minutes > STEP_MAX_MINUTES) return null;
    out.push(`${n}${m[2] as "m" | "h" | "d"}`);
  }
  return out;
}

/** Steps as stored and shown: `1m 10m`, or `none`. */
export function formatSteps(steps: readonly StepUnit[]): string {
  return steps.length === 0 ? "none" : steps.join(" ");
}

/**
 * About how many reviews a day a member's review cards ask for at `retention`: each card with stability S comes
 * back every I(S) days (ts-fsrs's interval at that retention, 1 to `maxInterval`), so Σ 1/I over their cards, a
 * first-order estimate from their own states (their stabilities grow with each review, so the figure falls with
 * time; new cards add to it).
 */
export function reviewsPerDay(
  stabilities: readonly number[],
  retention: number,
  maxInterval: number,
  weights: readonly number[] | null = null,
): number {
  const f = fsrs(
    generatorParameters({
      enable_fuzz: false,
      request_retention: retention,
      maximum_interval: maxInterval,
      ...(weights !== null && { w: [...weights] }),
    }),
  );
  let sum = 0;
  for (const s of stabilities) sum += 1 / Math.max(1, f.next_interval(s, 0));
  return sum;
}

/** The cache key of a member's settings: equal settings, one scheduler. */
function settingsKey(s: SchedulingSettings): string {
  const base = `${s.retention}|${s.maxInterval}|${s.learningSteps.join(",")}|${s.relearningSteps.join(",")}`;
  return s.weights === null ? base : `${base}|${s.weights.join(",")}`;
}

/**
 * The schedulers of the bot: one ts-fsrs instance per distinct member settings, built once and kept (at most
 * `max`, least recently used out), so a rating or a view never builds one. Safe whatever other processes write:
 * the key is the settings themselves, read with the card state in the same statement (db/reviews.ts,
 * db/study-queue.ts), never a member id.
 */
export class Schedulers {
  readonly fuzz: boolean;
  private readonly kept = new Map<string, FSRS>();

  constructor(opts: { fuzz: boolean; max?: number }) {
    this.fuzz = opts.fuzz;
    this.max = opts.max ?? 1000;
  }

  private readonly max: number;

  /** The scheduler for `s` (the defaults when null). */
  for(s: SchedulingSettings | null = null): FSRS {
    const settings = s ?? DEFAULT_SCHEDULING;
    const key = settingsKey(settings);
    let f = this.kept.get(key);
    if (f) {
      this.kept.delete(key);
    } else {
      f = fsrs(
        generatorParameters({
          enable_fuzz: this.fuzz,
          request_retention: settings.retention,
          maximum_interval: settings.maxInterval,
          learning_steps: settings.learningSteps,
          relearning_steps: settings.relearningSteps,
          ...(settings.weights !== null && { w: [...settings.weights] }),
        }),
      );
      if (this.kept.size >= this.max) this.kept.delete(this.kept.keys().next().value as string);
    }
    this.kept.set(key, f);
    return f;
  }
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
