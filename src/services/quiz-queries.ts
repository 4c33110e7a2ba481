/** SQL the daily quiz needs: who is a member here and what is due, the server's decks, posts and tallies. */
import { and, desc, eq, sql } from "drizzle-orm";
import type { QuizCard } from "../core/quiz.ts";
import type { Db } from "../db/client.ts";
import { guilds, quizAnswers, quizConfigs, quizPosts } from "../db/schema.ts";

export type QuizConfigRow = typeof quizConfigs.$inferSelect;
export type QuizPostRow = typeof quizPosts.$inferSelect;

export function getConfig(db: Db, guildId: string): QuizConfigRow | undefined {
  return db.select().from(quizConfigs).where(eq(quizConfigs.guildId, guildId)).get();
}

export function getPost(db: Db, guildId: string, date: string): QuizPostRow | undefined {
  return db
    .select()
    .from(quizPosts)
    .where(and(eq(quizPosts.guildId, guildId), eq(quizPosts.localDate, date)))
    .get();
}

export function getPostById(db: Db, id: number): QuizPostRow | undefined {
  return db.select().from(quizPosts).where(eq(quizPosts.id, id)).get();
}

/** The most recent post row of a server (any status), for `/quiz status`. */
export function lastPost(db: Db, guildId: string): QuizPostRow | undefined {
  return db
    .select()
    .from(quizPosts)
    .where(eq(quizPosts.guildId, guildId))
    .orderBy(desc(quizPosts.localDate))
    .limit(1)
    .get();
}

/** Guilds whose quiz is due at `now` and not paused, soonest first. */
export function dueGuilds(db: Db, now: number): string[] {
  return db
    .select({ g: quizConfigs.guildId })
    .from(quizConfigs)
    .where(and(eq(quizConfigs.paused, false), sql`${quizConfigs.nextRunAt} <= ${now}`))
    .orderBy(quizConfigs.nextRunAt)
    .all()
    .map((r) => r.g);
}

/** Posts of a server that went out and are still open (answers accepted), except `exceptId`. */
export function openPosts(db: Db, guildId: string, exceptId: number): QuizPostRow[] {
  return db
    .select()
    .from(quizPosts)
    .where(
      and(
        eq(quizPosts.guildId, guildId),
        eq(quizPosts.status, "posted"),
        sql`${quizPosts.closedAt} IS NULL`,
        sql`${quizPosts.id} <> ${exceptId}`,
      ),
    )
    .all();
}

export function tally(db: Db, postId: number): { answered: number; correct: number } {
  const r = db.get<{ answered: number; correct: number | null }>(sql`
    SELECT count(*) AS answered, sum(correct) AS correct FROM quiz_answers WHERE post_id = ${postId}`);
  return { answered: r?.answered ?? 0, correct: r?.correct ?? 0 };
}

export function getAnswer(db: Db, postId: number, userId: string) {
  return db
    .select()
    .from(quizAnswers)
    .where(and(eq(quizAnswers.postId, postId), eq(quizAnswers.userId, userId)))
    .get();
}

/** Card ids asked in this server's most recent `n` posts (so questions do not repeat soon). */
export function recentQuestionCards(db: Db, guildId: string, n = 60): Set<number> {
  const rows = db.all<{ card_id: number }>(sql`
    SELECT card_id FROM quiz_posts WHERE guild_id = ${guildId} AND card_id IS NOT NULL
    ORDER BY local_date DESC LIMIT ${n}`);
  return new Set(rows.map((r) => r.card_id));
}

export function setGuildTimezone(db: Db, guildId: string, zone: string, now: Date): void {
  db.insert(guilds)
    .values({ id: guildId, timezone: zone, createdAt: now })
    .onConflictDoUpdate({ target: guilds.id, set: { timezone: zone } })
    .run();
}

/**
 * Members of a server, as far as the bot can know with only the Guilds intent (no member list): users who have
 * reviewed a card in this server (any source: /study, Start my review, a quiz answer) or answered its quiz.
 * A member who subscribed here but never reviewed anything has no card states, hence nothing due, so the
 * due counts and pings lose nothing by leaving them out.
 */
const members = (guildId: string) => sql`(
  SELECT user_id FROM review_logs WHERE guild_id = ${guildId}
  UNION
  SELECT a.user_id FROM quiz_answers a JOIN quiz_posts p ON p.id = a.post_id WHERE p.guild_id = ${guildId})`;

export interface MemberDue {
  userId: string;
  due: number;
  reminders: boolean;
}

/**
 * Per member of the server with cards due at `now`: how many, counted as `/study` there would (subscribed,
 * deck visible in this server, card and deck not retired), and whether they opted in to reminders.
 */
export function membersWithDue(db: Db, guildId: string, now: number): MemberDue[] {
  const rows = db.all<{ user_id: string; due: number; reminders: number | null }>(sql`
    SELECT cs.user_id, count(*) AS due, us.reminders
    FROM card_states cs
    JOIN cards c ON c.id = cs.card_id AND c.retired_at IS NULL
    JOIN decks d ON d.id = cs.deck_id AND d.retired_at IS NULL
    JOIN subscriptions s ON s.user_id = cs.user_id AND s.deck_id = cs.deck_id
    LEFT JOIN user_settings us ON us.user_id = cs.user_id
    WHERE cs.user_id IN ${members(guildId)} AND cs.due <= ${now}
      AND (d.source = 'file' OR d.owner_id = cs.user_id OR (d.guild_id = ${guildId} AND d.owner_id IS NULL))
    GROUP BY cs.user_id
    ORDER BY due DESC, cs.user_id`);
  return rows.map((r) => ({ userId: r.user_id, due: r.due, reminders: r.reminders === 1 }));
}

export interface ServerDeck {
  id: string;
  name: string;
  subscribers: number;
}

/**
 * The server's decks (shipped files and this server's own imports, not personal decks) with at least 4 active
 * cards, and how many of the server's members study each.
 */
export function serverDecks(db: Db, guildId: string): ServerDeck[] {
  return db.all<ServerDeck>(sql`
    SELECT d.id, d.name,
      (SELECT count(*) FROM subscriptions s WHERE s.deck_id = d.id AND s.user_id IN ${members(guildId)})
        AS subscribers
    FROM decks d
    WHERE d.retired_at IS NULL AND (d.source = 'file' OR (d.guild_id = ${guildId} AND d.owner_id IS NULL))
      AND (SELECT count(*) FROM cards c WHERE c.deck_id = d.id AND c.retired_at IS NULL) >= 4
    ORDER BY d.id`);
}

export function activeCards(db: Db, deckId: string): QuizCard[] {
  return db.all<QuizCard>(sql`
    SELECT id, front, back FROM cards WHERE deck_id = ${deckId} AND retired_at IS NULL ORDER BY position, id`);
}
