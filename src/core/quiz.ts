/**
 * Daily quiz: pure logic. Scheduling (local time → UTC instants, DST-correct, catch-up rules), the seeded PRNG
 * that makes a server's question and choice order deterministic per day, and choice building.
 * No discord.js, no drizzle, no Date.now(): time comes in.
 */
import { answerShape, type DeckAnswers, indexAnswers, similarAnswers } from "./quiz-shape.ts";
import { addDays, formatLocalDate, type LocalDate, localParts, zonedTimeToUtc } from "./time.ts";

/** Bound of each memo below (zones × dates × times seen): cleared whole when reached. */
const MEMO_MAX = 4096;

// ── Time of day and local dates ─────────────────────────────────────────────────────────────────────

export interface TimeOfDay {
  hour: number;
  minute: number;
}

/** "9:00", "09:00", "23:59" → {hour, minute}; null when malformed. */
export function parseTimeOfDay(text: string): TimeOfDay | null {
  const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(text.trim());
  if (!m) return null;
  return { hour: Number(m[1]), minute: Number(m[2]) };
}

/** {9, 5} → "09:05" (the stored form). */
export function formatTimeOfDay(t: TimeOfDay): string {
  return `${String(t.hour).padStart(2, "0")}:${String(t.minute).padStart(2, "0")}`;
}

/**
 * Per zone, the last instant asked and its date: a tick asks for the same `now` in every server of a zone.
 * Other processes: a pure function of (instant, zone), so nothing another process writes can change an entry.
 */
const lastDateOf = new Map<string, { ms: number; date: LocalDate }>();

/** The calendar date (midnight to midnight, not the 04:00 study day) that instant `ms` falls on in `zone`. */
export function localDateOf(ms: number, zone: string): LocalDate {
  // Intl's formatToParts is the costliest step of a tick's schedule checks; the answer for (ms, zone) never changes.
  const hit = lastDateOf.get(zone);
  if (hit?.ms === ms) return { ...hit.date };
  const p = localParts(ms, zone);
  const date = { year: p.year, month: p.month, day: p.day };
  if (lastDateOf.size >= MEMO_MAX) lastDateOf.clear();
  lastDateOf.set(zone, { ms, date });
  return { ...date };
}

/** "2026-03-02" → LocalDate; null when malformed. */
export function parseLocalDate(text: string): LocalDate | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return null;
  return { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
}

export const dateKey = formatLocalDate;

/** (zone, date, time) → UTC instant; pure like `lastDateOf`, so other processes' writes never matter to it. */
const runAtMemo = new Map<string, number>();

/**
 * The UTC instant of the quiz on local date `date`. A time skipped by a spring-forward change resolves to the
 * first valid minute after it; an ambiguous one (autumn) to the first occurrence.
 */
export function runAt(date: LocalDate, time: TimeOfDay, zone: string): number {
  // Memoised: a tick schedules every server's next day, most of them at the same few dates, times and zones.
  const key = `${zone}|${date.year}-${date.month}-${date.day}|${time.hour}:${time.minute}`;
  let at = runAtMemo.get(key);
  if (at === undefined) {
    at = zonedTimeToUtc({ ...date, ...time }, zone);
    if (runAtMemo.size >= MEMO_MAX) runAtMemo.clear();
    runAtMemo.set(key, at);
  }
  return at;
}

export interface PlannedRun {
  /** Local date (YYYY-MM-DD) the run posts for. */
  date: string;
  /** UTC epoch ms at which it is due. */
  at: number;
}

/**
 * The next run from `now` for a fresh schedule (setup, resume): today's quiz if its time is still ahead and today
 * has not been posted yet, otherwise tomorrow's. Never posts immediately: `/quiz now` is for that.
 */
export function planNextRun(now: number, time: TimeOfDay, zone: string, postedToday: boolean): PlannedRun {
  const today = localDateOf(now, zone);
  const todayAt = runAt(today, time, zone);
  if (!postedToday && todayAt > now) return { date: dateKey(today), at: todayAt };
  const tomorrow = addDays(today, 1);
  return { date: dateKey(tomorrow), at: runAt(tomorrow, time, zone) };
}

/** The run after a post (or skip) for local date `date`: the next day at the configured time. */
export function runAfter(date: string, time: TimeOfDay, zone: string): PlannedRun {
  const d = parseLocalDate(date);
  if (!d) throw new Error(`bad local date ${date}`);
  const next = addDays(d, 1);
  return { date: dateKey(next), at: runAt(next, time, zone) };
}

export type DueDecision =
  /** Not due yet. */
  | { kind: "wait" }
  /** Post for local date `date` now. `missed` is an earlier date whose quiz never went out (skip it). */
  | { kind: "post"; date: string; missed: string | null }
  /** The scheduled date is gone (the bot was down over its whole day): skip it and wait for `next`. */
  | { kind: "skip"; missed: string; next: PlannedRun };

/**
 * Catch-up rules, given the stored schedule (`nextDate` due at `nextRunAt`, possibly moved later by a retry):
 * - due and still the same local date → post;
 * - the scheduled date has passed → skip it; if today's time has come too, post today's now, else wait for it.
 */
export function decideDue(
  now: number,
  schedule: { nextDate: string; nextRunAt: number },
  time: TimeOfDay,
  zone: string,
): DueDecision {
  if (schedule.nextRunAt > now) return { kind: "wait" };
  const today = dateKey(localDateOf(now, zone));
  if (schedule.nextDate === today) return { kind: "post", date: today, missed: null };
  if (schedule.nextDate > today) return { kind: "wait" }; // only after a clock or zone change: its day comes
  const todayDate = localDateOf(now, zone);
  const todayAt = runAt(todayDate, time, zone);
  if (todayAt <= now) return { kind: "post", date: today, missed: schedule.nextDate };
  return { kind: "skip", missed: schedule.nextDate, next: { date: today, at: todayAt } };
}

/** Backoff for retrying a failed send the same day: 1, 2, 4, … minutes, at most an hour. */
export function retryDelayMs(attempts: number): number {
  const minutes = Math.min(60, 2 ** Math.max(0, attempts - 1));
  return minutes * 60_000;
}

// ── Seeded randomness ───────────────────────────────────────────────────────────────────────────────

/** A deterministic PRNG in [0, 1) from a string seed (cyrb128-style hash → sfc32). */
export function seededRandom(seed: string): () => number {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let k = 0; k < seed.length; k++) {
    const c = seed.charCodeAt(k);
    h1 = h2 ^ Math.imul(h1 ^ c, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ c, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ c, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ c, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  let a = (h1 ^ h2 ^ h3 ^ h4) >>> 0;
  let b = (h2 ^ h1) >>> 0;
  let c = (h3 ^ h1) >>> 0;
  let d = (h4 ^ h1) >>> 0;
  return () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    const t = (a + b + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

/** The seed of a server's quiz on a local date. */
export const quizSeed = (guildId: string, date: string) => `quiz:${guildId}:${date}`;

/** Fisher–Yates with the given PRNG; returns a new array. */
export function shuffle<T>(items: readonly T[], rng: () => number): T[] {
  const out = [...items];
  for (let k = out.length - 1; k > 0; k--) {
    const j = Math.floor(rng() * (k + 1));
    const tmp = out[k] as T;
    out[k] = out[j] as T;
    out[j] = tmp;
  }
  return out;
}

/**
 * 0 … n−1 in a random order, drawn lazily (Fisher–Yates from the front, swaps kept in a map): taking the first
 * few costs a few draws, not O(n). A question usually needs one card and three distractors of a 500-card deck.
 */
export function* randomOrder(n: number, rng: () => number): Generator<number, void, undefined> {
  const swapped = new Map<number, number>();
  for (let k = 0; k < n; k++) {
    const j = k + Math.floor(rng() * (n - k));
    const picked = swapped.get(j) ?? j;
    swapped.set(j, swapped.get(k) ?? k);
    yield picked;
  }
}

// ── Question building ───────────────────────────────────────────────────────────────────────────────

export const CHOICE_LETTERS = ["A", "B", "C", "D"] as const;
export const CHOICES = CHOICE_LETTERS.length;

export interface QuizCard {
  id: number;
  front: string;
  back: string;
}

/**
 * A deck's active cards in deck order, as the question reads them: card `k`'s id and answer must be cheap, its
 * question may be read on first access (the question looks at a handful of cards, not the whole deck). `answers`
 * is the deck's answers indexed by shape (quiz-shape.ts), built once per deck object.
 */
export interface QuizDeck {
  readonly size: number;
  card(k: number): QuizCard;
  answers(): DeckAnswers;
}

const deckOf = (cards: readonly QuizCard[]): QuizDeck => {
  let index: DeckAnswers | undefined;
  return {
    size: cards.length,
    card: (k) => cards[k] as QuizCard,
    answers: () => {
      index ??= indexAnswers(
        cards.map((c) => c.back),
        answerKey,
      );
      return index;
    },
  };
};

export interface QuizChoice {
  cardId: number;
  text: string;
}

export interface Question {
  cardId: number;
  front: string;
  choices: QuizChoice[];
  correctIndex: number;
}

/** Answers compare as the same text when they differ only in case, spacing or line breaks. */
export function answerKey(text: string): string {
  return text.trim().replace(/\s+/g, " ").toLowerCase();
}

/**
 * The right answer plus three distractors that look like it (quiz-shape.ts: the same kind — code, list, prose — and
 * the nearest in length and lines, drawn with `rng` among the best few), never the same text as the answer or as
 * each other, in an order shuffled with `rng`. Null when the deck does not have three distinct other answers.
 */
export function buildChoices(
  correct: QuizCard,
  others: readonly QuizCard[] | QuizDeck,
  rng: () => number,
  /** `correct`'s position in `others` when it is one of them: its key and shape are then the index's own. */
  at?: number,
): { choices: QuizChoice[]; correctIndex: number } | null {
  const deck = "size" in others ? others : deckOf(others);
  const index = deck.answers();
  const key = at === undefined ? answerKey(correct.back) : index.key(at);
  if (key === "") return null;
  const shape = (at === undefined ? undefined : index.shapes[at]) ?? answerShape(correct.back);
  const picked = similarAnswers(index, { shape, key }, CHOICES - 1, rng);
  if (!picked) return null;
  const distractors = picked.map((k) => {
    const c = deck.card(k);
    return { cardId: c.id, text: c.back };
  });
  const choices = shuffle([{ cardId: correct.id, text: correct.back }, ...distractors], rng);
  return { choices, correctIndex: choices.findIndex((c) => c.cardId === correct.id) };
}

/**
 * One question from a deck's active cards: a card drawn with `rng` (avoiding `recent` card ids while others
 * remain), with its choices. Null when no card of the deck can get three distinct distractors.
 */
export function pickQuestion(
  cards: readonly QuizCard[] | QuizDeck,
  rng: () => number,
  recent: ReadonlySet<number> = new Set(),
): Question | null {
  const deck = "size" in cards ? cards : deckOf(cards);
  if (deck.size < CHOICES) return null;
  const ask = (card: QuizCard, k: number): Question | "none" | null => {
    const built = buildChoices(card, deck, rng, k);
    if (built) return { cardId: card.id, front: card.front, ...built };
    // With an answer of its own and still no 3 other distinct answers, the deck has < 4 distinct answers in
    // all: no card of it can make a question (stop instead of trying every card against every other).
    return deck.answers().key(k) === "" ? null : "none";
  };
  const recentOnes: number[] = [];
  for (const k of randomOrder(deck.size, rng)) {
    const card = deck.card(k);
    if (recent.has(card.id)) {
      recentOnes.push(k);
      continue;
    }
    const q = ask(card, k);
    if (q === "none") return null;
    if (q) return q;
  }
  for (const k of recentOnes) {
    const q = ask(deck.card(k), k);
    if (q === "none") return null;
    if (q) return q;
  }
  return null;
}

export function formatTally(answered: number, correct: number): string {
  return `${answered} answered · ${correct} correct`;
}
