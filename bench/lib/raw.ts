/**
 * The baseline: the same rating write the bot does — read the card and the member's state, write the state,
 * append the log, add the review to the per-day aggregates — as raw better-sqlite3 statements prepared once,
 * in one IMMEDIATE transaction, with no ORM and no FSRS (the new state is a trivial function of the old one).
 * Like the bot's, it writes the rating's undo record (the state before it, as JSON) and prunes the member's old ones.
 * This is the "what SQLite itself can do" figure the bot's rating is divided by.
 */
import type Database from "better-sqlite3";
import { utcStudyDay } from "./aggregates.ts";
import { DAY_MS } from "./history.ts";

interface StateRow {
  deck_id: string;
  due: number;
  stability: number;
  difficulty: number;
  elapsed_days: number;
  scheduled_days: number;
  learning_steps: number;
  reps: number;
  lapses: number;
  state: number;
  last_review: number | null;
}

export class RawRating {
  private readonly card: Database.Statement;
  private readonly state: Database.Statement;
  private readonly upsert: Database.Statement;
  private readonly log: Database.Statement;
  private readonly streak: Database.Statement;
  private readonly userZone: Database.Statement;
  private readonly guildZone: Database.Statement;
  private readonly newDay: Database.Statement;
  private readonly addDay: Database.Statement;
  private readonly addSlot: Database.Statement;
  private readonly guildDay: Database.Statement;
  private readonly guildMember: Database.Statement;
  private readonly undo: Database.Statement;
  private readonly pruneUndos: Database.Statement;
  private readonly txn: Database.Transaction<
    (u: string, g: string | null, cardId: number, grade: number, now: number) => boolean
  >;

  constructor(db: Database.Database) {
    this.card = db.prepare("SELECT deck_id, retired_at FROM cards WHERE id = ?");
    this.state = db.prepare("SELECT * FROM card_states WHERE user_id = ? AND card_id = ?");
    this.upsert = db.prepare(`INSERT INTO card_states (user_id, card_id, deck_id, due, stability, difficulty,
        elapsed_days, scheduled_days, learning_steps, reps, lapses, state, last_review)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (user_id, card_id) DO UPDATE SET deck_id = excluded.deck_id, due = excluded.due,
        stability = excluded.stability, difficulty = excluded.difficulty, elapsed_days = excluded.elapsed_days,
        scheduled_days = excluded.scheduled_days, learning_steps = excluded.learning_steps, reps = excluded.reps,
        lapses = excluded.lapses, state = excluded.state, last_review = excluded.last_review`);
    this.log = db.prepare(`INSERT INTO review_logs (user_id, card_id, deck_id, guild_id, rating, state, due,
        stability, difficulty, elapsed_days, last_elapsed_days, scheduled_days, learning_steps, review, duration_ms,
        source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'study')`);
    this.streak = db.prepare("SELECT last_day, run_days, longest FROM stat_streaks WHERE user_id = ?");
    this.userZone = db.prepare("SELECT timezone FROM user_settings WHERE user_id = ?");
    this.guildZone = db.prepare("SELECT timezone FROM guilds WHERE id = ?");
    this.newDay = db.prepare("INSERT OR IGNORE INTO stat_user_days (user_id, day) VALUES (?, ?)");
    this.addDay = db.prepare(`UPDATE stat_user_days SET reviews = reviews + 1, again = again + ?,
        review_state_reviews = review_state_reviews + ?, points = points + ?, ms = ms + ?
      WHERE user_id = ? AND day = ?`);
    this.addSlot =
      db.prepare(`INSERT INTO stat_user_slots (user_id, slot, reviews, again, review_state_reviews, ms)
      VALUES (?, ?, 1, ?, ?, ?) ON CONFLICT (user_id, slot) DO UPDATE SET reviews = reviews + 1,
        again = again + excluded.again, review_state_reviews = review_state_reviews + excluded.review_state_reviews,
        ms = ms + excluded.ms`);
    this.guildDay =
      db.prepare(`INSERT INTO stat_guild_days (guild_id, day, user_id, reviews, again, points, ms)
      VALUES (?, ?, ?, 1, ?, 1, ?) ON CONFLICT (guild_id, day, user_id) DO UPDATE SET reviews = reviews + 1,
        again = again + excluded.again, points = points + 1, ms = ms + excluded.ms`);
    this.guildMember =
      db.prepare(`INSERT INTO stat_guild_members (guild_id, user_id, reviews, again, points, ms)
      VALUES (?, ?, 1, ?, 1, ?) ON CONFLICT (guild_id, user_id) DO UPDATE SET reviews = reviews + 1,
        again = again + excluded.again, points = points + 1, ms = ms + excluded.ms`);
    this.undo = db.prepare(`INSERT INTO review_undos (user_id, card_id, reps, at, data) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (user_id, card_id, reps) DO UPDATE SET at = excluded.at, data = excluded.data`);
    this.pruneUndos = db.prepare("DELETE FROM review_undos WHERE user_id = ? AND at < ?");
    const saveStreak = db.prepare(`INSERT INTO stat_streaks (user_id, last_day, last_zone, run_days, longest)
      VALUES (?, ?, 'UTC', ?, ?) ON CONFLICT (user_id) DO UPDATE SET last_day = excluded.last_day,
        run_days = excluded.run_days, longest = excluded.longest`);
    this.txn = db.transaction(
      (u: string, g: string | null, cardId: number, grade: number, now: number): boolean => {
        const card = this.card.get(cardId) as { deck_id: string; retired_at: number | null } | undefined;
        if (!card || card.retired_at !== null) return false;
        const s = this.state.get(u, cardId) as StateRow | undefined;
        const reps = (s?.reps ?? 0) + 1;
        this.upsert.run(
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
        );
        this.log.run(
          u,
          cardId,
          card.deck_id,
          g,
          grade,
          s?.state ?? 0,
          s?.due ?? now,
          s?.stability ?? 0,
          s?.difficulty ?? 0,
          s?.elapsed_days ?? 0,
          0,
          s?.scheduled_days ?? 0,
          s?.learning_steps ?? 0,
          now,
          5000,
        );
        const streak = this.streak.get(u) as
          | { last_day: number; run_days: number; longest: number }
          | undefined;
        this.userZone.get(u);
        if (g !== null) this.guildZone.get(g);
        const day = utcStudyDay(now);
        if (this.newDay.run(u, day).changes > 0) {
          const run = streak && streak.last_day === day - 1 ? streak.run_days + 1 : 1;
          saveStreak.run(u, day, run, Math.max(run, streak?.longest ?? 0));
        }
        const again = grade === 1 ? 1 : 0;
        this.addDay.run(again, s?.state === 2 ? 1 : 0, 1, 5000, u, day);
        this.addSlot.run(u, Math.floor(now / 900_000), again, s?.state === 2 ? 1 : 0, 5000);
        if (g !== null) {
          this.guildDay.run(g, day, u, again, 5000);
          this.guildMember.run(g, u, again, 5000);
        }
        this.undo.run(u, cardId, reps, now, JSON.stringify({ before: s ?? null, points: 1, day }));
        this.pruneUndos.run(u, now - DAY_MS);
        return true;
      },
    );
  }

  /** One rating of `cardId` by member `u` in server `g` at `now`; false if the card is retired. */
  write(u: string, g: string | null, cardId: number, grade: number, now: number): boolean {
    return this.txn.immediate(u, g, cardId, grade, now);
  }
}
