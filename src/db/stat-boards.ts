/**
 * The leaderboard's reads: stat_guild_members (all-time totals, who studied here), stat_guild_days (per-day rows
 * and their running totals `cum_*`), stat_streaks, and the members hidden by user_settings. Never review_logs.
 * How a board is made of them is services/leaderboard.ts; their plans are pinned by
 * test/leaderboard/query-plan.test.ts. Every board runs several of them: prepared once per connection.
 *
 * The reads of one row per member are raw `sql` with rows as tuples (`rawTuples`; columns still named through the
 * schema): measured on the bench's 200-member server, drizzle's per-row mapping made boards 1.2–4.7× slower, and
 * even better-sqlite3's row objects cost ~25% over arrays on these reads.
 */
import { and, count, desc, eq, gte, type SQL, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import type { Db, EngineKind } from "./client.ts";
import { perConnection, rawTuples } from "./prepared.ts";
import { statGuildDays, statGuildMembers, statStreaks, userSettings } from "./schema.ts";

type Member = typeof statGuildMembers.$inferSelect;
type Streak = typeof statStreaks.$inferSelect;
type Settings = typeof userSettings.$inferSelect;

/** A member's reviews, Again ratings and points in one server (a window's, all time, or running totals). */
export type MemberTotals = [userId: Member["userId"], reviews: number, again: number, points: number];

/** A member's streak (core/streaks.ts), with their own zone and visibility as stored (0/1; null: no settings row). */
export type MemberStreak = [
  userId: Streak["userId"],
  lastDay: Streak["lastDay"],
  lastZone: Streak["lastZone"],
  runDays: Streak["runDays"],
  longest: Streak["longest"],
  timezone: Settings["timezone"],
  visible: number | null,
];

// Short aliases, as the plans (and the plan tests) name the tables.
const m = alias(statGuildMembers, "m");
const t = alias(statGuildDays, "t");
const x = alias(statGuildDays, "x");
const s = alias(statStreaks, "s");
const us = alias(userSettings, "us");

const guildId = sql.placeholder("guildId");
const g = statGuildDays;

/**
 * A SQLite plan hint (`INDEXED BY …`, `CROSS JOIN` for the join order); PostgreSQL has neither and plans these
 * joins itself (a plain JOIN).
 */
const hint = (kind: EngineKind, sqlite: string, pg = ""): SQL => sql.raw(kind === "pg" ? pg : sqlite);

const statements = perConnection((db, kind) => ({
  /** Members of this server hidden from boards (usually a handful). */
  hidden: db
    .select({ userId: m.userId })
    .from(m)
    .innerJoin(us, eq(us.userId, m.userId))
    .where(and(eq(m.guildId, guildId), eq(us.leaderboardVisible, false)))
    .prepare(),
  /**
   * Each member's base for a window starting on day `from`: the running totals of their last day before it
   * (members with none have a base of 0 and are not listed). Raw also for the plan: the CROSS JOIN keeps members
   * as the outer loop, and INDEXED BY keeps both seeks on the covering index.
   */
  base: rawTuples<MemberTotals>(sql`SELECT ${m.userId}, ${t.cumReviews}, ${t.cumAgain}, ${t.cumPoints}
      FROM ${statGuildMembers} ${m} ${hint(kind, "CROSS JOIN", "JOIN")} ${statGuildDays} ${t} ${hint(kind, "INDEXED BY stat_guild_days_cum_idx")}
        ON ${t.guildId} = ${m.guildId} AND ${t.userId} = ${m.userId} AND ${t.day} = (
          SELECT max(${x.day}) FROM ${statGuildDays} ${x} ${hint(kind, "INDEXED BY stat_guild_days_cum_idx")}
          WHERE ${x.guildId} = ${m.guildId} AND ${x.userId} = ${m.userId} AND ${x.day} < ${sql.placeholder("from")})
      WHERE ${m.guildId} = ${guildId}`),
  /**
   * The rows of days [from, to] (today's, and the days a kept base moves over): a range of the primary key. Raw
   * also for the plan: INDEXED BY, because the covering index above would otherwise win on guild_id alone and walk
   * the server's history.
   */
  days: rawTuples<MemberTotals>(sql`SELECT ${g.userId}, ${g.reviews}, ${g.again}, ${g.points}
      FROM ${g} ${hint(kind, "INDEXED BY sqlite_autoindex_stat_guild_days_1")}
      WHERE ${g.guildId} = ${guildId} AND ${g.day} BETWEEN ${sql.placeholder("from")} AND ${sql.placeholder("to")}`),
  allTime:
    rawTuples<MemberTotals>(sql`SELECT ${statGuildMembers.userId}, ${statGuildMembers.reviews}, ${statGuildMembers.again},
        ${statGuildMembers.points}
      FROM ${statGuildMembers} WHERE ${statGuildMembers.guildId} = ${guildId}`),
  /** The servers with the most members (at least `min`), most first. */
  biggest: db
    .select({ guildId: statGuildMembers.guildId })
    .from(statGuildMembers)
    .groupBy(statGuildMembers.guildId)
    .having(gte(count(), sql.placeholder("min")))
    .orderBy(desc(count()))
    .limit(sql.placeholder("limit"))
    .prepare(),
  streaks:
    rawTuples<MemberStreak>(sql`SELECT ${m.userId}, ${s.lastDay}, ${s.lastZone}, ${s.runDays}, ${s.longest}, ${us.timezone},
        ${us.leaderboardVisible}
      FROM ${statGuildMembers} ${m} JOIN ${statStreaks} ${s} ON ${s.userId} = ${m.userId}
        LEFT JOIN ${userSettings} ${us} ON ${us.userId} = ${m.userId}
      WHERE ${m.guildId} = ${guildId}`),
}));

/** The SQL of each board statement, by name (EXPLAIN QUERY PLAN tests). */
export function boardSources(db: Db): Record<keyof ReturnType<typeof statements>, string> {
  const st = statements(db);
  return {
    hidden: st.hidden.source,
    base: st.base.source,
    days: st.days.source,
    allTime: st.allTime.source,
    biggest: st.biggest.source,
    streaks: st.streaks.source,
  };
}

/** The ids of this server's members who hid themselves from boards. */
export async function hiddenMembers(db: Db, guild: string): Promise<Set<string>> {
  return new Set((await statements(db).hidden.all({ guildId: guild })).map((r) => r.userId));
}

/** Each member's running totals of their last day before day `from` (members with none are not listed). */
export async function totalsBefore(db: Db, guild: string, from: number): Promise<MemberTotals[]> {
  return statements(db).base.all({ guildId: guild, from });
}

const INT4_MAX = 2_147_483_647;

/** The per-day rows of days [from, to] (a member may have several). */
export async function dayRows(db: Db, guild: string, from: number, to: number): Promise<MemberTotals[]> {
  // `day` is an int4 on PostgreSQL, which rejects a larger bound ("no end" is Number.MAX_SAFE_INTEGER).
  return statements(db).days.all({ guildId: guild, from, to: Math.min(to, INT4_MAX) });
}

/** Every member's all-time totals in this server. */
export async function allTimeTotals(db: Db, guild: string): Promise<MemberTotals[]> {
  return statements(db).allTime.all({ guildId: guild });
}

/** The servers with the most members (at least `min`), most first, at most `limit` of them: one pass. */
export async function biggestServers(db: Db, min: number, limit: number): Promise<string[]> {
  return (await statements(db).biggest.all({ min, limit })).map((r) => r.guildId);
}

/** This server's members' streaks, with their own time zone and visibility. */
export async function memberStreaks(db: Db, guild: string): Promise<MemberStreak[]> {
  return statements(db).streaks.all({ guildId: guild });
}
