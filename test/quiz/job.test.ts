import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tx } from "../../src/db/client.ts";
import { recordReviewStats } from "../../src/db/review-stats.ts";
import { createQuizJob, cronTicker, type Ticker } from "../../src/jobs/quiz-job.ts";
import { keptBases, leaderboard } from "../../src/services/leaderboard.ts";
import { setupQuiz } from "../../src/services/quiz/config.ts";
import { engineDeps, seedDeck } from "../helpers/deps.ts";
import { ENGINES } from "../helpers/engines.ts";
import { fakeTransport } from "./helpers.ts";

/** A ticker the test fires by hand. */
function handTicker() {
  let fire: (() => void) | null = null;
  const t: Ticker & { fire(): void; started: boolean } = {
    timers: null,
    started: false,
    start(onTick) {
      fire = onTick;
      t.started = true;
    },
    stop() {
      fire = null;
      t.started = false;
    },
    fire: () => fire?.(),
  };
  return t;
}

describe.each(ENGINES)("%s: GIVEN the quiz job", (engine) => {
  let deps: Awaited<ReturnType<typeof engineDeps>>;
  beforeEach(async () => {
    deps = await engineDeps(engine, "2026-01-15T12:00:00Z"); // 13:00 in Berlin
    await seedDeck(deps, "alpha", 5);
  });
  afterEach(() => deps.close());

  it("THEN start runs a catch-up tick (today's missed 09:00 posts), ticks follow the ticker, stop ends them", async () => {
    deps.clock.set(new Date("2026-01-15T07:00:00Z"));
    await setupQuiz(deps, "1", { channelId: "2", time: "09:00", timezone: "Europe/Berlin" });
    deps.clock.set(new Date("2026-01-15T12:00:00Z")); // the bot was down at 09:00
    const fake = fakeTransport();
    const ticker = handTicker();
    const job = createQuizJob({ deps, ticker, transport: fake.transport });
    await job.start();
    expect(ticker.started).toBe(true);
    expect(fake.sent.map((s) => s.view.date)).toEqual(["2026-01-15"]);

    deps.clock.set(new Date("2026-01-16T08:00:00Z"));
    ticker.fire();
    await job.stop(); // waits for the running tick
    expect(ticker.started).toBe(false);
    expect(fake.sent.map((s) => s.view.date)).toEqual(["2026-01-15", "2026-01-16"]);
    ticker.fire();
    deps.clock.set(new Date("2026-01-17T08:00:00Z"));
    ticker.fire();
    expect(fake.sent).toHaveLength(2);
  });

  it("THEN each ticker tick also moves the leaderboards' kept bases to the new study day", async () => {
    // Every window kept, whatever its size: options of these deps only, nothing global to change.
    const withBoards = { ...deps, boards: { minMembers: 0, maxEntries: 32 } };
    {
      const at = deps.clock.now().getTime();
      await tx(deps.db, (t) =>
        recordReviewStats(t, {
          userId: "u1",
          guildId: "g1",
          source: "study",
          grade: 3,
          shownAt: at - 20 * 86_400_000,
          at: at - 20 * 86_400_000,
          stateBefore: 0,
        }),
      );
      await leaderboard(withBoards, { guildId: "g1", userId: "u1", period: "week", metric: "points" });
      const kept = () => keptBases(deps.db).map((k) => `${k.guildId} ${k.period} ${k.from}`);
      expect(kept()).toHaveLength(1);
      const ticker = handTicker();
      const transport = fakeTransport().transport;
      const job = createQuizJob({ deps: withBoards, ticker, transport });
      await job.start();
      await job.tick(); // after start's warm-up: g1's month board is kept too now
      const before = kept();
      expect(before.map((k) => k.replace(/ \d+$/, "")).sort()).toEqual(["g1 month", "g1 week"]);
      deps.clock.set(new Date(at + 86_400_000));
      ticker.fire();
      await job.stop();
      const next = before.map((k) => k.replace(/\d+$/, (d) => String(Number(d) + 1)));
      expect(kept().sort()).toEqual(next.sort());
    }
  });

  it("THEN ticks of one process run one after another", async () => {
    await setupQuiz(deps, "1", { channelId: "2", time: "13:30", timezone: "Europe/Berlin" });
    const fake = fakeTransport();
    fake.state.delayMs = 20;
    const job = createQuizJob({
      deps,
      ticker: handTicker(),
      transport: fake.transport,
    });
    deps.clock.set(new Date("2026-01-15T12:30:00Z"));
    const reports = await Promise.all([job.tick(), job.tick(), job.tick()]);
    expect(reports.map((r) => r.posted.length)).toEqual([1, 0, 0]);
  });
});

describe("GIVEN the node-cron ticker", () => {
  it("THEN the node-cron ticker fires on its schedule and stops when told", async () => {
    const ticker = cronTicker("* * * * * *"); // every second (production: every minute)
    let calls = 0;
    ticker.start(() => {
      calls++;
    });
    const until = Date.now() + 2500;
    while (calls === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    ticker.stop();
    const after = calls;
    expect(after).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 1100));
    expect(calls).toBe(after);
  });
});
