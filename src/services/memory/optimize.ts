/**
 * `/settings memory`: fits a member's own FSRS weights from their review log (fsrs-rs in a worker thread,
 * fit-thread.ts), applies them only when they predict the member's own history better than the weights in use,
 * and goes back to the defaults on request. Every interval, rating and quiz answer after that uses them
 * (user_settings.fsrs_weights, read with the scheduling settings; core/scheduling.ts Schedulers).
 */
import type { CalibrationBin } from "../../core/memory-calibration.ts";
import { cardHistories, historySize, REVIEWS_FOR_A_FIT } from "../../core/memory-history.ts";
import { parseSteps, parseWeights } from "../../core/scheduling.ts";
import {
  claimFit,
  latestFit,
  type MemoryFit,
  resetWeights,
  reviewHistory,
  saveFit,
} from "../../db/memory-fits.ts";
import { memberZone } from "../../db/review-stats.ts";
import { readSettings, writeSettings } from "../../db/user-settings.ts";
import type { Deps } from "../deps.ts";
import type { Fit, FitAnswer } from "./fit-job.ts";
import { fitInWorker } from "./fit-thread.ts";

/** A monthly re-fit runs once per member in this long (services/memory/refit.ts). */
export const REFIT_EVERY_MS = 30 * 86_400_000;

export type OptimizeResult =
  | {
      kind: "not-yet";
      reviews: number;
      /** Reviews on a later day than the one before, and how many a fit needs. */
      longTerm: number;
      needed: number;
    }
  | {
      kind: "fitted";
      reviews: number;
      longTerm: number;
      /** The weights in use before (fitted or FSRS's defaults), and the fitted ones, on the member's history. */
      before: Fit;
      after: Fit;
      /** The fitted weights fit better and are in use from now on. */
      applied: boolean;
      /** Whether the weights before were the member's own (an earlier fit) rather than FSRS's defaults. */
      hadOwn: boolean;
    }
  | { kind: "claimed-elsewhere" }
  /** fsrs-rs refused the history (its message); nothing changed. */
  | { kind: "failed"; reason: string };

/** Reads the member's log, and fits when there is enough of it; see OptimizeResult. */
export async function optimizeMemory(
  deps: Pick<Deps, "db" | "clock" | "log">,
  userId: string,
  guildId: string | null,
  trigger: "command" | "monthly" = "command",
): Promise<OptimizeResult> {
  // A monthly re-fit claims the member first: one run a month whatever it finds, even too little data.
  if (
    trigger === "monthly" &&
    !(await claimFit(deps.db, userId, trigger, deps.clock.now().getTime(), REFIT_EVERY_MS))
  )
    return { kind: "claimed-elsewhere" };
  const settings = await readSettings(deps.db, userId);
  const zone = await memberZone(deps.db, userId, guildId, { ownZone: settings.timezone });
  const log = (await reviewHistory(deps.db, userId)).map((r) => ({ ...r, at: r.at.getTime() }));
  const histories = cardHistories(log, zone);
  const size = historySize(histories);
  if (size.longTerm < REVIEWS_FOR_A_FIT)
    return { kind: "not-yet", reviews: size.reviews, longTerm: size.longTerm, needed: REVIEWS_FOR_A_FIT };

  const started = deps.clock.now().getTime();
  const current = parseWeights(settings.fsrsWeights);
  let answer: FitAnswer;
  try {
    answer = await fitInWorker({
      histories,
      current,
      relearningSteps: Math.max(1, parseSteps(settings.relearningSteps)?.length ?? 1),
    });
  } catch (err) {
    deps.log.warn({ err, userId, trigger, reviews: size.reviews }, "memory model fit failed");
    return { kind: "failed", reason: err instanceof Error ? err.message : String(err) };
  }
  // What fsrs-rs gave must be weights ts-fsrs takes (21 finite numbers), or the fit is no fit.
  const weights = parseWeights(JSON.stringify(answer.weights));
  if (weights === null) {
    deps.log.warn({ userId, trigger, weights: answer.weights }, "memory model fit gave no usable weights");
    return { kind: "failed", reason: `fsrs-rs gave ${answer.weights.length} weights ts-fsrs cannot use` };
  }
  const better = answer.after.logLoss < answer.before.logLoss;
  const now = deps.clock.now().getTime();
  const applied = await saveFit(
    deps.db,
    userId,
    {
      attemptedAt: started,
      trigger,
      fittedAt: now,
      reviews: size.reviews,
      logLossBefore: answer.before.logLoss,
      logLossAfter: answer.after.logLoss,
      rmseBefore: answer.before.rmseBins,
      rmseAfter: answer.after.rmseBins,
      calibration: JSON.stringify(answer.calibration),
    },
    better ? { weights, before: settings.fsrsWeights } : null,
  );
  deps.log.info(
    {
      userId,
      trigger,
      reviews: size.reviews,
      ms: now - started,
      applied,
      before: answer.before,
      after: answer.after,
    },
    "memory model fitted",
  );
  return {
    kind: "fitted",
    reviews: size.reviews,
    longTerm: size.longTerm,
    before: answer.before,
    after: answer.after,
    applied,
    hadOwn: current !== null,
  };
}

export interface MemoryView {
  /** The member's own weights (null: FSRS's defaults), when they were applied and from how many reviews. */
  weights: readonly number[] | null;
  weightsAt: number | null;
  weightsReviews: number | null;
  /** The monthly re-fit is on. */
  refit: boolean;
  /** The latest fit that finished, whether or not it was applied. */
  lastFit: { at: number; applied: boolean; reviews: number; before: Fit; after: Fit } | null;
}

function lastFitOf(f: MemoryFit | undefined): MemoryView["lastFit"] {
  if (!f || f.fittedAt === null || f.logLossBefore === null || f.logLossAfter === null) return null;
  return {
    at: f.fittedAt,
    applied: f.applied === true,
    reviews: f.reviews ?? 0,
    before: { logLoss: f.logLossBefore, rmseBins: f.rmseBefore ?? 0 },
    after: { logLoss: f.logLossAfter, rmseBins: f.rmseAfter ?? 0 },
  };
}

/** `/settings memory show`. */
export async function memoryView(deps: Pick<Deps, "db">, userId: string): Promise<MemoryView> {
  const s = await readSettings(deps.db, userId);
  return {
    weights: parseWeights(s.fsrsWeights),
    weightsAt: s.weightsAt,
    weightsReviews: s.weightsReviews,
    refit: s.memoryRefit,
    lastFit: lastFitOf(await latestFit(deps.db, userId)),
  };
}

/** `/settings memory reset`: FSRS's default weights from the next rating on. */
export async function resetMemory(deps: Pick<Deps, "db">, userId: string): Promise<MemoryView> {
  await resetWeights(deps.db, userId);
  return memoryView(deps, userId);
}

/** `/settings memory monthly`: the monthly re-fit on or off. */
export async function setMonthlyRefit(
  deps: Pick<Deps, "db">,
  userId: string,
  on: boolean,
): Promise<MemoryView> {
  await writeSettings(deps.db, userId, { memoryRefit: on });
  return memoryView(deps, userId);
}

/** The calibration of the latest fit (FSRS's defaults and the fitted weights) for /stats, or null before any fit. */
export async function latestCalibration(
  deps: Pick<Deps, "db">,
  userId: string,
): Promise<{ defaults: CalibrationBin[]; fitted: CalibrationBin[]; applied: boolean } | null> {
  const f = await latestFit(deps.db, userId);
  if (!f?.calibration) return null;
  let c: { defaults?: CalibrationBin[]; fitted?: CalibrationBin[] };
  try {
    c = JSON.parse(f.calibration);
  } catch {
    return null; // a row /stats cannot read draws no calibration rather than failing the whole reply
  }
  if (!Array.isArray(c.defaults) || !Array.isArray(c.fitted)) return null;
  // "In use" only while the member still schedules with fitted weights (not after a reset).
  const inUse = f.applied === true && (await readSettings(deps.db, userId)).fsrsWeights !== null;
  return { defaults: c.defaults, fitted: c.fitted, applied: inUse };
}
