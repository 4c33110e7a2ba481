/**
 * The board's fast path (all-time totals minus each member's running totals before the window, kept bases, hidden
 * set, top-n ranking) against the straightforward definition it replaced: every member's sums over the window's
 * days with a visibility check per row, ranked in full. Random aggregates with many ties, quiz-only points, hidden
 * members and several timezones; every period × metric × caller must give the same board, with and without kept
 * bases, and after the changes a kept base must follow (a review today, hiding, the day rolling over by one day or
 * by many).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { execSql, queryOne, querySql } from "../../datagen/raw-sql.ts";
import { mulberry32 } from "../../datagen/rng.ts";
import { rank } from "../../src/core/ranking.ts";
import { currentStreak, studyDayNumber } from "../../src/core/streaks.ts";
import { type Db, tx } from "../../src/db/client.ts";
import { setServerZone, zoneOf } from "../../src/db/guilds.ts";
import { BOARD_CACHE_DEFAULTS, type BoardCacheOptions } from "../../src/services/board-bases.ts";
import {
  ACCURACY_MIN_REVIEWS,
  advanceBoards,
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
import { engineDeps } from "../helpers/deps.ts";
import { ENGINES } from "../helpers/engines.ts";
import { bySize } from "../helpers/size.ts";

type Deps = Awaited<ReturnType<typeof engineDeps>>;
type Q = { guildId: string; userId: string; period: Period; metric: Metric };

/** The board as first written (GROUP BY over the window with a visibility subquery per row, `rank` over all). */
async function reference(deps: Deps, q: Q): Promise<Leaderboard> {
  const { db } = deps;
  const now = deps.clock.now().getTime();
  const zone = await zoneOf(db, q.guildId);
  const today = studyDayNumber(now, zone);
  const window = q.period === "all" ? null : { from: today - WINDOW_DAYS[q.period] + 1, to: today };
  const visible =
    "COALESCE((SELECT us.leaderboard_visible FROM user_settings us WHERE us.user_id = t.user_id), 1) = 1";
  type Totals = { user_id: string; reviews: number; again: number; points: number };
  let entries: BoardEntry[];
  let myReviews = 0;
  if (q.metric === "streak") {
    const rows = await querySql<{
      user_id: string;
      last_day: number;
      last_zone: string;
      run_days: number;
      longest: number;
      tz: string | null;
    }>(
      db,
      `SELECT t.user_id, s.last_day, s.last_zone, s.run_days, s.longest,
        (SELECT us.timezone FROM user_settings us WHERE us.user_id = t.user_id) AS tz
      FROM stat_guild_members t JOIN stat_streaks s ON s.user_id = t.user_id
      WHERE t.guild_id = ? AND ${visible}`,
      [q.guildId],
    );
    entries = rows
      .map((r) => {
        const s = { lastDay: r.last_day, lastZone: r.last_zone, runDays: r.run_days, longest: r.longest };
        const score = q.period === "all" ? s.longest : currentStreak(s, now, r.tz ?? zone);
        return { userId: r.user_id, score, reviews: 0, rank: 0 };
      })
      .filter((e) => e.score > 0);
  } else {
    const totals = window
      ? await querySql<Totals>(
          db,
          `SELECT t.user_id, sum(t.reviews) AS reviews, sum(t.again) AS again, sum(t.points) AS points
          FROM stat_guild_days t
          WHERE t.guild_id = ? AND t.day >= ? AND ${visible}
          GROUP BY t.user_id`,
          [q.guildId, window.from],
        )
      : await querySql<Totals>(
          db,
          `SELECT t.user_id, t.reviews, t.again, t.points FROM stat_guild_members t
          WHERE t.guild_id = ? AND ${visible}`,
          [q.guildId],
        );
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
  else if (await isHidden(db, q.userId)) me = { kind: "hidden" };
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
/** Full strength in CI; TEST_SIZE=small runs half the members, one seed of the uncached comparison. */
const MEMBERS = bySize(80, 40);
const SEEDS = bySize([1, 2, 3], [1]);

describe.each(ENGINES)("%s", (engine) => {
  let deps: Deps;
  /** Which bases the boards under test keep (their `deps.boards`): each test sets its own. */
  let boards: BoardCacheOptions;
  beforeEach(async () => {
    deps = await engineDeps(engine, NOW);
    boards = BOARD_CACHE_DEFAULTS;
  });
  afterEach(() => deps.close());

  const board = (q: Q) => leaderboard({ ...deps, boards }, q);

  /** Random per-day aggregates for servers g1 (Berlin) and g2 (Tokyo), consistent all-time totals, streaks, settings. */
  async function seed(seedNo: number) {
    // One transaction: thousands of rows, committed once (PostgreSQL syncs each commit).
    await tx(deps.db, (t) => seedIn(t, seedNo));
  }

  async function seedIn(db: Db, seedNo: number) {
    const rng = mulberry32(seedNo);
    const int = (lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));

    for (const [id, timezone] of [
      ["g1", "Europe/Berlin"],
      ["g2", "Asia/Tokyo"],
    ] as const)
      await setServerZone(db, id, timezone, deps.clock.now());
    const now = deps.clock.now().getTime();
    const addDay = (...row: (string | number)[]) =>
      execSql(
        db,
        `INSERT INTO stat_guild_days (guild_id, day, user_id, reviews, again, points, ms)
    VALUES (?, ?, ?, ?, ?, ?, 0)`,
        row,
      );
    const addMember = (guildId: string, userId: string) =>
      execSql(
        db,
        `INSERT INTO stat_guild_members (guild_id, user_id, reviews, again, points, ms)
    SELECT guild_id, user_id, sum(reviews), sum(again), sum(points), 0 FROM stat_guild_days
    WHERE guild_id = ? AND user_id = ? GROUP BY guild_id, user_id`,
        [guildId, userId],
      );
    for (let u = 0; u < MEMBERS; u++) {
      const user = `u${u}`;
      for (const g of u % 3 === 0 ? ["g1", "g2"] : ["g1"]) {
        const today = studyDayNumber(now, g === "g1" ? "Europe/Berlin" : "Asia/Tokyo");
        const activity = rng(); // some members study most days, some hardly
        for (let day = today - 45; day <= today; day++) {
          if (rng() > activity) continue;
          if (rng() < 0.1)
            await addDay(g, day, user, 0, 0, 2); // a quiz answer that was not a review
          else {
            const reviews = int(1, 12);
            await addDay(g, day, user, reviews, int(0, Math.min(3, reviews)), int(0, 3) === 0 ? 0 : reviews);
          }
        }
        // A day after today: the server's timezone moved west since (today's board then has two rows per member).
        if (u % 11 === 4) await addDay(g, today + 1, user, 3, 1, 3);
        await addMember(g, user);
      }
      if (u % 17 === 5)
        // a member whose only answer was wrong: a member with nothing to rank
        await execSql(
          db,
          "INSERT INTO stat_guild_members (guild_id, user_id) VALUES ('g1', ?) ON CONFLICT DO NOTHING",
          [user],
        );
      const run = int(0, 9);
      await execSql(
        db,
        "INSERT INTO stat_streaks (user_id, last_day, last_zone, run_days, longest) VALUES (?, ?, ?, ?, ?)",
        [user, studyDayNumber(now, "UTC") - int(0, 3), ZONES[int(0, 3)] ?? "UTC", run, run + int(0, 4)],
      );
      if (rng() < 0.4)
        await updateSettings(db, user, {
          timezone: rng() < 0.5 ? (ZONES[int(0, 3)] ?? null) : null,
          leaderboardVisible: rng() > 0.25,
        });
    }
    await updateSettings(db, "outsider", { leaderboardVisible: false }); // hidden, never studied here
  }

  /** Every third member (hidden ones among them), a hidden non-member and someone who never studied. */
  const CALLERS = [...Array.from({ length: MEMBERS / 3 }, (_, k) => `u${3 * k + 1}`), "outsider", "newcomer"];

  /** Compares every board; returns what the callers' standings covered (kinds, and the lowest rank seen). */
  async function expectSameBoards(label: string) {
    const kinds = new Set<string>();
    let lowest = 0;
    for (const guildId of ["g1", "g2"])
      for (const period of PERIODS)
        for (const metric of METRICS)
          for (const userId of CALLERS) {
            const q = { guildId, userId, period, metric };
            const got = await board(q);
            expect(got, `${label}: ${guildId} ${period} ${metric} ${userId}`).toEqual(
              await reference(deps, q),
            );
            kinds.add(got.me.kind);
            if (got.me.kind === "ranked") lowest = Math.max(lowest, got.me.entry.rank);
          }
    return { kinds, lowest };
  }

  // Upserts both engines read: a conflict target, and the running sums qualified by the table (PostgreSQL).
  const addToday = async (
    guildId: string,
    userId: string,
    reviews: number,
    again: number,
    points: number,
  ) => {
    const zone = guildId === "g1" ? "Europe/Berlin" : "Asia/Tokyo";
    const day = studyDayNumber(deps.clock.now().getTime(), zone);
    await execSql(
      deps.db,
      `INSERT INTO stat_guild_days (guild_id, day, user_id, reviews, again, points) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (guild_id, day, user_id) DO UPDATE SET reviews = stat_guild_days.reviews + excluded.reviews,
        again = stat_guild_days.again + excluded.again, points = stat_guild_days.points + excluded.points`,
      [guildId, day, userId, reviews, again, points],
    );
    await execSql(
      deps.db,
      `INSERT INTO stat_guild_members (guild_id, user_id, reviews, again, points) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (guild_id, user_id) DO UPDATE SET reviews = stat_guild_members.reviews + excluded.reviews,
        again = stat_guild_members.again + excluded.again, points = stat_guild_members.points + excluded.points`,
      [guildId, userId, reviews, again, points],
    );
  };

  const setDay = (
    guildId: string,
    day: number,
    userId: string,
    column: "reviews" | "points",
    value: number,
  ) =>
    // An upsert (INSERT OR REPLACE would skip the trigger that keeps later days' running totals).
    execSql(
      deps.db,
      `INSERT INTO stat_guild_days (guild_id, day, user_id, ${column}) VALUES (?, ?, ?, ?)
      ON CONFLICT (guild_id, day, user_id) DO UPDATE SET ${column} = excluded.${column}`,
      [guildId, day, userId, value],
    );

  describe("GIVEN random aggregates with ties, quiz-only points, hidden members and several timezones", () => {
    it.each(SEEDS)(
      "THEN every board equals the reference definition (seed %i), without kept bases",
      async (n) => {
        boards = { ...BOARD_CACHE_DEFAULTS, minMembers: Number.POSITIVE_INFINITY };
        await seed(n);
        const seen = await expectSameBoards("uncached");
        expect([...seen.kinds].sort()).toEqual(["hidden", "none", "ranked", "too-few"]);
        expect(seen.lowest).toBeGreaterThan(TOP_N); // callers ranked below the top 10
      },
      60_000, // ~930 boards and references: ~10 s on PostgreSQL (a round trip per statement)
    );

    it("THEN with kept bases every board still equals it, and follows reviews today, hiding and the days", async () => {
      boards = { ...boards, minMembers: 0 };
      await seed(7);
      await expectSameBoards("filling the cache");
      await expectSameBoards("from the cache");
      await addToday("g1", "u4", 30, 2, 30); // a review today shows at once…
      await addToday("g1", "brand-new", 25, 0, 25); // …including a member new to the window
      await updateSettings(deps.db, "u2", { leaderboardVisible: false }); // hiding applies at once
      await updateSettings(deps.db, "u3", { leaderboardVisible: true });
      await expectSameBoards("after today's changes");
      // The study day rolls over: kept bases move forward by one day, then three, then past the week (read again).
      for (const [days, label] of [
        [1, "the next day"],
        [3, "three days later"],
        [12, "twelve days later"],
      ] as const) {
        deps.clock.set(new Date(deps.clock.now().getTime() + days * 24 * 3_600_000));
        await expectSameBoards(label);
        await addToday("g1", "u9", 40, 1, 40);
        await addToday("g2", "u0", 7, 3, 9);
        await expectSameBoards(`${label}, after reviews`);
      }
    }, 180_000); // eleven full comparisons: the slowest test of the suite, past 20 s on a loaded machine (SQLite), ~40 s on PostgreSQL

    it("THEN advanceBoards moves kept bases when the study day rolls over, and boards still equal the reference", async () => {
      boards = { ...boards, minMembers: 0 };
      await seed(13);
      for (const guildId of ["g1", "g2"])
        for (const period of ["week", "month"] as const)
          await board({ guildId, userId: "u1", period, metric: "points" });
      const kept = () =>
        keptBases(deps.db)
          .map((k) => `${k.guildId} ${k.period} ${k.from}`)
          .sort();
      const before = kept();
      expect(before).toHaveLength(4);
      expect(await advanceBoards({ ...deps, boards })).toBe(0); // same day: nothing to move
      deps.clock.set(new Date(deps.clock.now().getTime() + 2 * 24 * 3_600_000));
      await addToday("g1", "u4", 12, 1, 12);
      expect(await advanceBoards({ ...deps, boards })).toBe(4);
      expect(kept()).toEqual(before.map((k) => k.replace(/\d+$/, (d) => String(Number(d) + 2))));
      await expectSameBoards("after advancing");
    });

    it("THEN warmBoards keeps the biggest servers' week and month bases, as many servers as the cache holds", async () => {
      await seed(17);
      boards = { ...boards, minMembers: 10 };
      boards = { ...boards, maxEntries: 2 }; // one server: g1 (80 members) before g2 (27)
      expect(await warmBoards({ ...deps, boards })).toBe(2);
      expect(keptBases(deps.db).map((k) => `${k.guildId} ${k.period}`)).toEqual(["g1 week", "g1 month"]);
      boards = { ...boards, maxEntries: 4 };
      expect(await warmBoards({ ...deps, boards })).toBe(4);
      expect(
        keptBases(deps.db)
          .map((k) => `${k.guildId} ${k.period}`)
          .sort(),
      ).toEqual(["g1 month", "g1 week", "g2 month", "g2 week"]);
      await expectSameBoards("warmed");
    });

    it("THEN a day before the window rewritten behind a kept base's back (a rebuild) shows after forgetBoards", async () => {
      boards = { ...boards, minMembers: 0 };
      await seed(11);
      const q = { guildId: "g1", userId: "u1", period: "month" as const, metric: "reviews" as const };
      expect(await board(q)).toEqual(await reference(deps, q));
      // 999 reviews on a day before the window and the seeded history, all-time total to match: the window itself does not change…
      await setDay(
        "g1",
        studyDayNumber(deps.clock.now().getTime(), "Europe/Berlin") - 60,
        "u1",
        "reviews",
        999,
      );
      await execSql(
        deps.db,
        "UPDATE stat_guild_members SET reviews = reviews + 999 WHERE guild_id = 'g1' AND user_id = 'u1'",
      );
      // …but the kept base does not know (the bot never writes such a day; a rebuild does, and calls forgetBoards).
      expect(await board(q)).not.toEqual(await reference(deps, q));
      forgetBoards(deps.db);
      expect(await board(q)).toEqual(await reference(deps, q));
    });

    it("THEN only big windows are kept, at most maxEntries of them", async () => {
      await seed(5);
      boards = { ...boards, minMembers: 1_000 }; // g1 has fewer members: read every time, so a past change shows at once
      const q = { guildId: "g1", userId: "u1", period: "week" as const, metric: "points" as const };
      const before = await board(q);
      // 500 more points on u1's last day before the window, all-time total to match: the window does not change, and
      // a base kept from before would now be 500 short (u1's week +500).
      const from = studyDayNumber(deps.clock.now().getTime(), "Europe/Berlin") - WINDOW_DAYS.week + 1;
      const { day } = await queryOne<{ day: number }>(
        deps.db,
        "SELECT max(day) AS day FROM stat_guild_days WHERE guild_id = 'g1' AND user_id = 'u1' AND day < ?",
        [from],
      );
      await execSql(
        deps.db,
        "UPDATE stat_guild_days SET points = points + 500 WHERE guild_id = 'g1' AND user_id = 'u1' AND day = ?",
        [day],
      );
      await execSql(
        deps.db,
        "UPDATE stat_guild_members SET points = points + 500 WHERE guild_id = 'g1' AND user_id = 'u1'",
      );
      expect(await board(q)).toEqual(before);
      expect(before).toEqual(await reference(deps, q));
      boards = { ...boards, minMembers: 0 };
      boards = { ...boards, maxEntries: 1 }; // week and month of g1 evict each other: still right
      for (let k = 0; k < 3; k++)
        for (const period of ["week", "month"] as const) {
          const p = { ...q, period };
          expect(await board(p)).toEqual(await reference(deps, p));
        }
    });
  });
});
