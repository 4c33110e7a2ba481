/**
 * `/settings memory` on both engines: a member with too few reviews is told how many more, and nothing changes; a
 * member with a history (a simulated learner's ratings, written through the bot's own review path) gets a fit
 * with before/after figures, and from then on every interval is ts-fsrs's with the fitted weights; reset goes back.
 */
import { eq, sql } from "drizzle-orm";
import { fsrs, generatorParameters } from "ts-fsrs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mulberry32 } from "../../datagen/rng.ts";
import { learnerWeights, simulateLearner } from "../../datagen/simulated-learner.ts";
import type { CalibrationBin } from "../../src/core/memory-calibration.ts";
import { GRADES, parseWeights, type Rating } from "../../src/core/scheduling.ts";
import { rowToCard } from "../../src/db/card-states.ts";
import { applyWeights, claimFit, latestFit, saveFit } from "../../src/db/memory-fits.ts";
import { once } from "../../src/db/prepared.ts";
import { cardStates, cards, userSettings } from "../../src/db/schema.ts";
import { subscribe } from "../../src/services/decks.ts";
import { fitInWorker, fitsInProcess } from "../../src/services/memory/fit-thread.ts";
import {
  latestCalibration,
  memoryView,
  optimizeMemory,
  REFIT_EVERY_MS,
  resetMemory,
  setMonthlyRefit,
} from "../../src/services/memory/optimize.ts";
import { refitOne } from "../../src/services/memory/refit.ts";
import { updateSettings } from "../../src/services/settings.ts";
import { nextView, type Session, showAnswer } from "../../src/services/study.ts";
import { engineDeps, seedDeck } from "../helpers/deps.ts";
import { ENGINES } from "../helpers/engines.ts";
import { recordReview } from "../helpers/reviews.ts";
import { snapshotTables } from "../helpers/table-snapshot.ts";

const START = Date.UTC(2026, 0, 5);
const ME = "100";

describe.each(ENGINES)("%s", (engine) => {
  let deps: Awaited<ReturnType<typeof engineDeps>>;
  let ids: number[];

  /** Writes the reviews through the bot's own path, each at its instant. */
  async function replay(log: { cardId: number; rating: number; at: number }[]) {
    for (const r of log) {
      deps.clock.set(new Date(r.at));
      const cardId = ids[r.cardId - 1];
      if (cardId === undefined) throw new Error(`no card ${r.cardId}`);
      const grade = r.rating as Rating.Again | Rating.Hard | Rating.Good | Rating.Easy;
      await recordReview(deps, {
        userId: ME,
        guildId: null,
        cardId,
        grade,
        source: "study",
        shownAt: r.at,
        version: null,
      });
    }
  }
  const memoryTables = () =>
    snapshotTables(deps.db, {
      user_settings: "user_id",
      memory_fits: "user_id",
      card_states: "user_id, card_id",
    });

  beforeEach(async () => {
    deps = await engineDeps(engine, new Date(START).toISOString());
    await seedDeck(deps, "alpha", 80);
    await subscribe(deps, ME, null, "alpha");
    // Daily reviews, as the simulated learner studies.
    await updateSettings(deps.db, ME, { learningSteps: "none", relearningSteps: "none", timezone: "UTC" });
    ids = (
      await once(deps.db, (b) =>
        b.select({ id: cards.id }).from(cards).orderBy(cards.position).prepare(),
      ).all()
    ).map((c) => c.id);
  });
  afterEach(() => deps.close());

  it("GIVEN 30 reviews THEN the reply is not yet, with how many more, and nothing changes", async () => {
    const log = simulateLearner(learnerWeights(mulberry32(5)), {
      seed: 5,
      cards: 10,
      newPerDay: 5,
      days: 60,
      start: START,
    });
    await replay(log.slice(0, 30));
    const before = await memoryTables();
    const r = await optimizeMemory(deps, ME, null);
    expect(r).toMatchObject({ kind: "not-yet", reviews: 30, needed: 64 });
    if (r.kind !== "not-yet") throw new Error("expected not yet");
    expect(r.longTerm).toBeLessThan(30);
    expect(await memoryTables()).toEqual(before);
  });

  describe("GIVEN 100 days of a learner who forgets faster than FSRS's defaults assume", () => {
    beforeEach(async () => {
      // The defaults with the stabilities after each rating halved: a learner the defaults over-schedule.
      const truth = learnerWeights(mulberry32(11), 0).map((w, k) => (k < 4 ? w / 3 : w));
      await replay(simulateLearner(truth, { seed: 11, cards: 80, newPerDay: 4, days: 100, start: START }));
    });

    it("THEN the fit reports before/after on their history, is applied, and every interval uses the fitted weights", async () => {
      const r = await optimizeMemory(deps, ME, null);
      if (r.kind !== "fitted") throw new Error(`expected a fit, got ${r.kind}`);
      expect(r.reviews).toBeGreaterThan(300);
      expect(r.after.logLoss).toBeLessThan(r.before.logLoss);
      expect(r).toMatchObject({ applied: true, hadOwn: false });

      // /stats' calibration: every review on a later day than the one before, binned; the fitted weights sit
      // nearer the diagonal than the defaults for a learner the defaults over-schedule.
      const c = await latestCalibration(deps, ME);
      if (!c) throw new Error("no calibration stored");
      const total = (bins: CalibrationBin[]) => bins.reduce((n, b) => n + b.n, 0);
      const gap = (bins: CalibrationBin[]) =>
        bins.reduce((g, b) => g + b.n * Math.abs(b.predicted - b.actual), 0) / total(bins);
      expect(total(c.defaults)).toBe(r.longTerm);
      expect(total(c.fitted)).toBe(r.longTerm);
      expect(gap(c.fitted)).toBeLessThan(gap(c.defaults));

      const view = await memoryView(deps, ME);
      expect(view.weights).toHaveLength(21);
      expect(view).toMatchObject({ weightsReviews: r.reviews, weightsAt: deps.clock.now().getTime() });
      expect(view.lastFit).toMatchObject({
        applied: true,
        reviews: r.reviews,
        after: r.after,
        before: r.before,
      });

      // The next card's buttons: ts-fsrs with the fitted weights, not with the defaults.
      deps.clock.advance(30 * 86_400_000);
      const s: Session = {
        userId: ME,
        guildId: null,
        deckId: null,
        source: "study",
        startedAt: deps.clock.now().getTime(),
      };
      const q = await nextView(deps, s);
      if (q.kind !== "card") throw new Error("expected a due card");
      const a = await showAnswer(deps, s, q.cardId, q.version, deps.clock.now().getTime());
      if (a.kind !== "card" || !a.intervals) throw new Error("expected the answer");
      const row = await once(deps.db, (b) =>
        b.select().from(cardStates).where(eq(cardStates.cardId, q.cardId)).prepare(),
      ).get();
      const now = deps.clock.now();
      const preview = (w: readonly number[] | null) => {
        const f = fsrs(
          generatorParameters({
            enable_fuzz: false,
            learning_steps: [],
            relearning_steps: [],
            ...(w && { w: [...w] }),
          }),
        );
        const p = f.repeat(rowToCard(row!), now);
        return GRADES.map((g) => p[g].card.due.getTime() - now.getTime());
      };
      const shown = GRADES.map((g) => a.intervals![g]);
      expect(shown).toEqual(preview(view.weights));
      expect(shown).not.toEqual(preview(null));

      // Reset: the defaults again, on the same card; /stats no longer calls the fitted weights in use.
      await resetMemory(deps, ME);
      expect((await latestCalibration(deps, ME))?.applied).toBe(false);
      const again = await showAnswer(deps, s, q.cardId, q.version, now.getTime());
      if (again.kind !== "card" || !again.intervals) throw new Error("expected the answer");
      expect(GRADES.map((g) => again.intervals![g])).toEqual(preview(null));
      const stored = await once(deps.db, (b) =>
        b
          .select({ w: userSettings.fsrsWeights })
          .from(userSettings)
          .where(eq(userSettings.userId, ME))
          .prepare(),
      ).get();
      expect(parseWeights(stored?.w ?? null)).toBeNull();
    });

    it("THEN the monthly re-fit runs for a member who opted in, once a month, and never for one who did not", async () => {
      expect(await refitOne(deps)).toBeNull(); // not opted in
      await setMonthlyRefit(deps, ME, true);
      expect(await refitOne(deps)).toBe(ME);
      const fitted = await memoryView(deps, ME);
      expect(fitted.weights).toHaveLength(21);
      expect(fitted.lastFit).toMatchObject({ applied: true });
      const fit = await latestFit(deps.db, ME);
      expect(fit?.trigger).toBe("monthly");
      // The same month: nothing; 30 days on: again.
      deps.clock.advance(29 * 86_400_000);
      expect(await refitOne(deps)).toBeNull();
      deps.clock.advance(86_400_000);
      expect(await refitOne(deps)).toBe(ME);
      expect((await latestFit(deps.db, ME))?.attemptedAt).toBe(deps.clock.now().getTime());
    });

    it("THEN no monthly re-fit starts while a fit runs in the process, and fits queued together run one at a time", async () => {
      await setMonthlyRefit(deps, ME, true);
      const running = optimizeMemory(deps, ME, null);
      expect(fitsInProcess()).toBe(0); // the command's reads come first; its fit is queued after them
      await new Promise((resolve) => setTimeout(resolve, 0));
      const histories = Array.from({ length: 70 }, (_, k) => ({
        ratings: [3, k % 3 === 0 ? 1 : 3, 3],
        deltas: [0, 1, 3],
      }));
      const job = { histories, current: null, relearningSteps: 1 };
      const [a, b] = [fitInWorker(job), fitInWorker(job)];
      expect(fitsInProcess()).toBeGreaterThanOrEqual(2);
      expect(await refitOne(deps)).toBeNull();
      await Promise.all([running, a, b]);
      expect(fitsInProcess()).toBe(0);
    });

    it("THEN a second fit compares against the member's own weights, and keeps them unless the new ones fit better", async () => {
      const first = await optimizeMemory(deps, ME, null);
      expect(first).toMatchObject({ kind: "fitted", applied: true });
      const second = await optimizeMemory(deps, ME, null);
      if (second.kind !== "fitted") throw new Error("expected a fit");
      expect(second.hadOwn).toBe(true);
      // The same history: the weights before are the first fit's, which already fit it as well as a fit can.
      if (first.kind === "fitted") expect(second.before.logLoss).toBeCloseTo(first.after.logLoss, 5);
      expect(second.applied).toBe(second.after.logLoss < second.before.logLoss);
    });
  });

  it("GIVEN weights changed while a fit ran (a reset, another fit) THEN the fit's weights are not applied", async () => {
    const mine = learnerWeights(mulberry32(3), 0.2);
    await applyWeights(deps.db, ME, mine, START, 500);
    const outcome = {
      attemptedAt: START,
      trigger: "command" as const,
      fittedAt: START + 1000,
      reviews: 600,
      logLossBefore: 0.5,
      logLossAfter: 0.4,
      rmseBefore: 0.1,
      rmseAfter: 0.05,
      calibration: "{}",
    };
    // The fit started from the defaults (no weights of their own then): what is stored now wins.
    expect(
      await saveFit(deps.db, ME, outcome, { weights: learnerWeights(mulberry32(4), 0.2), before: null }),
    ).toBe(false);
    expect((await memoryView(deps, ME)).weights).toEqual(mine);
    expect((await latestFit(deps.db, ME))?.applied).toBe(false);
  });

  it("GIVEN two processes claiming the same member's monthly re-fit THEN one wins, and the next month's claim works again", async () => {
    const now = START;
    expect(await claimFit(deps.db, ME, "monthly", now, REFIT_EVERY_MS)).toBe(true);
    expect(await claimFit(deps.db, ME, "monthly", now + 1000, REFIT_EVERY_MS)).toBe(false);
    expect(await claimFit(deps.db, ME, "monthly", now + REFIT_EVERY_MS, REFIT_EVERY_MS)).toBe(true);
    const rows = await once(deps.db, (b) =>
      b.select({ n: sql<number>`count(*)` }).from(userSettings).prepare(),
    ).get();
    expect(Number(rows?.n)).toBe(1);
  });
});
