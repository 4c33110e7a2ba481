/**
 * The worker thread of a memory-model fit: fsrs-rs's optimizer (`@open-spaced-repetition/binding`) on one
 * member's histories, then its evaluation of the weights before and after, and the calibration of the defaults
 * and of the fitted weights, all off the
 * bot's event loop. One job per worker (fit-thread.ts starts one per fit).
 */
import { parentPort } from "node:worker_threads";
import { computeParameters, FSRSBinding } from "@open-spaced-repetition/binding";
import { calibration } from "../../core/memory-calibration.ts";
import { fsrsItems } from "./fit-items.ts";
import type { FitAnswer, FitJob } from "./fit-job.ts";

async function runFit(job: FitJob): Promise<FitAnswer> {
  const set = fsrsItems(job.histories);
  const weights = await computeParameters(set, {
    enableShortTerm: true,
    numRelearningSteps: job.relearningSteps,
  });
  const before = new FSRSBinding(job.current ? [...job.current] : undefined).evaluate(set);
  const after = new FSRSBinding(weights).evaluate(set);
  return {
    weights,
    before,
    after,
    calibration: {
      defaults: calibration(job.histories, null),
      fitted: calibration(job.histories, weights),
    },
  };
}

parentPort?.once("message", (job: FitJob) => {
  runFit(job).then(
    (answer) => parentPort?.postMessage({ ok: true, answer }),
    (err: unknown) =>
      parentPort?.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) }),
  );
});
