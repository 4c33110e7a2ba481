/**
 * How well a set of FSRS weights predicts a member: each review on a later day than the one before is predicted
 * to be recalled with the card's retrievability then (its stability replayed through the history with those
 * weights, ts-fsrs), and the predictions are binned by that probability against the share actually recalled
 * (rating above Again). A model that fits the member puts each bin's actual share on its predicted one.
 */
import { fsrs, generatorParameters } from "ts-fsrs";
import type { CardHistory } from "./memory-history.ts";

/** Predicted recall in tenths: bin k holds predictions from k/10 to (k+1)/10. */
export const CALIBRATION_BINS = 10;

export interface CalibrationBin {
  /** Reviews predicted in this bin. */
  n: number;
  /** Their mean predicted recall, and the share recalled. */
  predicted: number;
  actual: number;
}

/** The calibration of `weights` (null: FSRS's defaults) on the histories: one entry per bin (n = 0: empty). */
export function calibration(
  histories: readonly CardHistory[],
  weights: readonly number[] | null,
): CalibrationBin[] {
  const f = fsrs(generatorParameters({ enable_fuzz: false, ...(weights && { w: [...weights] }) }));
  const n = new Array<number>(CALIBRATION_BINS).fill(0);
  const predicted = new Array<number>(CALIBRATION_BINS).fill(0);
  const recalled = new Array<number>(CALIBRATION_BINS).fill(0);
  for (const h of histories) {
    let memory: { stability: number; difficulty: number } | null = null;
    for (let k = 0; k < h.ratings.length; k++) {
      const rating = h.ratings[k] ?? 3;
      const delta = h.deltas[k] ?? 0;
      if (memory !== null && delta > 0) {
        const r = f.forgetting_curve(delta, memory.stability);
        const bin = Math.min(CALIBRATION_BINS - 1, Math.floor(r * CALIBRATION_BINS));
        n[bin] = (n[bin] ?? 0) + 1;
        predicted[bin] = (predicted[bin] ?? 0) + r;
        if (rating > 1) recalled[bin] = (recalled[bin] ?? 0) + 1;
      }
      memory = f.next_state(memory, delta, rating);
    }
  }
  return n.map((count, k) => ({
    n: count,
    predicted: count === 0 ? 0 : (predicted[k] ?? 0) / count,
    actual: count === 0 ? 0 : (recalled[k] ?? 0) / count,
  }));
}
