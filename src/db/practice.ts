/**
 * The Re-do round of today's misses: which cards the member rated Again this study day (any review source) and has
 * not yet answered Good in the round, and the round's answers, logged in review_logs with source "practice" and
 * the card's state as it stands (a practice answer changes no card state and no aggregate: nothing but this log
 * line). Readers of review_logs that count reviews leave "practice" out (review-logs.ts, stat-rebuild.ts,
 * review-undos.ts).
 */
import { and, eq, sql } from "drizzle-orm";
import { held } from "./card-holds.ts";
import { getState, logWrite } from "./card-states.ts";
import { type Db, tx } from "./client.ts";
import { perConnection, rawPrepared, runWrites } from "./prepared.ts";
import { cards, reviewLogs } from "./schema.ts";

const p = (name: string) => sql.placeholder(name);

const statements = perConnection((db) => ({
  // Raw: the round's order needs a correlated max() per card (cards not yet practised first, then the one practised
  // longest ago), which the builder cannot order by.
  misses: rawPrepared<{ cardId: number; answers: number }>(sql`SELECT m.card_id AS "cardId",
      (SELECT count(*) FROM ${reviewLogs} a WHERE a.user_id = ${p("userId")} AND a.card_id = m.card_id
        AND a.source = 'practice' AND a.review >= ${p("roundStart")}) AS answers
    FROM (SELECT DISTINCT ${reviewLogs.cardId} AS card_id FROM ${reviewLogs}
      JOIN ${cards} ON ${cards.id} = ${reviewLogs.cardId} AND ${cards.retiredAt} IS NULL
      WHERE ${reviewLogs.userId} = ${p("userId")} AND ${reviewLogs.review} >= ${p("dayStart")}
        AND ${reviewLogs.rating} = 1 AND ${reviewLogs.source} <> 'practice') AS m
    WHERE NOT EXISTS (SELECT 1 FROM ${reviewLogs} g WHERE g.user_id = ${p("userId")} AND g.card_id = m.card_id
      AND g.source = 'practice' AND g.rating >= 3 AND g.review >= ${p("dayStart")})
      AND NOT ${held(sql`m.card_id`, p("userId"), p("roundStart"))}
    ORDER BY coalesce((SELECT max(l.review) FROM ${reviewLogs} l WHERE l.user_id = ${p("userId")}
      AND l.card_id = m.card_id AND l.source = 'practice' AND l.review >= ${p("roundStart")}), 0), m.card_id`),
  answers: db
    .select({ n: sql<number>`count(*)`.mapWith(Number) })
    .from(reviewLogs)
    .where(
      and(
        eq(reviewLogs.userId, p("userId")),
        eq(reviewLogs.cardId, p("cardId")),
        eq(reviewLogs.source, "practice"),
        sql`${reviewLogs.review} >= ${p("roundStart")}`,
      ),
    )
    .prepare(),
}));

/** A card left in the round, and how many practice answers it has had in it (the answer buttons' version). */
export interface Miss {
  cardId: number;
  answers: number;
}

/**
 * The cards the member rated Again since `dayStart` (ms, their study day's start), retired and held ones (a leech
 * suspended by that Again) left out, less those answered Good in a practice round since: a stopped round goes on
 * where it was. The next to practise first: not yet practised in the round that started at `roundStart`, then the
 * one practised longest ago.
 */
export async function todaysMisses(
  db: Db,
  userId: string,
  dayStart: number,
  roundStart: number,
): Promise<Miss[]> {
  const rows = await statements(db).misses.all({ userId, dayStart, roundStart });
  return rows.map((r) => ({ cardId: Number(r.cardId), answers: Number(r.answers) }));
}

/**
 * One practice answer: a review_logs line with source "practice" and the card's state as it stands, nothing else.
 * Under the member's lock, and only while the card has had `answers` practice answers in the round (a double
 * click or a stale button records nothing): false then.
 */
export async function recordPractice(
  db: Db,
  a: {
    userId: string;
    guildId: string | null;
    cardId: number;
    rating: 1 | 3;
    answers: number;
    roundStart: number;
    at: number;
    durationMs: number;
  },
): Promise<boolean> {
  return tx(
    db,
    async (t) => {
      if ((await answersInRound(t, a.userId, a.cardId, a.roundStart)) !== a.answers) return false;
      const state = await getState(t, a.userId, a.cardId);
      if (!state) return false;
      const log = logWrite(t, {
        userId: a.userId,
        cardId: a.cardId,
        deckId: state.deckId,
        guildId: a.guildId,
        rating: a.rating,
        state: state.state,
        due: state.due,
        stability: state.stability,
        difficulty: state.difficulty,
        elapsedDays: state.elapsedDays,
        lastElapsedDays: state.elapsedDays,
        scheduledDays: state.scheduledDays,
        learningSteps: state.learningSteps,
        review: new Date(a.at),
        durationMs: a.durationMs,
        source: "practice",
      });
      await runWrites(t, [log]);
      return true;
    },
    { lockKey: a.userId },
  );
}

async function answersInRound(db: Db, userId: string, cardId: number, roundStart: number): Promise<number> {
  return (await statements(db).answers.get({ userId, cardId, roundStart }))?.n ?? 0;
}
