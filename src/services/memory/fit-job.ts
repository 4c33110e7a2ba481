/** What the fit worker (fit-worker.ts) is sent and answers: plain data, copied between threads. */
import type { CalibrationBin } from "../../core/memory-calibration.ts";
import type { CardHistory } from "../../core/memory-history.ts";

export interface FitJob {
  histories: CardHistory[];
  /** The weights the member is scheduled with now (null: FSRS's defaults): the "before" of the comparison. */
  current: readonly number[] | null;
  /** The member's relearning steps (fsrs-rs fits its short-term stability with them). */
  relearningSteps: number;
}

/** Log loss and RMSE over bins of a set of weights on the member's own history (fsrs-rs `evaluate`). */
export interface Fit {
  logLoss: number;
  rmseBins: number;
}

export interface FitAnswer {
  weights: number[];
  before: Fit;
  after: Fit;
  /** Predicted against actual recall on the member's history, with FSRS's defaults and with the fitted weights. */
  calibration: { defaults: CalibrationBin[]; fitted: CalibrationBin[] };
}
