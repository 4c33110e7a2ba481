import { afterEach, describe, expect, it } from "vitest";
import { queryOne, querySql } from "../../datagen/raw-sql.ts";
import { dayNumber } from "../../src/core/streaks.ts";
import { tx } from "../../src/db/client.ts";
import { awardQuizPoints, readStreak } from "../../src/db/review-stats.ts";
import { leaderboard } from "../../src/services/leaderboard.ts";
import { rebuildStats } from "../../src/services/stats-rebuild.ts";
import { ENGINES } from "../helpers/engines.ts";
import { recordReview } from "../helpers/reviews.ts";
import { DAY, type World, world } from "./helpers.ts";

describe.each(ENGINES)("%s", (engine) => {
  let w: World;
  afterEach(() => w.deps.close());

  const D = (y: number, m: number, d: number) => dayNumber({ year: y, month: m, day: d });

  function userDays(userId: string) {
    return querySql<{ day: number; reviews: number; again: number; points: number; ms: number }>(
      w.deps.db,
      "SELECT day, reviews, again, points, ms FROM stat_user_days WHERE user_id = ? ORDER BY day",
      [userId],
    );
  }
  function guildDays(userId: string) {
    return querySql<{ day: number; reviews: number; points: number }>(
      w.deps.db,
      "SELECT day, reviews, points FROM stat_guild_days WHERE user_id = ? ORDER BY day",
      [userId],
    );
  }

  describe("GIVEN reviews recorded through the study write path", () => {
    it("THEN every aggregate equals what review_logs says (counts, Again, time spent)", async () => {
      w = await world(engine);
      await w.reviews("u1", "2026-03-02T10:00:00Z", 5, { grade: 1, ms: 90_000 }); // capped at 60 s like the log
      await w.reviews("u1", "2026-03-03T10:00:00Z", 7, { ms: 2500 });
      await w.reviews("u2", "2026-03-03T11:00:00Z", 3, { guild: null });
      const logs = await queryOne<{ n: number; again: number; ms: number }>(
        w.deps.db,
        "SELECT count(*) AS n, sum(CASE WHEN rating = 1 THEN 1 ELSE 0 END) AS again, sum(duration_ms) AS ms FROM review_logs",
      );
      const days = await queryOne<{ n: number; again: number; ms: number }>(
        w.deps.db,
        "SELECT sum(reviews) AS n, sum(again) AS again, sum(ms) AS ms FROM stat_user_days",
      );
      expect(days).toEqual(logs);
      const guild = await queryOne<{ n: number; ms: number }>(
        w.deps.db,
        "SELECT sum(reviews) AS n, sum(ms) AS ms FROM stat_guild_days WHERE guild_id = 'g1'",
      );
      const guildLogs = await queryOne<{ n: number; ms: number }>(
        w.deps.db,
        "SELECT count(*) AS n, sum(duration_ms) AS ms FROM review_logs WHERE guild_id = 'g1'",
      );
      expect(guild).toEqual(guildLogs);
      const members = await querySql(
        w.deps.db,
        "SELECT user_id, reviews FROM stat_guild_members ORDER BY user_id",
      );
      expect(members).toEqual([{ user_id: "u1", reviews: 12 }]); // u2 studied only outside the server
    });

    it("THEN a click that records nothing (stale version) adds nothing", async () => {
      w = await world(engine);
      await w.review("u1", "2026-03-02T10:00:00Z");
      const recorded = await tx(w.deps.db, (t) =>
        recordReview(
          { ...w.deps, db: t },
          {
            userId: "u1",
            guildId: "g1",
            cardId: w.cardIds[0] ?? 1,
            grade: 3,
            source: "study",
            shownAt: 0,
            version: 0, // the card is at version 1 now
          },
        ),
      );
      expect(recorded).toBe(false);
      expect(await userDays("u1")).toMatchObject([{ reviews: 1 }]);
    });

    it("THEN a review in under a second counts as a review but earns no point", async () => {
      w = await world(engine);
      await w.reviews("u1", "2026-03-02T10:00:00Z", 10, { ms: 300 });
      await w.reviews("u1", "2026-03-02T11:00:00Z", 4, { ms: 1000 });
      expect(await userDays("u1")).toMatchObject([{ reviews: 14, points: 4 }]);
      expect(await guildDays("u1")).toMatchObject([{ reviews: 14, points: 4 }]);
    });

    it("THEN a correct question of the day earns +2, a wrong one nothing, a daily-post session review 1", async () => {
      w = await world(engine);
      await w.review("u1", "2026-03-02T10:00:00Z", { source: "quiz", grade: 3, card: 1 });
      await w.review("u1", "2026-03-02T10:05:00Z", { source: "quiz", grade: 1, card: 2 });
      await w.review("u1", "2026-03-02T10:10:00Z", { source: "daily", grade: 3, card: 3 });
      expect(await userDays("u1")).toMatchObject([{ reviews: 3, again: 1, points: 2 + 0 + 1 }]);
      expect(await guildDays("u1")).toMatchObject([{ reviews: 3, points: 3 }]);
    });

    it("THEN a 7-day streak earns +5 once on each day from the 7th, in the server where the day began", async () => {
      w = await world(engine);
      for (let k = 0; k < 9; k++) await w.reviews("u1", Date.parse("2026-03-02T10:00:00Z") + k * DAY, 2);
      const pts = (await userDays("u1")).map((d) => d.points);
      expect(pts).toEqual([2, 2, 2, 2, 2, 2, 7, 7, 7]);
      expect((await guildDays("u1")).map((d) => d.points)).toEqual(pts);
      expect(await readStreak(w.deps.db, "u1")).toMatchObject({ runDays: 9, longest: 9 });
    });

    it("THEN the server day follows the server's zone and the member's day the member's zone", async () => {
      w = await world(engine, { zone: "America/New_York" });
      await w.setZone("u1", "Asia/Tokyo");
      // 2026-03-03 02:00 UTC: New York 21:00 on the 2nd; Tokyo 11:00 on the 3rd.
      await w.review("u1", "2026-03-03T02:00:00Z");
      expect(await guildDays("u1")).toMatchObject([{ day: D(2026, 3, 2) }]);
      expect(await userDays("u1")).toMatchObject([{ day: D(2026, 3, 3) }]);
    });

    it("THEN without a zone of their own a member's days use the server's zone, else the last one used", async () => {
      w = await world(engine, { zone: "America/New_York" });
      await w.review("u1", "2026-03-03T02:00:00Z"); // New York: the 2nd
      await w.review("u1", "2026-03-04T02:00:00Z", { guild: null }); // a DM review: still New York's day (the 3rd)
      expect((await userDays("u1")).map((d) => d.day)).toEqual([D(2026, 3, 2), D(2026, 3, 3)]);
      expect(await readStreak(w.deps.db, "u1")).toMatchObject({ runDays: 2, lastZone: "America/New_York" });
    });

    it("THEN changing timezone never moves days already stored", async () => {
      w = await world(engine);
      await w.review("u1", "2026-03-02T22:00:00Z");
      const before = await userDays("u1");
      await w.setZone("u1", "Asia/Tokyo");
      await w.review("u1", "2026-03-03T22:00:00Z"); // Tokyo: 07:00 on the 4th
      const after = await userDays("u1");
      expect(after[0]).toEqual(before[0]);
      expect(after.map((d) => d.day)).toEqual([D(2026, 3, 2), D(2026, 3, 4)]);
      expect(await readStreak(w.deps.db, "u1")).toMatchObject({ runDays: 2 }); // not broken by the skipped date
    });

    it("THEN a quiz answer that was not a review earns +2 when correct, but is no review and no study day", async () => {
      w = await world(engine);
      w.at("2026-03-02T10:00:00Z");
      const at = w.deps.clock.now().getTime();
      expect(await awardQuizPoints(w.deps.db, { guildId: "g1", userId: "q", at, correct: true })).toBe(2);
      expect(await awardQuizPoints(w.deps.db, { guildId: "g1", userId: "q", at, correct: false })).toBe(0);
      expect(await awardQuizPoints(w.deps.db, { guildId: null, userId: "q", at, correct: true })).toBe(0);
      const board = async (metric: "points" | "reviews") =>
        (await leaderboard(w.deps, { guildId: "g1", userId: "q", period: "today", metric })).top.map((e) => [
          e.userId,
          e.score,
        ]);
      expect(await board("points")).toEqual([["q", 2]]);
      expect(await board("reviews")).toEqual([]);
      expect(await userDays("q")).toEqual([]);
      await w.review("q", "2026-03-02T11:00:00Z"); // the first real review that day still starts the streak
      expect(await readStreak(w.deps.db, "q")).toMatchObject({ runDays: 1 });
      expect(await board("points")).toEqual([["q", 3]]);
    });

    it("THEN a quiz answer recorded as a review (answered at once, as the quiz does) is worth exactly +2", async () => {
      w = await world(engine);
      await w.review("u1", "2026-03-02T10:00:00Z", { source: "quiz", grade: 3, ms: 0 });
      await w.review("u1", "2026-03-02T10:01:00Z", { source: "quiz", grade: 1, ms: 0, card: 1 });
      expect(await userDays("u1")).toMatchObject([{ reviews: 2, points: 2 }]);
    });

    it("THEN replaying review_logs rebuilds exactly the aggregates the live path kept", async () => {
      w = await world(engine, { zone: "America/New_York", cards: 30 });
      await w.setZone("u2", "Asia/Tokyo");
      for (let k = 0; k < 9; k++) {
        const t = Date.parse("2026-03-02T03:30:00Z") + k * DAY + k * 3_600_000;
        await w.reviews("u1", t, 3, { grade: k % 3 === 0 ? 1 : 3, ms: 400 + k * 300 });
        if (k % 2 === 0)
          await w.reviews("u2", t + 7_200_000, 2, {
            source: k % 4 === 0 ? "daily" : k % 6 === 0 ? "quiz" : "study",
          });
      }
      await w.review("u1", "2026-03-12T12:00:00Z", { guild: null });
      const dump = () =>
        ["stat_guild_days", "stat_guild_members", "stat_user_days", "stat_user_slots", "stat_streaks"].map(
          (t) => querySql(w.deps.db, `SELECT * FROM ${t} ORDER BY 1, 2, 3`),
        );
      const live = await Promise.all(dump());
      expect(await rebuildStats(w.deps.db)).toBe(9 * 3 + 5 * 2 + 1);
      expect(await Promise.all(dump())).toEqual(live);
    });
  });
});
