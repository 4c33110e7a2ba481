/**
 * The board's fast path (all-time totals minus each member's running totals before the window, kept bases, hidden
 * set, top-n ranking) against the straightforward definition it replaced: every member's sums over the window's
 * days with a visibility check per row, ranked in full. Random aggregates with many ties, quiz-only points, hidden
 * members and several timezones; every period × metric × caller must give the same board, with and without kept
 * bases, and after the changes a kept base must follow (a review today, hiding, the day rolling over by one day or
 * by many).
 */
import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mulberry32 } from "../../bench/lib/rng.ts";
import { rank } from "../../src/core/ranking.ts";
import { currentStreak, studyDayNumber } from "../../src/core/streaks.ts";
import { zoneOf } from "../../src/db/guilds.ts";
import { guilds } from "../../src/db/schema.ts";
import {
  ACCURACY_MIN_REVIEWS,
  advanceBoards,
  BASE_CACHE,
  type BoardEntry,
  forgetBoards,
  keptBases,
  type Leaderboard,
  leaderboard,
  METRICS,
  type Metric,
  type MyStanding,
  PERIODS,
  type Period,
  TOP_N,
  WINDOW_DAYS,
  warmBoards,
} from "../../src/services/leaderboard.ts";
import { isHidden, updateSettings } from "../../src/services/settings.ts";
import { testDeps } from "../helpers/deps.ts";

type Deps = ReturnType<typeof testDeps>;
type Q = { guildId: string; userId: string; period: Period; metric: Metric };

/** The board as first written (GROUP BY over the window with a visibility subquery per row, `rank` over all). */
function reference(deps: Deps, q: Q): Leaderboard {
  const { db } = deps;
  const now = deps.clock.now().getTime();
  const zone = zoneOf(db, q.guildId);
  const today = studyDayNumber(now, zone);
  const window = q.period === "all" ? null : { from: today - WINDOW_DAYS[q.period] + 1, to: today };
  const visible = sql`COALESCE((SELECT us.leaderboard_visible FROM user_settings us WHERE us.user_id = t.user_id), 1) = 1`;
  type Totals = { user_id: string; reviews: number; again: number; points: number };
  let entries: BoardEntry[];
  let myReviews = 0;
  if (q.metric === "streak") {
    const rows = db.all<{
      user_id: string;
      last_day: number;
      last_zone: string;
      run_days: number;
      longest: number;
      tz: string | null;
    }>(sql`
      SELECT t.user_id, s.last_day, s.last_zone, s.run_days, s.longest,
        (SELECT us.timezone FROM user_settings us WHERE us.user_id = t.user_id) AS tz
      FROM stat_guild_members t JOIN stat_streaks s ON s.user_id = t.user_id
      WHERE t.guild_id = ${q.guildId} AND ${visible}`);
    entries = rows
      .map((r) => {
        const s = { lastDay: r.last_day, lastZone: r.last_zone, runDays: r.run_days, longest: r.longest };
        const score = q.period === "all" ? s.longest : currentStreak(s, now, r.tz ?? zone);
        return { userId: r.user_id, score, reviews: 0, rank: 0 };
      })
      .filter((e) => e.score > 0);
  } else {
    const totals = window
      ? db.all<Totals>(sql`
          SELECT t.user_id, sum(t.reviews) AS reviews, sum(t.again) AS again, sum(t.points) AS points
          FROM stat_guild_days t
          WHERE t.guild_id = ${q.guildId} AND t.day >= ${window.from} AND ${visible}
          GROUP BY t.user_id`)
      : db.all<Totals>(sql`
          SELECT t.user_id, t.reviews, t.again, t.points FROM stat_guild_members t
          WHERE t.guild_id = ${q.guildId} AND ${visible}`);
    myReviews = totals.find((t) => t.user_id === q.userId)?.reviews ?? 0;
    entries = totals
      .filter((t) =>
        q.metric === "accuracy"
          ? t.reviews >= ACCURACY_MIN_REVIEWS
          : q.metric === "reviews"
            ? t.reviews > 0
            : t.reviews > 0 || t.points > 0,
      )
      .map((t) => ({
        userId: t.user_id,
        reviews: t.reviews,
        rank: 0,
        score:
          q.metric === "reviews"
            ? t.reviews
            : q.metric === "points"
              ? t.points
              : Math.round((1000 * (t.reviews - t.again)) / t.reviews),
        tiebreak: q.metric === "accuracy" ? t.reviews : undefined,
      }));
  }
  const ranked = rank(entries);
  const mine = ranked.find((e) => e.userId === q.userId);
  let me: MyStanding;
  if (mine) me = { kind: "ranked", entry: mine };
  else if (isHidden(db, q.userId)) me = { kind: "hidden" };
  else if (q.metric === "accuracy" && myReviews > 0) me = { kind: "too-few", reviews: myReviews };
  else me = { kind: "none" };
  return {
    period: q.period,
    metric: q.metric,
    top: ranked.slice(0, TOP_N),
    ranked: ranked.length,
    userId: q.userId,
    me,
    window,
    zone,
  };
}

const ZONES = ["Europe/Berlin", "America/Los_Angeles", "Asia/Tokyo", "UTC"];
const NOW = "2026-03-10T11:00:00Z"; // 12:00 in Berlin: an hour either way stays on the same study day
const MEMBERS = 80;

let deps: Deps;
const saved = { ...BASE_CACHE };
beforeEach(() => {
  deps = testDeps(NOW);
});
afterEach(() => {
  Object.assign(BASE_CACHE, saved);
  deps.close();
});

/** Random per-day aggregates for servers g1 (Berlin) and g2 (Tokyo), consistent all-time totals, streaks, settings. */
function seed(seedNo: number) {
  const rng = mulberry32(seedNo);
  const int = (lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));
  const c = deps.db.$client;
  for (const [id, timezone] of [
    ["g1", "Europe/Berlin"],
    ["g2", "Asia/Tokyo"],
  ] as const)
    deps.db.insert(guilds).values({ id, timezone, createdAt: deps.clock.now() }).run();
  const now = deps.clock.now().getTime();
  const addDay = c.prepare(`INSERT INTO stat_guild_days (guild_id, day, user_id, reviews, again, points, ms)
    VALUES (?, ?, ?, ?, ?, ?, 0)`);
  const addMember = c.prepare(`INSERT INTO stat_guild_members (guild_id, user_id, reviews, again, points, ms)
    SELECT guild_id, user_id, sum(reviews), sum(again), sum(points), 0 FROM stat_guild_days
    WHERE guild_id = ? AND user_id = ? GROUP BY guild_id, user_id`);
  for (let u = 0; u < MEMBERS; u++) {
    const user = `u${u}`;
    for (const g of u % 3 === 0 ? ["g1", "g2"] : ["g1"]) {
      const today = studyDayNumber(now, g === "g1" ? "Europe/Berlin" : "Asia/Tokyo");
      const activity = rng(); // some members study most days, some hardly
      for (let day = today - 45; day <= today; day++) {
        if (rng() > activity) continue;
        if (rng() < 0.1)
          addDay.run(g, day, user, 0, 0, 2); // a quiz answer that was not a review
        else {
          const reviews = int(1, 12);
          addDay.run(g, day, user, reviews, int(0, Math.min(3, reviews)), int(0, 3) === 0 ? 0 : reviews);
        }
      }
      // A day after today: the server's timezone moved west since (today's board then has two rows per member).
      if (u % 11 === 4) addDay.run(g, today + 1, user, 3, 1, 3);
      addMember.run(g, user);
    }
    if (u % 17 === 5)
      // a member whose only answer was wrong: a member with nothing to rank
      c.prepare("INSERT OR IGNORE INTO stat_guild_members (guild_id, user_id) VALUES ('g1', ?)").run(user);
    const run = int(0, 9);
    c.prepare(
      "INSERT INTO stat_streaks (user_id, last_day, last_zone, run_days, longest) VALUES (?, ?, ?, ?, ?)",
    ).run(user, studyDayNumber(now, "UTC") - int(0, 3), ZONES[int(0, 3)] ?? "UTC", run, run + int(0, 4));
    if (rng() < 0.4)
      updateSettings(deps.db, user, {
        timezone: rng() < 0.5 ? (ZONES[int(0, 3)] ?? null) : null,
        leaderboardVisible: rng() > 0.25,
      });
  }
  updateSettings(deps.db, "outsider", { leaderboardVisible: false }); // hidden, never studied here
}

/** Every third member (hidden ones among them), a hidden non-member and someone who never studied. */
const CALLERS = [...Array.from({ length: MEMBERS / 3 }, (_, k) => `u${3 * k + 1}`), "outsider", "newcomer"];

/** Compares every board; returns what the callers' standings covered (kinds, and the lowest rank seen). */
function expectSameBoards(label: string) {
  const kinds = new Set<string>();
  let lowest = 0;
  for (const guildId of ["g1", "g2"])
    for (const period of PERIODS)
      for (const metric of METRICS)
        for (const userId of CALLERS) {
          const q = { guildId, userId, period, metric };
          const got = leaderboard(deps, q);
          expect(got, `${label}: ${guildId} ${period} ${metric} ${userId}`).toEqual(reference(deps, q));
          kinds.add(got.me.kind);
          if (got.me.kind === "ranked") lowest = Math.max(lowest, got.me.entry.rank);
        }
  return { kinds, lowest };
}

const addToday = (guildId: string, userId: string, reviews: number, again: number, points: number) => {
  const zone = guildId === "g1" ? "Europe/Berlin" : "Asia/Tokyo";
  const day = studyDayNumber(deps.clock.now().getTime(), zone);
  deps.db.$client
    .prepare(`INSERT INTO stat_guild_days (guild_id, day, user_id, reviews, again, points) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT DO UPDATE SET reviews = reviews + excluded.reviews, again = again + excluded.again,
        points = points + excluded.points`)
    .run(guildId, day, userId, reviews, again, points);
  deps.db.$client
    .prepare(`INSERT INTO stat_guild_members (guild_id, user_id, reviews, again, points) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT DO UPDATE SET reviews = reviews + excluded.reviews, again = again + excluded.again,
        points = points + excluded.points`)
    .run(guildId, userId, reviews, again, points);
};

const setDay = (guildId: string, day: number, userId: string, column: "reviews" | "points", value: number) =>
  // An upsert (INSERT OR REPLACE would skip the trigger that keeps later days' running totals).
  deps.db.$client
    .prepare(`INSERT INTO stat_guild_days (guild_id, day, user_id, ${column}) VALUES (?, ?, ?, ?)
      ON CONFLICT DO UPDATE SET ${column} = excluded.${column}`)
    .run(guildId, day, userId, value);

describe("GIVEN random aggregates with ties, quiz-only points, hidden members and several timezones", () => {
  it.each([1, 2, 3])(
    "THEN every board equals the reference definition (seed %i), without kept bases",
    (n) => {
      BASE_CACHE.minMembers = Number.POSITIVE_INFINITY;
      seed(n);
      const seen = expectSameBoards("uncached");
      expect([...seen.kinds].sort()).toEqual(["hidden", "none", "ranked", "too-few"]);
      expect(seen.lowest).toBeGreaterThan(TOP_N); // callers ranked below the top 10
    },
  );

  it("THEN with kept bases every board still equals it, and follows reviews today, hiding and the days", () => {
    BASE_CACHE.minMembers = 0;
    seed(7);
    expectSameBoards("filling the cache");
    expectSameBoards("from the cache");
    addToday("g1", "u4", 30, 2, 30); // a review today shows at once…
    addToday("g1", "brand-new", 25, 0, 25); // …including a member new to the window
    updateSettings(deps.db, "u2", { leaderboardVisible: false }); // hiding applies at once
    updateSettings(deps.db, "u3", { leaderboardVisible: true });
    expectSameBoards("after today's changes");
    // The study day rolls over: kept bases move forward by one day, then three, then past the week (read again).
    for (const [days, label] of [
      [1, "the next day"],
      [3, "three days later"],
      [12, "twelve days later"],
    ] as const) {
      deps.clock.set(new Date(deps.clock.now().getTime() + days * 24 * 3_600_000));
      expectSameBoards(label);
      addToday("g1", "u9", 40, 1, 40);
      addToday("g2", "u0", 7, 3, 9);
      expectSameBoards(`${label}, after reviews`);
    }
  });

  it("THEN advanceBoards moves kept bases when the study day rolls over, and boards still equal the reference", async () => {
    BASE_CACHE.minMembers = 0;
    seed(13);
    for (const guildId of ["g1", "g2"])
      for (const period of ["week", "month"] as const)
        leaderboard(deps, { guildId, userId: "u1", period, metric: "points" });
    const kept = () =>
      keptBases(deps.db)
        .map((k) => `${k.guildId} ${k.period} ${k.from}`)
        .sort();
    const before = kept();
    expect(before).toHaveLength(4);
    expect(await advanceBoards(deps)).toBe(0); // same day: nothing to move
    deps.clock.set(new Date(deps.clock.now().getTime() + 2 * 24 * 3_600_000));
    addToday("g1", "u4", 12, 1, 12);
    expect(await advanceBoards(deps)).toBe(4);
    expect(kept()).toEqual(before.map((k) => k.replace(/\d+$/, (d) => String(Number(d) + 2))));
    expectSameBoards("after advancing");
  });

  it("THEN warmBoards keeps the biggest servers' week and month bases, as many servers as the cache holds", async () => {
    seed(17);
    BASE_CACHE.minMembers = 10;
    BASE_CACHE.maxEntries = 2; // one server: g1 (80 members) before g2 (27)
    expect(await warmBoards(deps)).toBe(2);
    expect(keptBases(deps.db).map((k) => `${k.guildId} ${k.period}`)).toEqual(["g1 week", "g1 month"]);
    BASE_CACHE.maxEntries = 4;
    expect(await warmBoards(deps)).toBe(4);
    expect(
      keptBases(deps.db)
        .map((k) => `${k.guildId} ${k.period}`)
        .sort(),
    ).toEqual(["g1 month", "g1 week", "g2 month", "g2 week"]);
    expectSameBoards("warmed");
  });

  it("THEN a day before the window rewritten behind a kept base's back (a rebuild) shows after forgetBoards", () => {
    BASE_CACHE.minMembers = 0;
    seed(11);
    const q = { guildId: "g1", userId: "u1", period: "month" as const, metric: "reviews" as const };
    expect(leaderboard(deps, q)).toEqual(reference(deps, q));
    // 999 reviews on a day before the window and the seeded history, all-time total to match: the window itself does not change…
    setDay("g1", studyDayNumber(deps.clock.now().getTime(), "Europe/Berlin") - 60, "u1", "reviews", 999);
    deps.db.$client
      .prepare(
        "UPDATE stat_guild_members SET reviews = reviews + 999 WHERE guild_id = 'g1' AND user_id = 'u1'",
      )
      .run();
    // …but the kept base does not know (the bot never writes such a day; a rebuild does, and calls forgetBoards).
    expect(leaderboard(deps, q)).not.toEqual(reference(deps, q));
    forgetBoards(deps.db);
    expect(leaderboard(deps, q)).toEqual(reference(deps, q));
  });

  it("THEN only big windows are kept, at most maxEntries of them", () => {
    seed(5);
    BASE_CACHE.minMembers = 1_000; // g1 has fewer members: read every time, so a past change shows at once
    const q = { guildId: "g1", userId: "u1", period: "week" as const, metric: "points" as const };
    const before = leaderboard(deps, q);
    // 500 more points on u1's last day before the window, all-time total to match: the window does not change, and
    // a base kept from before would now be 500 short (u1's week +500).
    const from = studyDayNumber(deps.clock.now().getTime(), "Europe/Berlin") - WINDOW_DAYS.week + 1;
    const c = deps.db.$client;
    const { day } = c
      .prepare(
        "SELECT max(day) AS day FROM stat_guild_days WHERE guild_id = 'g1' AND user_id = 'u1' AND day < ?",
      )
      .get(from) as { day: number };
    c.prepare(
      "UPDATE stat_guild_days SET points = points + 500 WHERE guild_id = 'g1' AND user_id = 'u1' AND day = ?",
    ).run(day);
    c.prepare(
      "UPDATE stat_guild_members SET points = points + 500 WHERE guild_id = 'g1' AND user_id = 'u1'",
    ).run();
    expect(leaderboard(deps, q)).toEqual(before);
    expect(before).toEqual(reference(deps, q));
    BASE_CACHE.minMembers = 0;
    BASE_CACHE.maxEntries = 1; // week and month of g1 evict each other: still right
    for (let k = 0; k < 3; k++)
      for (const period of ["week", "month"] as const) {
        const p = { ...q, period };
        expect(leaderboard(deps, p)).toEqual(reference(deps, p));
      }
  });
});
