/**
 * The memory model against a known truth: simulated learners, each with FSRS weights of their own around the
 * defaults, study for 120 days; the bot's fit (fsrs-rs in its worker thread) learns from their first 80 days and
 * is judged on the 40 after. The bench runs 200 learners (`npm run bench -- --only memory`); this runs a few.
 */
import { describe, expect, it } from "vitest";
import { heldOutFit } from "../../datagen/memory-simulation.ts";
import { bySize } from "../helpers/size.ts";

const LEARNERS = bySize(12, 6);

describe(`GIVEN ${LEARNERS} simulated learners with known memories (seeds 1–${LEARNERS})`, () => {
  it("THEN weights fitted on their first 80 days predict their later reviews better than the defaults for ≥ 90% of them", async () => {
    const results = [];
    for (let seed = 1; seed <= LEARNERS; seed++) results.push(await heldOutFit(seed));
    for (const r of results) {
      expect(r.trainReviews).toBeGreaterThan(1000);
      expect(r.heldOutReviews).toBeGreaterThan(500);
    }
    const better = results.filter((r) => r.fittedLogLoss < r.defaultLogLoss).length;
    expect(better / LEARNERS).toBeGreaterThanOrEqual(0.9);
    const gains = results.map((r) => 1 - r.fittedLogLoss / r.defaultLogLoss).sort((a, b) => a - b);
    // The median gain is real, not noise around zero.
    expect(gains[Math.floor(LEARNERS / 2)]).toBeGreaterThan(0.01);
  }, 120_000);

  it("THEN the same seed gives the same learner and the same fit", async () => {
    const [a, b] = [await heldOutFit(3), await heldOutFit(3)];
    expect(a).toEqual(b);
  }, 60_000);
});
