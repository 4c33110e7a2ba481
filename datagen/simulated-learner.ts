/**
 * Simulated learners with a known memory: each has FSRS weights of their own (FSRS's defaults, each scaled by a
 * random factor), studies a deck once a day as the bot schedules it (FSRS's defaults, no learning steps, no
 * fuzz), and recalls each review with the probability their own weights give (the true forgetting curve at the
 * days since the card's last review). What the memory-model tests and the bench fit, with the truth to check.
 */
import { type Card, clipParameters, createEmptyCard, default_w, fsrs, generatorParameters } from "ts-fsrs";
import { cardHistories, type LoggedReview } from "../src/core/memory-history.ts";
import { mulberry32, type Rng } from "./rng.ts";

const DAY = 86_400_000;

export interface LearnerOptions {
  seed: number;
  /** Cards in the deck; new cards per day until it is all started; days of study. */
  cards: number;
  newPerDay: number;
  days: number;
  /** The first study day's start (ms, UTC); each day's session starts within the hour after 10:00 UTC of it. */
  start: number;
}

/** A learner's true weights: each default weight scaled by e^N(0, spread), kept inside FSRS's bounds. */
export function learnerWeights(rand: Rng, spread = 0.5): number[] {
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  return clipParameters(
    default_w.map((w) => w * Math.exp(spread * gauss())),
    1,
    true,
  );
}

/** The first rating of a new card: Again, Hard, Good or Easy with these chances (Anki users' usual mix). */
const FIRST_RATING = [0.25, 0.1, 0.55, 0.1];

/** Every review of the simulated learner, in time order: card, rating, the card's state before, when. */
export function simulateLearner(weights: readonly number[], o: LearnerOptions): LoggedReview[] {
  const rand = mulberry32(o.seed);
  const truth = fsrs(generatorParameters({ w: [...weights], enable_fuzz: false }));
  const bot = fsrs(generatorParameters({ enable_fuzz: false, learning_steps: [], relearning_steps: [] }));
  const cards: { card: Card; memory: { stability: number; difficulty: number } | null; lastDay: number }[] =
    [];
  const out: LoggedReview[] = [];
  for (let day = 0; day < o.days; day++) {
    let at = o.start + day * DAY + 10 * 3_600_000 + Math.floor(rand() * 3_600_000);
    const due = cards.map((c, id) => ({ c, id })).filter(({ c }) => c.card.due.getTime() <= at);
    const started = cards.length;
    for (let n = 0; n < o.newPerDay && cards.length < o.cards; n++)
      cards.push({ card: createEmptyCard(new Date(at)), memory: null, lastDay: day });
    const today = [...due, ...cards.slice(started).map((c, k) => ({ c, id: started + k }))];
    for (const { c, id } of today) {
      const elapsed = day - c.lastDay;
      let rating: number;
      if (c.memory === null) {
        let u = rand();
        rating = 1;
        while (rating < 4 && u >= (FIRST_RATING[rating - 1] ?? 1)) u -= FIRST_RATING[rating++ - 1] ?? 1;
      } else {
        const recalled = rand() < truth.forgetting_curve(elapsed, c.memory.stability);
        const u = rand();
        rating = !recalled ? 1 : u < 0.12 ? 2 : u > 0.92 ? 4 : 3;
      }
      out.push({ cardId: id + 1, rating, state: c.card.state, at });
      c.memory = truth.next_state(c.memory, elapsed, rating);
      c.card = bot.next(c.card, new Date(at), rating as 1 | 2 | 3 | 4).card;
      c.lastDay = day;
      at += 5_000 + Math.floor(rand() * 10_000);
    }
  }
  return out;
}

/**
 * A learner's log split in time: the histories of the reviews before `cutoff` (what a fit learns from) and every
 * card's full history with the index of its first review from `cutoff` on (the held-out reviews a fit is judged
 * on, each predicted from everything before it).
 */
export function splitLog(log: readonly LoggedReview[], cutoff: number) {
  const byCard = [...log].sort((a, b) => a.cardId - b.cardId || a.at - b.at);
  const full = cardHistories(byCard, "UTC");
  const before = new Map<number, number>();
  for (const r of byCard) if (r.at < cutoff) before.set(r.cardId, (before.get(r.cardId) ?? 0) + 1);
  const ids = [...new Set(byCard.map((r) => r.cardId))];
  return {
    train: cardHistories(
      byCard.filter((r) => r.at < cutoff),
      "UTC",
    ),
    heldOut: full.map((history, k) => ({ history, from: Math.max(1, before.get(ids[k] ?? 0) ?? 0) })),
  };
}
