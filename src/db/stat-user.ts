/**
 * /stats' reads for one member: their quarter-hour aggregates (stat_user_slots), their streak and study zone, and
 * their card counts and due dates (card_states of the decks they study, by index). Never review_logs.
 */
import { and, count, eq, inArray, isNull, notExists, type Placeholder, sql } from "drizzle-orm";
import type { StreakState } from "../core/streaks.ts";
import { suspended } from "./card-holds.ts";
import type { Db } from "./client.ts";
import type { Builder } from "./handle.ts";
import { perConnection, rawTuples } from "./prepared.ts";
import { memberZone, readStreak, statSlot } from "./review-stats.ts";
import { cardStates, cards, decks, statUserSlots, subscriptions } from "./schema.ts";

/** The member's streak and the zone their study days are counted in (review-stats.ts `memberZone`). */
export async function studyZone(
  db: Db,
  userId: string,
  guildId: string | null,
): Promise<{ zone: string; streak: StreakState | null }> {
  const streak = await readStreak(db, userId);
  return { zone: await memberZone(db, userId, guildId, { streak }), streak };
}

type Slot = typeof statUserSlots.$inferSelect;
/** One quarter hour's figures: [slot, reviews, reviews of Review-state cards, their Again ratings, ms]. */
export type SlotFigures = [
  slot: Slot["slot"],
  reviews: number,
  matureReviews: number,
  matureAgain: number,
  ms: number,
];

/** The decks the member studies: subscribed and not retired (stats span every server). */
function studied(db: Builder, userId: Placeholder) {
  return db
    .select({ id: subscriptions.deckId })
    .from(subscriptions)
    .innerJoin(decks, eq(decks.id, subscriptions.deckId))
    .where(and(eq(subscriptions.userId, userId), isNull(decks.retiredAt)));
}

const userId = sql.placeholder("userId");
const u = statUserSlots;
/** Scheduled at least `matureDays` ahead (Anki's young/mature line). */
const mature = sql<number>`${cardStates.scheduledDays} >= ${sql.placeholder("matureDays")}`;

// Raw for speed (no plan reason): a year of slots or a month of due cards is thousands of rows, and drizzle's
// per-row mapping (a Date per due) cost more than the queries (/stats 1.3–1.4× slower, measured).
const statements = perConnection((db, kind) => ({
  slots:
    rawTuples<SlotFigures>(sql`SELECT ${u.slot}, ${u.reviews}, ${u.matureReviews}, ${u.matureAgain}, ${u.ms} FROM ${u}
      WHERE ${u.userId} = ${userId} AND ${u.slot} >= ${sql.placeholder("from")} ORDER BY ${u.slot}`),
  byState: db
    .select({ state: cardStates.state, mature: mature.mapWith(Boolean), n: count() })
    .from(cardStates)
    .innerJoin(cards, eq(cards.id, cardStates.cardId))
    .where(
      and(
        eq(cardStates.userId, userId),
        isNull(cards.retiredAt),
        inArray(cardStates.deckId, studied(db, userId)),
      ),
    )
    // PostgreSQL: by position, as it reads the SELECT's `>= $2` and the GROUP BY's `>= $3` as different expressions.
    .groupBy(cardStates.state, kind === "pg" ? sql`2` : mature)
    .prepare(),
  unseen: db
    .select({ n: count() })
    .from(cards)
    .where(
      and(
        inArray(cards.deckId, studied(db, userId)),
        isNull(cards.retiredAt),
        notExists(
          db
            .select({ one: sql`1` })
            .from(cardStates)
            .where(and(eq(cardStates.userId, userId), eq(cardStates.cardId, cards.id))),
        ),
      ),
    )
    .prepare(),
  decks: db.select({ n: count() }).from(studied(db, userId).as("studied")).prepare(),
  due: rawTuples<
    [due: number]
  >(sql`SELECT ${cardStates.due} FROM ${cardStates} JOIN ${cards} ON ${cards.id} = ${cardStates.cardId}
      WHERE ${cardStates.userId} = ${userId} AND ${cardStates.due} < ${sql.placeholder("until")}
        AND ${cards.retiredAt} IS NULL AND ${cardStates.deckId} IN ${studied(db, userId)}
        AND NOT ${suspended(cards.id, userId)}`),
}));

/** The SQL of these statements (EXPLAIN QUERY PLAN tests). */
export function statsSources(db: Db): string[] {
  const st = statements(db);
  return [st.slots.source, st.due.source, st.byState.source, st.unseen.source, st.decks.source];
}

/** The member's slots from instant `from` on, in time order. */
export async function userSlots(db: Db, user: string, from: number): Promise<SlotFigures[]> {
  return statements(db).slots.all({ userId: user, from: statSlot(from) });
}

/** Due instants (ms) of the member's cards due before `until`, in the decks they study. */
export async function dueBefore(db: Db, user: string, until: number): Promise<[due: number][]> {
  return statements(db).due.all({ userId: user, until });
}

/**
 * The member's cards of the decks they study, by ts-fsrs state and maturity (scheduled at least `matureDays`
 * days ahead), the unseen ones (no state yet) and how many decks those are.
 */
export async function cardCounts(db: Db, user: string, matureDays: number) {
  const st = statements(db);
  return {
    byState: await st.byState.all({ userId: user, matureDays }),
    unseen: (await st.unseen.get({ userId: user }))?.n ?? 0,
    decks: (await st.decks.get({ userId: user }))?.n ?? 0,
  };
}
