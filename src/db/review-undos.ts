/**
 * Undo of a session review: the undo record written with each `/study` rating (review_undos), and the unit of
 * work that takes the member's latest review back out of card_states, review_logs, every aggregate and the
 * siblings' buries it wrote, exactly as it went in (review-stats.ts `recordReviewStats` says what it added).
 */
import { and, desc, eq, lt, notExists, notInArray, sql } from "drizzle-orm";
import type { StreakState } from "../core/streaks.ts";
import { unburySiblingsWrite } from "./card-holds.ts";
import { unleechWrites } from "./card-leeches.ts";
import { type CardStateRow, stateWrite } from "./card-states.ts";
import { type Db, tx } from "./client.ts";
import { perConnection, preparedWrite, runWrites, type Values, type WriteStatement } from "./prepared.ts";
import { type ReviewCounted, statements as statStatements } from "./review-stats.ts";
import {
  cardStates,
  quizAnswers,
  quizPosts,
  reviewLogs,
  reviewUndos,
  statGuildDays,
  statGuildMembers,
  statStreaks,
  statUserDays,
  statUserSlots,
} from "./schema.ts";

const p = (name: string) => sql.placeholder(name);
const minus = (column: { name: string }, name: string) => sql`${column} - ${p(name)}`;

/** A card state as the undo record keeps it: instants as epoch ms. */
type StoredState = Omit<CardStateRow, "userId" | "cardId" | "deckId" | "due" | "lastReview"> & {
  due: number;
  lastReview: number | null;
};

/** The undo record's `data`: the state before the review (null: the card was new) and what it counted. */
export interface UndoData extends ReviewCounted {
  before: StoredState | null;
  /** The review made the member a member of the server (its stat_guild_members row is the review's own). */
  newMember: boolean;
  /** The review made the card a leech (card-leeches.ts), and suspended it. */
  leech?: { suspended: boolean };
  /** The card's note key: the review buried its siblings (card-holds.ts `burySiblingsWrite`). */
  siblings?: string;
}

const statements = perConnection((db) => ({
  saveUndo: preparedWrite(
    db
      .insert(reviewUndos)
      .values({ userId: p("userId"), cardId: p("cardId"), reps: p("reps"), at: p("at"), data: p("data") })
      .onConflictDoUpdate({
        target: [reviewUndos.userId, reviewUndos.cardId, reviewUndos.reps],
        set: { at: sql.raw("excluded.at"), data: sql.raw("excluded.data") },
      }),
  ),
  pruneUndos: preparedWrite(
    db.delete(reviewUndos).where(and(eq(reviewUndos.userId, p("userId")), lt(reviewUndos.at, p("before")))),
  ),
  latestReview: db
    .select({
      id: reviewLogs.id,
      cardId: reviewLogs.cardId,
      guildId: reviewLogs.guildId,
      source: reviewLogs.source,
      review: reviewLogs.review,
    })
    .from(reviewLogs)
    // A Re-do round's answer is not a review to undo (db/practice.ts), nor is a review brought from Anki (its
    // date is Anki's: it may be later than the session's last rating): the latest review is the one before them.
    .where(and(eq(reviewLogs.userId, p("userId")), notInArray(reviewLogs.source, ["practice", "import"])))
    .orderBy(desc(reviewLogs.review), desc(reviewLogs.id))
    .prepare(),
  undo: db
    .select({ at: reviewUndos.at, data: reviewUndos.data, reps: cardStates.reps, deckId: cardStates.deckId })
    .from(reviewUndos)
    .innerJoin(
      cardStates,
      and(eq(cardStates.userId, reviewUndos.userId), eq(cardStates.cardId, reviewUndos.cardId)),
    )
    .where(
      and(
        eq(reviewUndos.userId, p("userId")),
        eq(reviewUndos.cardId, p("cardId")),
        eq(reviewUndos.reps, p("reps")),
      ),
    )
    .prepare(),
  deleteUndo: preparedWrite(
    db
      .delete(reviewUndos)
      .where(
        and(
          eq(reviewUndos.userId, p("userId")),
          eq(reviewUndos.cardId, p("cardId")),
          eq(reviewUndos.reps, p("reps")),
        ),
      ),
  ),
  deleteState: preparedWrite(
    db.delete(cardStates).where(and(eq(cardStates.userId, p("userId")), eq(cardStates.cardId, p("cardId")))),
  ),
  deleteLog: preparedWrite(db.delete(reviewLogs).where(eq(reviewLogs.id, p("id")))),
  subUserDay: preparedWrite(
    db
      .update(statUserDays)
      .set({
        reviews: sql`${statUserDays.reviews} - 1`,
        again: minus(statUserDays.again, "again"),
        matureReviews: minus(statUserDays.matureReviews, "mature"),
        matureAgain: minus(statUserDays.matureAgain, "matureAgain"),
        points: minus(statUserDays.points, "points"),
        ms: minus(statUserDays.ms, "ms"),
      })
      .where(and(eq(statUserDays.userId, p("userId")), eq(statUserDays.day, p("day")))),
  ),
  // A day row with no review left was the review's own (newUserDay): its absence is what "not studied" means.
  dropUserDay: preparedWrite(
    db
      .delete(statUserDays)
      .where(
        and(
          eq(statUserDays.userId, p("userId")),
          eq(statUserDays.day, p("day")),
          eq(statUserDays.reviews, 0),
        ),
      ),
  ),
  subUserSlot: preparedWrite(
    db
      .update(statUserSlots)
      .set({
        reviews: sql`${statUserSlots.reviews} - 1`,
        again: minus(statUserSlots.again, "again"),
        matureReviews: minus(statUserSlots.matureReviews, "mature"),
        matureAgain: minus(statUserSlots.matureAgain, "matureAgain"),
        ms: minus(statUserSlots.ms, "ms"),
      })
      .where(and(eq(statUserSlots.userId, p("userId")), eq(statUserSlots.slot, p("slot")))),
  ),
  dropUserSlot: preparedWrite(
    db
      .delete(statUserSlots)
      .where(
        and(
          eq(statUserSlots.userId, p("userId")),
          eq(statUserSlots.slot, p("slot")),
          eq(statUserSlots.reviews, 0),
        ),
      ),
  ),
  // The running totals of this and later days follow through the table's triggers (schema.ts statGuildDays).
  subGuildDay: preparedWrite(
    db
      .update(statGuildDays)
      .set({
        reviews: sql`${statGuildDays.reviews} - 1`,
        again: minus(statGuildDays.again, "again"),
        points: minus(statGuildDays.points, "points"),
        ms: minus(statGuildDays.ms, "ms"),
      })
      .where(
        and(
          eq(statGuildDays.guildId, p("guildId")),
          eq(statGuildDays.day, p("day")),
          eq(statGuildDays.userId, p("userId")),
        ),
      ),
  ),
  // A server day keeps its row while it still holds a review or quiz points of the member.
  dropGuildDay: preparedWrite(
    db
      .delete(statGuildDays)
      .where(
        and(
          eq(statGuildDays.guildId, p("guildId")),
          eq(statGuildDays.day, p("day")),
          eq(statGuildDays.userId, p("userId")),
          eq(statGuildDays.reviews, 0),
          eq(statGuildDays.points, 0),
        ),
      ),
  ),
  subGuildMember: preparedWrite(
    db
      .update(statGuildMembers)
      .set({
        reviews: sql`${statGuildMembers.reviews} - 1`,
        again: minus(statGuildMembers.again, "again"),
        points: minus(statGuildMembers.points, "points"),
        ms: minus(statGuildMembers.ms, "ms"),
      })
      .where(and(eq(statGuildMembers.guildId, p("guildId")), eq(statGuildMembers.userId, p("userId")))),
  ),
  // Only a row left empty: quiz points won since (a quiz answer that was not a review) keep it, and so does any
  // answer to this server's quiz, right or wrong: it made the member one of the server's members too.
  dropGuildMember: preparedWrite(
    db.delete(statGuildMembers).where(
      and(
        eq(statGuildMembers.guildId, p("guildId")),
        eq(statGuildMembers.userId, p("userId")),
        eq(statGuildMembers.reviews, 0),
        eq(statGuildMembers.points, 0),
        notExists(
          db
            .select({ one: sql`1` })
            .from(quizAnswers)
            .innerJoin(quizPosts, eq(quizPosts.id, quizAnswers.postId))
            .where(and(eq(quizAnswers.userId, p("userId")), eq(quizPosts.guildId, p("guildId")))),
        ),
      ),
    ),
  ),
  deleteStreak: preparedWrite(db.delete(statStreaks).where(eq(statStreaks.userId, p("userId")))),
}));

/** How long a review can be undone (ms): a session's, not last week's (services/board-bases.ts relies on it). */
export const UNDO_WINDOW_MS = 24 * 3_600_000;

/**
 * The undo record's writes, for the review's own batch (reviews.ts): the record, and the member's records older
 * than the undo window out.
 */
export function undoRecordWrites(
  db: Db,
  key: { userId: string; cardId: number; reps: number; at: number },
  data: UndoData,
): [WriteStatement, Values][] {
  const st = statements(db);
  return [
    [st.saveUndo, { ...key, data: JSON.stringify(data) }],
    [st.pruneUndos, { userId: key.userId, before: key.at - UNDO_WINDOW_MS }],
  ];
}

export function storedState(row: CardStateRow | undefined): StoredState | null {
  if (!row) return null;
  const { userId: _u, cardId: _c, deckId: _d, due, lastReview, ...rest } = row;
  return { ...rest, due: due.getTime(), lastReview: lastReview?.getTime() ?? null };
}

/** The member's latest review, or undefined: what an Undo may take back (services/undo.ts checks its session). */
export interface LatestReview {
  id: number;
  cardId: number;
  guildId: string | null;
  source: string;
  review: Date;
}

export async function latestReview(db: Db, userId: string): Promise<LatestReview | undefined> {
  return statements(db).latestReview.get({ userId });
}

export type UndoOutcome =
  | { undone: true; next: LatestReview | undefined }
  | { undone: false; why: UndoRefusal };
/** `stale`: not the member's latest review any more (undone already, or another came after); `expired`: too old. */
export type UndoRefusal = "stale" | "expired";

/**
 * Undoes the member's review of `cardId` that brought its state to version `reps`, if it is still their latest
 * review and `allowed` says it may be undone (the session's own, services/undo.ts): the card's state as it was
 * before (none for a card that was new), the log line gone, every aggregate as before, the streak as before. In
 * one transaction under the member's lock, as a rating. Resolves to the member's latest review after it.
 */
export async function undoReview(
  db: Db,
  u: { userId: string; cardId: number; reps: number; now: number },
  allowed: (latest: LatestReview) => boolean,
): Promise<UndoOutcome> {
  return tx(
    db,
    async (t): Promise<UndoOutcome> => {
      const st = statements(t);
      const { userId, cardId, reps } = u;
      const latest = await latestReview(t, userId);
      if (!latest || latest.cardId !== cardId || !allowed(latest)) return { undone: false, why: "stale" };
      if (latest.review.getTime() < u.now - UNDO_WINDOW_MS) return { undone: false, why: "expired" };
      const record = await st.undo.get({ userId, cardId, reps });
      if (!record || record.reps !== reps) return { undone: false, why: "stale" };
      const d = JSON.parse(record.data) as UndoData;
      const key = { userId, cardId };
      const counts = { again: d.again, mature: d.mature, matureAgain: d.matureAgain, ms: d.ms };
      const writes: [WriteStatement, Values][] = [
        d.before === null
          ? [st.deleteState, key]
          : stateWrite(t, {
              ...d.before,
              ...key,
              deckId: record.deckId,
              due: new Date(d.before.due),
              lastReview: d.before.lastReview === null ? null : new Date(d.before.lastReview),
            }),
        [st.deleteLog, { id: latest.id }],
        [st.deleteUndo, { ...key, reps }],
        [st.subUserDay, { ...counts, userId, day: d.day, points: d.points }],
        [st.dropUserDay, { userId, day: d.day }],
        [st.subUserSlot, { ...counts, userId, slot: d.slot }],
        [st.dropUserSlot, { userId, slot: d.slot }],
      ];
      if (latest.guildId !== null && d.guildDay !== null) {
        const g = { guildId: latest.guildId, userId };
        const sub = { ...g, again: d.again, points: d.points, ms: d.ms };
        writes.push(
          [st.subGuildDay, { ...sub, day: d.guildDay }],
          [st.dropGuildDay, { ...g, day: d.guildDay }],
        );
        writes.push([st.subGuildMember, sub]);
        if (d.newMember) writes.push([st.dropGuildMember, g]);
      }
      if (d.streakBefore !== undefined) writes.push(streakWrite(t, userId, d.streakBefore));
      if (d.leech) writes.push(...unleechWrites(t, key, d.leech.suspended));
      if (d.siblings !== undefined)
        writes.push(
          unburySiblingsWrite(t, {
            ...key,
            deckId: record.deckId,
            noteKey: d.siblings,
            at: Number(record.at),
          }),
        );
      await runWrites(t, writes);
      return { undone: true, next: await latestReview(t, userId) };
    },
    { lockKey: u.userId },
  );
}

function streakWrite(db: Db, userId: string, before: StreakState | null): [WriteStatement, Values] {
  if (before === null) return [statements(db).deleteStreak, { userId }];
  return [statStatements(db).saveStreak, { userId, ...before }];
}
