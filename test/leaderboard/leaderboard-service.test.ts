import { afterEach, describe, expect, it } from "vitest";
import { renderLeaderboard } from "../../src/render/leaderboard.ts";
import { leaderboard, type Metric, type Period } from "../../src/services/leaderboard.ts";
import { ENGINES } from "../helpers/engines.ts";
import { DAY, type World, world } from "./helpers.ts";

describe.each(ENGINES)("%s", (engine) => {
  let w: World;
  afterEach(() => w.deps.close());

  function board(period: Period, metric: Metric, userId = "alice", guildId = "g1") {
    return leaderboard(w.deps, { guildId, userId, period, metric });
  }
  const order = (b: Awaited<ReturnType<typeof board>>) => b.top.map((e) => `${e.userId}:${e.score}`);

  // Server in Berlin (UTC+1 in early March). "Now" is Tuesday 2026-03-10 13:00 local.
  const NOW = "2026-03-10T12:00:00Z";

  describe("GIVEN three members who studied different amounts on different days", () => {
    async function setup() {
      w = await world(engine, { zone: "Europe/Berlin", cards: 12 });
      // (in time order: each member's cards are scheduled as they go)
      await w.reviews("dave", "2026-01-20T12:00:00Z", 9); // seven weeks ago → all time only
      await w.reviews("carol", "2026-03-04T02:00:00Z", 8); // Mar 4, 03:00 Berlin: still Mar 3 (day −7) → month only
      await w.reviews("bob", "2026-03-04T03:00:00Z", 4); // Mar 4, 04:00 Berlin: first minute of day −6 → in the week
      await w.reviews("alice", "2026-03-10T08:00:00Z", 5); // today
      await w.reviews("bob", "2026-03-10T09:00:00Z", 2); // today
      w.at(NOW);
    }

    it("THEN each period orders them by reviews over its own days", async () => {
      await setup();
      expect(order(await board("today", "reviews"))).toEqual(["alice:5", "bob:2"]);
      expect(order(await board("week", "reviews"))).toEqual(["bob:6", "alice:5"]);
      expect(order(await board("month", "reviews"))).toEqual(["carol:8", "bob:6", "alice:5"]);
      expect(order(await board("all", "reviews"))).toEqual(["dave:9", "carol:8", "bob:6", "alice:5"]);
    });

    it("THEN the rolling week ends exactly at the 04:00 rollover 7 days back, and moves with the clock", async () => {
      await setup();
      expect((await board("week", "reviews")).window).toEqual({
        from: expect.any(Number),
        to: expect.any(Number),
      });
      // At 03:59 Berlin on Wednesday 11th the server day is still the 10th: bob's Mar 4 reviews still count…
      w.at("2026-03-11T02:59:00Z");
      expect(order(await board("week", "reviews"))).toEqual(["bob:6", "alice:5"]);
      // …at 04:00 the 11th begins and the 4th drops out of the window.
      w.at("2026-03-11T03:00:00Z");
      expect(order(await board("week", "reviews"))).toEqual(["alice:5", "bob:2"]);
      expect(order(await board("today", "reviews"))).toEqual([]);
    });

    it("THEN points rank the same way, and a member farming sub-second reviews earns no points", async () => {
      await setup();
      await w.reviews("erin", "2026-03-10T10:00:00Z", 10, { ms: 400 });
      expect(order(await board("today", "reviews"))[0]).toBe("erin:10");
      expect(order(await board("today", "points"))).toEqual(["alice:5", "bob:2", "erin:0"]);
    });

    it("THEN a hidden member disappears from every board, and sees that they are hidden", async () => {
      await setup();
      await w.hide("bob");
      for (const p of ["today", "week", "month", "all"] as const)
        for (const m of ["reviews", "points", "streak", "accuracy"] as const)
          expect((await board(p, m)).top.map((e) => e.userId)).not.toContain("bob");
      expect((await board("week", "reviews", "bob")).me).toEqual({ kind: "hidden" });
      expect(renderLeaderboard(await board("week", "reviews", "bob")).content).toContain("hidden");
    });

    it("THEN another server's board does not show them", async () => {
      await setup();
      expect((await board("all", "reviews", "alice", "g2")).top).toEqual([]);
      expect((await board("all", "reviews", "alice", "g2")).me).toEqual({ kind: "none" });
    });
  });

  describe("GIVEN equal figures", () => {
    it("THEN tied members share a rank and a medal, and the next rank skips (1, 1, 3)", async () => {
      w = await world(engine);
      await w.reviews("a", "2026-03-02T10:00:00Z", 6);
      await w.reviews("b", "2026-03-02T11:00:00Z", 6);
      await w.reviews("c", "2026-03-02T12:00:00Z", 2);
      w.at("2026-03-02T18:00:00Z");
      const b = await board("today", "points", "c");
      expect(b.top.map((e) => e.rank)).toEqual([1, 1, 3]);
      const lines = renderLeaderboard(b).content.split("\n");
      expect(lines.filter((l) => l.startsWith("🥇"))).toHaveLength(2);
      expect(lines.some((l) => l.startsWith("🥉") && l.includes("<@c>"))).toBe(true);
      expect(lines.some((l) => l.startsWith("🥈"))).toBe(false);
      expect(renderLeaderboard(b).content).toContain("<@c>'s rank: **#3** of 3 · 2 pts");
    });
  });

  describe("GIVEN twelve members", () => {
    it("THEN the board shows the top 10 and the caller's own rank below even when outside it", async () => {
      w = await world(engine, { cards: 20 });
      for (let k = 1; k <= 12; k++) await w.reviews(`m${k}`, "2026-03-02T10:00:00Z", 13 - k); // m1: 12 … m12: 1
      w.at("2026-03-02T20:00:00Z");
      const b = await board("week", "reviews", "m12");
      expect(b.top).toHaveLength(10);
      expect(b.ranked).toBe(12);
      expect(b.me).toMatchObject({ kind: "ranked", entry: { rank: 12, score: 1 } });
      const text = renderLeaderboard(b).content;
      expect(text).toContain("<@m12>'s rank: **#12** of 12 · 1 review");
      expect(text).not.toContain("<@m11>");
      expect(text.length).toBeLessThanOrEqual(2000);
    });

    it("THEN a member who has not studied is told how to join", async () => {
      w = await world(engine);
      await w.reviews("a", "2026-03-02T10:00:00Z", 2);
      const b = await board("week", "reviews", "newbie");
      expect(b.me).toEqual({ kind: "none" });
      expect(renderLeaderboard(b).content).toContain("not on this board yet");
    });
  });

  describe("GIVEN the accuracy metric", () => {
    it("THEN it is the share not rated Again, from 20 reviews in the period", async () => {
      w = await world(engine, { cards: 60 });
      await w.reviews("a", "2026-03-02T10:00:00Z", 20); // 100 %
      await w.reviews("b", "2026-03-02T10:00:00Z", 15);
      await w.reviews("b", "2026-03-02T11:00:00Z", 5, { grade: 1, card: 30 }); // 75 %
      await w.reviews("c", "2026-03-02T10:00:00Z", 19); // too few
      w.at("2026-03-02T20:00:00Z");
      const b = await board("today", "accuracy", "c");
      expect(order(b)).toEqual(["a:1000", "b:750"]);
      expect(b.me).toEqual({ kind: "too-few", reviews: 19 });
      const text = renderLeaderboard(b).content;
      expect(text).toContain("75.0% · 20 reviews");
      expect(text).toContain("<@c> needs 20 reviews");
    });
  });

  describe("GIVEN the streak metric", () => {
    it("THEN current streaks rank for a period, and longest streaks for all time", async () => {
      w = await world(engine);
      const t0 = Date.parse("2026-03-02T10:00:00Z");
      for (let k = 0; k < 3; k++) await w.review("a", t0 + (5 + k) * DAY); // 3-day run to today
      for (let k = 0; k < 5; k++) await w.review("b", t0 + k * DAY); // 5-day run, broken two days ago
      await w.review("c", t0 + 6 * DAY); // studied yesterday: 1, alive
      w.at("2026-03-09T12:00:00Z");
      expect(order(await board("week", "streak"))).toEqual(["a:3", "c:1"]);
      expect(order(await board("all", "streak"))).toEqual(["b:5", "a:3", "c:1"]);
      expect((await board("week", "streak", "b")).me).toEqual({ kind: "none" });
      expect(renderLeaderboard(await board("week", "streak", "b")).content).toContain("no streak running");
    });
  });
});
