import { createEmptyCard, type Grade } from "ts-fsrs";
import { describe, expect, it } from "vitest";
import { utcStudyDay } from "../../bench/lib/aggregates.ts";
import { absState, DAY_MS, HistorySimulator, HOUR_MS, type ReviewSink } from "../../bench/lib/history.ts";
import { intIn, mulberry32 } from "../../bench/lib/rng.ts";
import { BENCH_NOW } from "../../bench/lib/world.ts";
import { createScheduler } from "../../src/core/scheduling.ts";
import { studyDayNumber } from "../../src/core/streaks.ts";

describe("seeded review histories", () => {
  it("GIVEN the memoised simulator THEN every review and final state equals a plain ts-fsrs replay", () => {
    const scheduler = createScheduler({ fuzz: false });
    const sim = new HistorySimulator(scheduler);
    const rng = mulberry32(42);
    const nowDay = Math.floor(BENCH_NOW / DAY_MS);
    let compared = 0;
    for (let k = 0; k < 1500; k++) {
      const sink: ReviewSink = { nodes: [], shifts: [] };
      const slot = intIn(rng, 7, 21) * HOUR_MS;
      const end = sim.simulate(
        nowDay - intIn(rng, 1, 60),
        slot,
        intIn(rng, 0, 3_599_999),
        BENCH_NOW,
        rng,
        sink,
      );
      if (!end) continue;
      const first = sink.nodes[0];
      const firstShift = sink.shifts[0];
      if (!first || firstShift === undefined) throw new Error("no first review");
      let card = createEmptyCard(new Date(first.at + firstShift));
      sink.nodes.forEach((node, i) => {
        const shift = sink.shifts[i] ?? 0;
        const at = new Date(node.at + shift);
        const direct = scheduler.next(card, at, node.log?.rating as Grade);
        const log = node.log;
        if (!log) throw new Error("root in sink");
        expect({ ...log, due: log.due.getTime() + shift, review: log.review.getTime() + shift }).toEqual({
          ...direct.log,
          due: direct.log.due.getTime(),
          review: direct.log.review.getTime(),
        });
        card = direct.card;
        compared++;
      });
      const s = absState(end.node, end.shift);
      expect(s).toEqual({
        due: card.due.getTime(),
        stability: card.stability,
        difficulty: card.difficulty,
        elapsedDays: card.elapsed_days,
        scheduledDays: card.scheduled_days,
        learningSteps: card.learning_steps,
        reps: card.reps,
        lapses: card.lapses,
        state: card.state,
        lastReview: card.last_review?.getTime() ?? null,
      });
    }
    expect(compared).toBeGreaterThan(2500);
    expect(sim.calls).toBeLessThan(compared); // the memo does save work
  });

  it("GIVEN UTC arithmetic THEN the seeded study day equals the bot's studyDayNumber", () => {
    const rng = mulberry32(7);
    for (let k = 0; k < 2000; k++) {
      const ms = BENCH_NOW - intIn(rng, 0, 400 * 24) * HOUR_MS - intIn(rng, 0, 3_599_999);
      expect(utcStudyDay(ms)).toBe(studyDayNumber(ms, "UTC"));
    }
  });
});
