import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { UserError } from "../../src/core/errors.ts";
import { dayNumber, studyDayNumber, weekday } from "../../src/core/streaks.ts";
import { once } from "../../src/db/prepared.ts";
import { cardStates } from "../../src/db/schema.ts";
import { renderStats } from "../../src/render/stats.ts";
import { FORECAST_DAYS, getStats } from "../../src/services/stats.ts";
import { ENGINES } from "../helpers/engines.ts";
import { DAY, type World, world } from "./helpers.ts";

describe.each(ENGINES)("%s", (engine) => {
  let w: World;
  afterEach(() => w.deps.close());

  const stats = (targetId = "u1", viewerId = targetId) =>
    getStats(w.deps, { viewerId, targetId, guildId: "g1" });

  describe("GIVEN a member with a few weeks of study", () => {
    async function setup() {
      w = await world(engine, { zone: "Europe/Berlin", cards: 40 });
      await w.subscribe("u1");
      const t0 = Date.parse("2026-02-01T09:00:00Z");
      await w.reviews("u1", t0, 10, { grade: 4 }); // 10 new cards rated Easy on Feb 1: straight to Review
      await w.reviews("u1", t0 + 20 * DAY, 10, { grade: 3 }); // Feb 21: the same cards, now in the Review state
      await w.reviews("u1", t0 + 27 * DAY, 4, { grade: 1 }); // Feb 28: 4 lapses …
      await w.reviews("u1", t0 + 27 * DAY + 3_600_000, 6, { grade: 3, card: 4 }); // … and 6 passes
      w.at("2026-02-28T20:00:00Z");
    }

    it("THEN reviews today / 7 d / 30 d and true retention come from the member's days", async () => {
      await setup();
      const s = await stats();
      expect(s.reviews).toEqual({ today: 10, week: 10, month: 30 });
      expect(s.retention.week).toEqual({ reviews: 10, passed: 6 });
      expect(s.retention.month).toEqual({ reviews: 20, passed: 16 });
      expect(s.decks).toBe(1);
      expect(s.cards.new).toBe(30);
      expect(s.cards.learning + s.cards.young + s.cards.mature).toBe(10);
      expect(s.cards.learning).toBe(4); // the lapses relearn
    });

    it("THEN due counts and the forecast agree, overdue cards counting as due today", async () => {
      await setup();
      w.at("2027-01-20T12:00:00Z"); // long after: everything is overdue
      const s = await stats();
      expect(s.forecast).toHaveLength(FORECAST_DAYS);
      expect(s.due.today).toBe(10);
      expect(s.forecast[0]).toBe(10);
      expect(s.due.week).toBe(10);
      expect(s.forecast.reduce((a, b) => a + b, 0)).toBe(10);
    });

    it("THEN the heatmap starts on a Monday 52 weeks back and ends today, with the day's count", async () => {
      await setup();
      const s = await stats();
      expect(weekday(s.heatmap.from)).toBe(0);
      expect(s.heatmap.from + s.heatmap.counts.length - 1).toBe(s.today);
      expect(s.today).toBe(dayNumber({ year: 2026, month: 2, day: 28 }));
      expect(s.heatmap.counts.at(-1)).toBe(10);
      expect(s.heatmap.counts[dayNumber({ year: 2026, month: 2, day: 1 }) - s.heatmap.from]).toBe(10);
      expect(s.heatmap.counts.reduce((a, b) => a + b, 0)).toBe(30);
    });

    it("THEN the streak shows current and longest", async () => {
      await setup();
      expect((await stats()).streak).toEqual({ current: 1, longest: 1 });
    });

    it("THEN the embed carries the figures and points its image at the attachment", async () => {
      await setup();
      const p = renderStats(await stats(), Buffer.from("png"));
      expect(p.files?.[0]?.name).toBe("stats.png");
      expect(p.embeds[0]?.image?.url).toBe("attachment://stats.png");
      const text = JSON.stringify(p.embeds);
      expect(text).toContain("30 days **30**");
      expect(text).toContain("60.0% (10)");
      expect(p.allowed_mentions).toEqual({ parse: [] });
    });
  });

  describe("GIVEN a member who studies and then changes timezone", () => {
    // 10:00 UTC on March 2: 11:00 in Berlin (study day March 2), 02:00 in Los Angeles (still study day March 1),
    // 19:00 in Tokyo (March 2).
    const T = Date.parse("2026-03-02T10:00:00Z");
    async function setup() {
      w = await world(engine, { zone: "Europe/Berlin" });
      await w.subscribe("u1");
      await w.reviews("u1", T, 3, { grade: 3 });
      w.at("2026-03-02T10:30:00Z");
    }

    it("WHEN the zone moves west THEN today's reviews still count today, and yesterday's the next day", async () => {
      await setup();
      expect((await stats()).reviews).toEqual({ today: 3, week: 3, month: 3 });
      await w.setZone("u1", "America/Los_Angeles");
      const s = await stats();
      expect(s.zone).toBe("America/Los_Angeles");
      expect(s.reviews).toEqual({ today: 3, week: 3, month: 3 });
      expect(s.timeMs.today).toBe(3 * 5000);
      expect(s.heatmap.counts.at(-1)).toBe(3);
      w.at("2026-03-03T10:30:00Z");
      const next = await stats();
      expect(next.reviews).toEqual({ today: 0, week: 3, month: 3 });
      expect(next.heatmap.counts.at(-1)).toBe(0);
      expect(next.heatmap.counts.at(-2)).toBe(3);
    });

    it("WHEN the zone moves east THEN the counts follow the reviews' instants too", async () => {
      await setup();
      await w.setZone("u1", "Pacific/Kiritimati"); // UTC+14: 00:00 on March 3, still study day March 2
      expect((await stats()).reviews).toEqual({ today: 3, week: 3, month: 3 });
      w.at("2026-03-02T14:30:00Z"); // 04:30 on March 3 there: a new study day
      expect((await stats()).reviews).toEqual({ today: 0, week: 3, month: 3 });
      w.at(new Date(T + 29 * DAY).toISOString()); // the 30th study day from March 2 there
      expect((await stats()).reviews).toEqual({ today: 0, week: 0, month: 3 });
      w.at(new Date(T + 30 * DAY).toISOString());
      expect((await stats()).reviews).toEqual({ today: 0, week: 0, month: 0 });
    });
  });

  describe("GIVEN a member whose zone moves west onto a date they never studied", () => {
    it("THEN that date joins the run once, and the next date's review opens a day as usual", async () => {
      w = await world(engine, { cards: 40 });
      await w.subscribe("u1");
      await w.setZone("u1", "Pacific/Kiritimati"); // UTC+14
      await w.review("u1", "2026-03-02T00:00:00Z"); // 14:00 on March 2 there: the member's last study day
      await w.setZone("u1", "America/Los_Angeles"); // UTC−8: 17:00 on March 1, before their last study day
      await w.review("u1", "2026-03-02T01:00:00Z", { card: 1 });
      await w.review("u1", "2026-03-02T01:01:00Z", { card: 2 }); // the same date again: no new day
      w.at("2026-03-02T01:05:00Z");
      expect((await stats()).streak).toEqual({ current: 2, longest: 2 });
      await w.review("u1", "2026-03-03T18:00:00Z", { card: 3 }); // 10:00 on March 3 there: the next date
      w.at("2026-03-03T18:05:00Z");
      const s = await stats();
      expect(s.streak).toEqual({ current: 3, longest: 3 });
      expect(s.reviews).toEqual({ today: 1, week: 4, month: 4 });
    });
  });

  describe("GIVEN a member who hid themselves", () => {
    it("THEN others cannot see their stats, but they can", async () => {
      w = await world(engine);
      await w.reviews("u1", "2026-03-02T10:00:00Z", 3);
      await w.hide("u1");
      await expect(stats("u1", "u2")).rejects.toThrow(UserError);
      expect((await stats("u1", "u1")).reviews.today).toBe(3);
    });
  });

  describe("GIVEN a member who never studied", () => {
    it("THEN the stats are all zero and the render shows dashes for retention", async () => {
      w = await world(engine);
      const s = await stats("nobody");
      expect(s.reviews).toEqual({ today: 0, week: 0, month: 0 });
      expect(s.streak).toEqual({ current: 0, longest: 0 });
      expect(s.forecast.every((n) => n === 0)).toBe(true);
      expect(JSON.stringify(renderStats(s, null).embeds)).toContain("7 days **—**");
    });
  });

  describe("GIVEN cards due at known instants", () => {
    it("THEN the forecast buckets them by the member's study days (04:00 boundaries)", async () => {
      w = await world(engine, { zone: "Europe/Berlin", cards: 6 });
      await w.subscribe("u1");
      await w.reviews("u1", "2026-03-02T08:00:00Z", 6, { grade: 4 });
      // Berlin is UTC+1: the study day of Mon 2nd ends at Tue 3rd 03:00 UTC.
      const dues = [
        "2026-03-01T00:00:00Z", // overdue → today
        "2026-03-03T02:59:00Z", // Tue 03:59 local → still Monday's study day → today
        "2026-03-03T03:00:00Z", // Tue 04:00 local → tomorrow
        "2026-03-04T02:00:00Z", // Wed 03:00 local → still Tuesday → tomorrow
        "2026-03-08T12:00:00Z", // Sunday: day +6 → within 7 days
        "2026-03-09T12:00:00Z", // day +7 → beyond the week
      ];
      for (const [k, id] of w.cardIds.entries())
        await once(w.deps.db, (b) =>
          b
            .update(cardStates)
            .set({ due: new Date(dues[k] ?? 0) })
            .where(eq(cardStates.cardId, id))
            .prepare(),
        ).run();
      w.at("2026-03-02T12:00:00Z");
      const s = await stats();
      expect(s.due).toEqual({ today: 2, tomorrow: 2, week: 5 });
      expect(s.forecast.slice(0, 8)).toEqual([2, 2, 0, 0, 0, 0, 1, 1]);
    });
  });

  describe("GIVEN reviews every 7 h 15 min across daylight-saving changes", () => {
    it.each(["Europe/Berlin", "Australia/Lord_Howe", "Asia/Kathmandu"])(
      "THEN in %s each review counts on the study day it happened in (the heatmap's day of each slot)",
      async (zone) => {
        w = await world(engine, { zone, cards: 40 });
        await w.subscribe("u1");
        const t0 = Date.parse("2026-03-01T00:00:00Z");
        const expected = new Map<number, number>();
        for (
          let k = 0, at = t0;
          at < Date.parse("2026-04-30T00:00:00Z");
          k++, at += 7 * 3_600_000 + 15 * 60_000
        ) {
          await w.reviews("u1", at, 1, { grade: 3, card: k % 40 });
          const day = studyDayNumber(at, zone);
          expected.set(day, (expected.get(day) ?? 0) + 1);
        }
        w.at("2026-05-01T12:00:00Z");
        const s = await stats();
        const shown = new Map<number, number>();
        s.heatmap.counts.forEach((n, k) => {
          if (n > 0) shown.set(s.heatmap.from + k, n);
        });
        expect(shown).toEqual(expected);
      },
    );
  });
});
