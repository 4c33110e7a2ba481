/**
 * The memory model's test with a known truth (test/memory/simulation.test.ts, bench/items/memory.ts): a simulated
 * learner (simulated-learner.ts) studies for `days`; the bot's fit (fit-thread.ts, fsrs-rs in a worker) learns
 * from the reviews before `trainDays`, and the fitted and default weights are judged on the reviews after it,
 * each predicted from the card's history before it (fsrs-rs `evaluate`: log loss).
 */
import { FSRSBinding } from "@open-spaced-repetition/binding";
import { historySize } from "../src/core/memory-history.ts";
import { fsrsItems } from "../src/services/memory/fit-items.ts";
import { fitInWorker } from "../src/services/memory/fit-thread.ts";
import { mulberry32 } from "./rng.ts";
import { learnerWeights, simulateLearner, splitLog } from "./simulated-learner.ts";

const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 5);

export interface HeldOutResult {
  seed: number;
  /** Reviews the fit learned from, and held-out reviews it was judged on. */
  trainReviews: number;
  heldOutReviews: number;
  defaultLogLoss: number;
  fittedLogLoss: number;
}

export async function heldOutFit(
  seed: number,
  o: { days: number; trainDays: number; cards: number; newPerDay: number } = {
    days: 120,
    trainDays: 80,
    cards: 1200,
    newPerDay: 10,
  },
): Promise<HeldOutResult> {
  const truth = learnerWeights(mulberry32(seed * 7919 + 1));
  const log = simulateLearner(truth, {
    seed,
    cards: o.cards,
    newPerDay: o.newPerDay,
    days: o.days,
    start: START,
  });
  const { train, heldOut } = splitLog(log, START + o.trainDays * DAY);
  const fit = await fitInWorker({ histories: train, current: null, relearningSteps: 1 });
  const items = heldOut.flatMap(({ history, from }) => fsrsItems([history], (_h, k) => k >= from));
  return {
    seed,
    trainReviews: historySize(train).reviews,
    heldOutReviews: items.length,
    defaultLogLoss: new FSRSBinding().evaluate(items).logLoss,
    fittedLogLoss: new FSRSBinding(fit.weights).evaluate(items).logLoss,
  };
}
