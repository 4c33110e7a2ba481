/**
 * The PostgreSQL baseline, as raw.ts is SQLite's: the same rating write the bot does — the member's advisory lock
 * (what makes the bot's version check and write one step across processes), read the card and the state, write
 * the state, append the log, add the review to the aggregates — as raw `pg` named statements on one pooled
 * client, in one transaction, with no ORM and no FSRS. The bot's rating on PostgreSQL is divided by this.
 */
import pg from "pg";
import { SESSION_SETTINGS } from "../../src/db/pg/open.ts";
import { utcStudyDay } from "./aggregates.ts";
import { DAY_MS } from "./history.ts";

interface StateRow {
  due: string;
  stability: number;
  difficulty: number;
  elapsed_days: number;
  scheduled_days: number;
  learning_steps: number;
  reps: number;
  lapses: number;
  state: number;
}

const Q = {
  lock: "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
  card: "SELECT deck_id, retired_at FROM cards WHERE id = $1",
  state: "SELECT * FROM card_states WHERE user_id = $1 AND card_id = $2",
  upsert: `INSERT INTO card_states (user_id, card_id, deck_id, due, stability, difficulty, elapsed_days,
      scheduled_days, learning_steps, reps, lapses, state, last_review)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
    ON CONFLICT (user_id, card_id) DO UPDATE SET deck_id = excluded.deck_id, due = excluded.due,
      stability = excluded.stability, difficulty = excluded.difficulty, elapsed_days = excluded.elapsed_days,
      scheduled_days = excluded.scheduled_days, learning_steps = excluded.learning_steps, reps = excluded.reps,
      lapses = excluded.lapses, state = excluded.state, last_review = excluded.last_review`,
  log: `INSERT INTO review_logs (user_id, card_id, deck_id, guild_id, rating, state, due, stability, difficulty,
      elapsed_days, last_elapsed_days, scheduled_days, learning_steps, review, duration_ms, source)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 'study')`,
  streak: "SELECT last_day, run_days, longest FROM stat_streaks WHERE user_id = $1",
  userZone: "SELECT timezone FROM user_settings WHERE user_id = $1",
  guildZone: "SELECT timezone FROM guilds WHERE id = $1",
  newDay: "INSERT INTO stat_user_days (user_id, day) VALUES ($1, $2) ON CONFLICT DO NOTHING",
  saveStreak: `INSERT INTO stat_streaks (user_id, last_day, last_zone, run_days, longest) VALUES ($1, $2, 'UTC', $3, $4)
    ON CONFLICT (user_id) DO UPDATE SET last_day = excluded.last_day, run_days = excluded.run_days,
      longest = excluded.longest`,
  addDay: `UPDATE stat_user_days SET reviews = reviews + 1, again = again + $1,
      review_state_reviews = review_state_reviews + $2, points = points + $3, ms = ms + $4
    WHERE user_id = $5 AND day = $6`,
  addSlot: `INSERT INTO stat_user_slots AS s (user_id, slot, reviews, again, review_state_reviews, ms)
    VALUES ($1, $2, 1, $3, $4, $5) ON CONFLICT (user_id, slot) DO UPDATE SET reviews = s.reviews + 1,
      again = s.again + excluded.again, review_state_reviews = s.review_state_reviews + excluded.review_state_reviews,
      ms = s.ms + excluded.ms`,
  guildDay: `INSERT INTO stat_guild_days AS d (guild_id, day, user_id, reviews, again, points, ms)
    VALUES ($1, $2, $3, 1, $4, 1, $5) ON CONFLICT (guild_id, day, user_id) DO UPDATE SET reviews = d.reviews + 1,
      again = d.again + excluded.again, points = d.points + 1, ms = d.ms + excluded.ms`,
  undo: `INSERT INTO review_undos (user_id, card_id, reps, at, data) VALUES ($1, $2, $3, $4, $5)
    ON CONFLICT (user_id, card_id, reps) DO UPDATE SET at = excluded.at, data = excluded.data`,
  pruneUndos: "DELETE FROM review_undos WHERE user_id = $1 AND at < $2",
  guildMember: `INSERT INTO stat_guild_members AS m (guild_id, user_id, reviews, again, points, ms)
    VALUES ($1, $2, 1, $3, 1, $4) ON CONFLICT (guild_id, user_id) DO UPDATE SET reviews = m.reviews + 1,
      again = m.again + excluded.again, points = m.points + 1, ms = m.ms + excluded.ms`,
} as const;

export class RawPgRating {
  private readonly pool: pg.Pool;

  constructor(url: string) {
    // The bot's own session settings, so both sides commit the same way.
    this.pool = new pg.Pool({ connectionString: url, max: 2, options: SESSION_SETTINGS });
  }

  private run(c: pg.PoolClient, name: keyof typeof Q, values: unknown[]) {
    return c.query({ name: `raw_${name}`, text: Q[name], values });
  }

  /** One rating of `cardId` by member `u` in server `g` at `now`; false if the card is retired. */
  async write(u: string, g: string | null, cardId: number, grade: number, now: number): Promise<boolean> {
    const c = await this.pool.connect();
    try {
      await c.query("BEGIN");
      await this.run(c, "lock", [u]);
      const card = (await this.run(c, "card", [cardId])).rows[0] as
        | { deck_id: string; retired_at: string | null }
        | undefined;
      if (!card || card.retired_at !== null) {
        await c.query("ROLLBACK");
        return false;
      }
      const s = (await this.run(c, "state", [u, cardId])).rows[0] as StateRow | undefined;
      const reps = (s?.reps ?? 0) + 1;
      await this.run(c, "upsert", [
        u,
        cardId,
        card.deck_id,
        now + DAY_MS,
        (s?.stability ?? 1) * 1.5,
        s?.difficulty ?? 5,
        1,
        1,
        0,
        reps,
        s?.lapses ?? 0,
        2,
        now,
      ]);
      await this.run(c, "log", [
        u,
        cardId,
        card.deck_id,
        g,
        grade,
        s?.state ?? 0,
        s ? Number(s.due) : now,
        s?.stability ?? 0,
        s?.difficulty ?? 0,
        s?.elapsed_days ?? 0,
        0,
        s?.scheduled_days ?? 0,
        s?.learning_steps ?? 0,
        now,
        5000,
      ]);
      const streak = (await this.run(c, "streak", [u])).rows[0] as
        | { last_day: number; run_days: number; longest: number }
        | undefined;
      await this.run(c, "userZone", [u]);
      if (g !== null) await this.run(c, "guildZone", [g]);
      const day = utcStudyDay(now);
      if (((await this.run(c, "newDay", [u, day])).rowCount ?? 0) > 0) {
        const run = streak && streak.last_day === day - 1 ? streak.run_days + 1 : 1;
        await this.run(c, "saveStreak", [u, day, run, Math.max(run, streak?.longest ?? 0)]);
      }
      const again = grade === 1 ? 1 : 0;
      const mature = s?.state === 2 ? 1 : 0;
      await this.run(c, "addDay", [again, mature, 1, 5000, u, day]);
      await this.run(c, "addSlot", [u, Math.floor(now / 900_000), again, mature, 5000]);
      if (g !== null) {
        await this.run(c, "guildDay", [g, day, u, again, 5000]);
        await this.run(c, "guildMember", [g, u, again, 5000]);
      }
      await this.run(c, "undo", [
        u,
        cardId,
        reps,
        now,
        JSON.stringify({ before: s ?? null, points: 1, day }),
      ]);
      await this.run(c, "pruneUndos", [u, now - DAY_MS]);
      await c.query("COMMIT");
      return true;
    } catch (err) {
      await c.query("ROLLBACK");
      throw err;
    } finally {
      c.release();
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
