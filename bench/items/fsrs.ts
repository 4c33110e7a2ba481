/**
 * Item `fsrs`: the per-member memory model (services/memory).
 * - Known truth: 200 simulated learners (datagen/memory-simulation.ts, seeds 1–200; 20 below the target size),
 *   each fitted on its first 80 days by the bot's fit (fsrs-rs in its worker thread) and judged on the 40 after:
 *   the share whose fitted weights have the lower held-out log loss (bar ≥ 90%) and the median improvement.
 * - Size: a member with 20,000 reviews (a simulated learner's, written through the bot's review path into a
 *   SQLite file of this item's own) fitted by `optimizeMemory` as `/settings memory optimize` runs it: the time
 *   (bar ≤ 10 s) and the event loop's delay meanwhile (bar p99 ≤ 50 ms).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import pino from "pino";
import { heldOutFit } from "../../datagen/memory-simulation.ts";
import { mulberry32 } from "../../datagen/rng.ts";
import { learnerWeights, simulateLearner } from "../../datagen/simulated-learner.ts";
import { ManualClock } from "../../src/core/clock.ts";
import { Schedulers } from "../../src/core/scheduling.ts";
import { closeDb, openDb, tx } from "../../src/db/client.ts";
import { writeDeck } from "../../src/db/deck-cards.ts";
import { reviewHistory } from "../../src/db/memory-fits.ts";
import { once } from "../../src/db/prepared.ts";
import { writeReview } from "../../src/db/reviews.ts";
import { cards } from "../../src/db/schema.ts";
import { addSubscription } from "../../src/db/subscriptions.ts";
import { optimizeMemory } from "../../src/services/memory/optimize.ts";
import { updateSettings } from "../../src/services/settings.ts";
import { decideWith } from "../../src/services/study.ts";
import type { Result } from "../lib/measure.ts";
import type { BenchContext } from "./context.ts";

const START = Date.UTC(2025, 0, 6);
const BIG_HISTORY = 20_000;

async function simulation(ctx: BenchContext): Promise<Result[]> {
  const learners = ctx.params.users >= 5000 ? 200 : 20;
  const gains: number[] = [];
  let better = 0;
  const t0 = performance.now();
  for (let seed = 1; seed <= learners; seed++) {
    const r = await heldOutFit(seed);
    if (r.fittedLogLoss < r.defaultLogLoss) better++;
    gains.push(1 - r.fittedLogLoss / r.defaultLogLoss);
  }
  gains.sort((a, b) => a - b);
  ctx.log(`fsrs: ${learners} simulated learners fitted in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return [
    {
      name: "fsrs.simulated.better_share",
      value: Math.round((better / learners) * 1000) / 10,
      unit: "%",
      extra: `${better} of ${learners} learners: fitted weights beat the defaults on held-out reviews (target ≥ 90%)`,
    },
    {
      name: "fsrs.simulated.median_gain",
      value: Math.round((gains[Math.floor(learners / 2)] ?? 0) * 1000) / 10,
      unit: "%",
      extra: "median held-out log-loss improvement over the defaults",
    },
  ];
}

/** A SQLite file with one member whose log holds exactly `BIG_HISTORY` reviews, written as the bot writes them. */
async function bigHistory(dir: string) {
  const db = await openDb(join(dir, "fsrs.db"));
  const clock = new ManualClock(new Date(START));
  const deps = { db, clock, schedulers: new Schedulers({ fuzz: false }), log: pino({ level: "silent" }) };
  const log = simulateLearner(learnerWeights(mulberry32(42)), {
    seed: 42,
    cards: 6000,
    newPerDay: 25,
    days: 400,
    start: START,
  }).slice(0, BIG_HISTORY);
  const n = Math.max(...log.map((r) => r.cardId));
  const deck = Array.from({ length: n }, (_, k) => ({
    key: String(k + 1),
    front: `q${k + 1}`,
    back: `a${k + 1}`,
    tags: [],
  }));
  const userId = "300000000000000042";
  await tx(db, (t) =>
    writeDeck(
      t,
      { id: "fsrs", name: "FSRS", description: "", filePath: null, cards: deck, source: "file" },
      clock.now(),
    ),
  );
  await addSubscription(db, userId, "fsrs", clock.now());
  await updateSettings(db, userId, { learningSteps: "none", relearningSteps: "none", timezone: "UTC" });
  const ids = (
    await once(db, (b) => b.select({ id: cards.id }).from(cards).orderBy(cards.position).prepare()).all()
  ).map((c) => c.id);
  await tx(db, async (t) => {
    for (const r of log) {
      clock.set(new Date(r.at));
      const grade = r.rating as 1 | 2 | 3 | 4;
      await writeReview(
        t,
        {
          userId,
          guildId: null,
          cardId: ids[r.cardId - 1] ?? 0,
          grade,
          source: "study",
          shownAt: r.at,
          version: null,
        },
        clock.now(),
        decideWith(deps, grade),
      );
    }
  });
  return { deps, userId };
}

async function bigFit(ctx: BenchContext): Promise<Result[]> {
  const dir = mkdtempSync(join(tmpdir(), "bench-fsrs-"));
  try {
    const { deps, userId } = await bigHistory(dir);
    const reviews = (await reviewHistory(deps.db, userId)).length;
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const t0 = performance.now();
    const r = await optimizeMemory(deps, userId, null);
    const ms = performance.now() - t0;
    delay.disable();
    await closeDb(deps.db);
    if (r.kind !== "fitted") throw new Error(`the ${reviews}-review fit did not run: ${r.kind}`);
    ctx.log(`fsrs: ${reviews} reviews fitted in ${(ms / 1000).toFixed(2)} s (applied: ${r.applied})`);
    return [
      {
        name: "fsrs.fit_20k.seconds",
        value: Math.round(ms) / 1000,
        unit: "s",
        extra: `${reviews} reviews, /settings memory optimize (target ≤ 10 s)`,
      },
      {
        name: "fsrs.fit_20k.loop_delay_p99",
        value: Math.round(delay.percentile(99) / 1e4) / 100,
        unit: "ms",
        extra: "event-loop delay during the fit (target p99 ≤ 50 ms)",
      },
      {
        name: "fsrs.fit_20k.loop_delay_max",
        value: Math.round(delay.max / 1e4) / 100,
        unit: "ms",
        extra: "event-loop delay during the fit, the longest",
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchFsrs(ctx: BenchContext): Promise<Result[]> {
  return [
    ...(ctx.wants("fsrs.fit_20k") ? await bigFit(ctx) : []),
    ...(ctx.wants("fsrs.simulated") ? await simulation(ctx) : []),
  ];
}
