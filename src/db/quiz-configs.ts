/**
 * A server's daily-quiz settings (`quiz_configs`): where and when it posts, paused or not, and its next run. The
 * planning itself (local time ↔ UTC, catch-up rules) is src/core's, passed in by services/quiz/config.ts.
 */
import { and, eq, lte, type SQL, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { type Db, tx } from "./client.ts";
import { setServerZone } from "./guilds.ts";
import type { Builder } from "./handle.ts";
import { decideWithLookups } from "./lookups.ts";
import { once, perConnection } from "./prepared.ts";
import { postedOn } from "./quiz-posts.ts";
import { quizConfigs, statGuildMembers } from "./schema.ts";

export type QuizConfigRow = typeof quizConfigs.$inferSelect;
export type Next = { date: string; at: number };

const m = alias(statGuildMembers, "m");

const statements = perConnection((db, kind) => ({
  config: db
    .select()
    .from(quizConfigs)
    .where(eq(quizConfigs.guildId, sql.placeholder("guildId")))
    .prepare(),
  setNext: db
    .update(quizConfigs)
    .set({ nextDate: sql`${sql.placeholder("date")}`, nextRunAt: sql`${sql.placeholder("at")}` })
    .where(eq(quizConfigs.guildId, sql.placeholder("guildId")))
    .prepare(),
  /** Servers of more than 64 members last (a bounded count each), soonest first within each group. */
  dueGuilds: dueGuildsWhere(db, undefined),
  /** The same, only for the servers of some shards: `(guild_id >> 22) % :count` in the `:ids` JSON array. */
  dueGuildsOfShards: dueGuildsWhere(
    db,
    // Snowflake → shard as Discord routes it; the builder has no integer cast or shift. The ids are a JSON array,
    // read by each engine's own function.
    sql`((CAST(${quizConfigs.guildId} AS BIGINT) >> 22) % ${sql.placeholder("count")}) IN (${
      kind === "pg"
        ? sql`SELECT json_array_elements_text(${sql.placeholder("ids")}::json)::bigint`
        : sql`SELECT value FROM json_each(${sql.placeholder("ids")})`
    })`,
  ),
}));

function dueGuildsWhere(db: Builder, extra: SQL | undefined) {
  return db
    .select({ g: quizConfigs.guildId })
    .from(quizConfigs)
    .where(and(eq(quizConfigs.paused, false), lte(quizConfigs.nextRunAt, sql.placeholder("now")), extra))
    .orderBy(
      // A correlated count bounded by LIMIT, which the builder cannot express.
      sql`(SELECT count(*) FROM (SELECT 1 FROM ${statGuildMembers} m WHERE ${m.guildId} = ${quizConfigs.guildId} LIMIT 65) AS firsts) > 64`,
      quizConfigs.nextRunAt,
    )
    .prepare();
}

/** The shards a process holds, for reads that list servers (the tick's); null: every server. */
export type ShardFilter = { shardIds: readonly number[]; shardCount: number } | null;

/**
 * Whether a process holding `shards` holds the server: Discord's routing, `(guild_id >> 22) % shard_count`, as
 * `dueGuildsOfShards` asks it in SQL (and discord.js's ShardClientUtil.shardIdForGuildId computes it).
 */
export function holdsGuild(shards: ShardFilter, guildId: string): boolean {
  if (shards === null) return true;
  return shards.shardIds.includes(Number((BigInt(guildId) >> 22n) % BigInt(shards.shardCount)));
}

/** The server's quiz settings, for the units of work of src/db. */
export async function configOf(db: Db, guildId: string): Promise<QuizConfigRow | undefined> {
  return statements(db).config.get({ guildId });
}

export async function quizConfig(db: Db, guildId: string): Promise<QuizConfigRow | undefined> {
  return configOf(db, guildId);
}

/** Moves the server's next run; synchronous, inside a unit of work. */
export async function setNextRun(db: Db, guildId: string, next: Next): Promise<void> {
  await statements(db).setNext.run({ guildId, date: next.date, at: next.at });
}

/**
 * Guilds whose quiz is due at `now` and not paused, soonest first; servers of more than 64 members after the others,
 * so that their summaries find most members' due counts already made in the tick (quiz-due.ts `TickMemo`).
 * With `shards`, only the servers those shards hold (each shard process ticks its own servers).
 */
export async function dueGuilds(db: Db, now: number, shards: ShardFilter = null): Promise<string[]> {
  const rows =
    shards === null
      ? await statements(db).dueGuilds.all({ now })
      : await statements(db).dueGuildsOfShards.all({
          now,
          count: shards.shardCount,
          ids: JSON.stringify(shards.shardIds),
        });
  return rows.map((r) => r.g);
}

/** What `/quiz setup` stores: the settings and their next run, planned from what is stored now. */
export type SetupPlan = (
  existing: QuizConfigRow | undefined,
  postedOn: (date: string) => boolean,
) => QuizConfigRow;

/**
 * `/quiz setup`'s unit of work: creates or replaces the server's quiz settings (`plan` builds them from the old
 * ones and whether a day is already posted) and sets its study-day time zone, in one transaction.
 */
export async function saveQuizSetup(
  db: Db,
  guildId: string,
  now: Date,
  plan: SetupPlan,
): Promise<QuizConfigRow> {
  return tx(
    db,
    async (t) => {
      const existing = await configOf(t, guildId);
      const row = await decideWithLookups(
        (posted) => plan(existing, posted),
        (date) => postedOn(t, guildId, date),
      );
      await once(t, (b) =>
        b
          .insert(quizConfigs)
          .values(row)
          .onConflictDoUpdate({ target: quizConfigs.guildId, set: row })
          .prepare(),
      ).run();
      await setServerZone(t, guildId, row.timezone, now);
      return row;
    },
    { lockKey: `quiz:${guildId}` },
  );
}

/** Pauses the quiz; null when it is not set up. */
export async function pauseQuizConfig(
  db: Db,
  guildId: string,
  now: Date,
): Promise<{ changed: boolean } | null> {
  return tx(
    db,
    async (t) => {
      const cfg = await configOf(t, guildId);
      if (!cfg) return null;
      if (cfg.paused) return { changed: false };
      await once(t, (b) =>
        b
          .update(quizConfigs)
          .set({ paused: true, updatedAt: now })
          .where(eq(quizConfigs.guildId, guildId))
          .prepare(),
      ).run();
      return { changed: true };
    },
    { lockKey: `quiz:${guildId}` },
  );
}

/** Resumes the quiz at the run `plan` gives (from the settings and whether a day is posted); null when not set up. */
export async function resumeQuizConfig(
  db: Db,
  guildId: string,
  now: Date,
  plan: (cfg: QuizConfigRow, postedOn: (date: string) => boolean) => Next,
): Promise<{ changed: boolean; next: Next; timezone: string } | null> {
  return tx(
    db,
    async (t) => {
      const cfg = await configOf(t, guildId);
      if (!cfg) return null;
      if (!cfg.paused)
        return { changed: false, next: { date: cfg.nextDate, at: cfg.nextRunAt }, timezone: cfg.timezone };
      const next = await decideWithLookups(
        (posted) => plan(cfg, posted),
        (date) => postedOn(t, guildId, date),
      );
      await once(t, (b) =>
        b
          .update(quizConfigs)
          .set({ paused: false, nextDate: next.date, nextRunAt: next.at, updatedAt: now })
          .where(eq(quizConfigs.guildId, guildId))
          .prepare(),
      ).run();
      return { changed: true, next, timezone: cfg.timezone };
    },
    { lockKey: `quiz:${guildId}` },
  );
}
