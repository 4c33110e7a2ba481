import { and, eq, sql } from "drizzle-orm";
import type { Card, ReviewLog } from "ts-fsrs";
import { becomesLeech, LEECH_THRESHOLD_DEFAULT } from "../core/leeches.ts";
import type { ReviewSource } from "../core/points.ts";
import { type Grade, MAX_ANSWER_MS, type SchedulingSettings } from "../core/scheduling.ts";
import { nextStudyDayStart } from "../core/time.ts";
import { burySiblingsWrite, held } from "./card-holds.ts";
import { leechWrites } from "./card-leeches.ts";
import { cardToRow, rowToCard, stateAndLogWrites } from "./card-states.ts";
import { cardAccessFields } from "./cards.ts";
import { type Db, tx } from "./client.ts";
import { perConnection } from "./prepared.ts";
import { memberZone, type ReviewStatsContext, recordReviewStats } from "./review-stats.ts";
import { storedState, undoRecordWrites } from "./review-undos.ts";
import {
  cardLeeches,
  cardStates,
  cards,
  decks,
  guilds,
  statGuildMembers,
  statStreaks,
  statUserDays,
  userSettings,
} from "./schema.ts";
import { schedulingFields, schedulingOf } from "./user-settings.ts";

const p = (name: string) => sql.placeholder(name);

// Everything a review write reads before it decides, in one statement: the card's deck, retirement and reach
// (cards.ts `cardAccessFields`), its note key (siblings to bury), the member's state of it, their streak, own zone
// and last study day (whether this review opens a day: review-stats.ts), the server's zone. On PostgreSQL each read
// is a round trip (five of a rating's fifteen before).
const statements = perConnection((db) => ({
  context: db
    .select({
      ...cardAccessFields,
      noteKey: cards.noteKey,
      state: cardStates,
      streak: {
        lastDay: statStreaks.lastDay,
        lastZone: statStreaks.lastZone,
        runDays: statStreaks.runDays,
        longest: statStreaks.longest,
      },
      ownZone: userSettings.timezone,
      scheduling: schedulingFields,
      leechThreshold: userSettings.leechThreshold,
      leechAction: userSettings.leechAction,
      // Whether the card is the member's leech already (card-leeches.ts): it is tagged once, and an Undo removes
      // only a tag its own rating wrote.
      tagged:
        sql<number>`CASE WHEN EXISTS (SELECT 1 FROM ${cardLeeches} WHERE ${cardLeeches.userId} = ${p("userId")}
        AND ${cardLeeches.cardId} = ${cards.id}) THEN 1 ELSE 0 END`.mapWith(Number),
      serverZone: guilds.timezone,
      // The primary key (user_id, day): one seek to the member's last entry.
      // A card the member holds out (card-holds.ts) takes no review: not from a stale button, not from a quiz answer.
      held: sql<number>`CASE WHEN ${held(cards.id)} THEN 1 ELSE 0 END`.mapWith(Number),
      // Whether the member already has a row in this server's totals (an undo of the review that made it drops it).
      guildMember: sql<
        number | null
      >`(SELECT 1 FROM ${statGuildMembers} WHERE ${statGuildMembers.guildId} = ${p("guildId")} AND ${statGuildMembers.userId} = ${p("userId")})`,
      lastUserDay: sql<
        number | null
      >`(SELECT max(${statUserDays.day}) FROM ${statUserDays} WHERE ${statUserDays.userId} = ${p("userId")})`.mapWith(
        Number,
      ),
    })
    .from(cards)
    .innerJoin(decks, eq(decks.id, cards.deckId))
    .leftJoin(cardStates, and(eq(cardStates.userId, p("userId")), eq(cardStates.cardId, cards.id)))
    .leftJoin(statStreaks, eq(statStreaks.userId, p("userId")))
    .leftJoin(userSettings, eq(userSettings.userId, p("userId")))
    .leftJoin(guilds, eq(guilds.id, p("guildId")))
    .where(eq(cards.id, p("cardId")))
    .prepare(),
}));

/**
 * The state after one rating and its log line; `before` is null for a card the member has never seen, `scheduling`
 * the member's own settings (read with the state).
 */
export type DecideReview = (
  before: Card | null,
  now: Date,
  scheduling: SchedulingSettings,
) => { card: Card; log: ReviewLog };

/** A recorded review: whether it made the card a leech (its lapses then, and whether it was suspended). */
export interface ReviewWritten {
  leech: { lapses: number; suspended: boolean } | null;
}

export interface ReviewWrite {
  userId: string;
  guildId: string | null;
  cardId: number;
  grade: Grade;
  source: ReviewSource;
  /** When the card was shown (ms), for time spent. */
  shownAt: number;
  /** The state version the click was made against; null = whatever the current state is (quiz answers). */
  version: number | null;
}

/**
 * The one review write path (a `/study` rating, a quiz answer): read state → `decide` (ts-fsrs, pure, from the
 * service) → write state + append log + the leaderboard and /stats aggregates. Must run inside a transaction.
 * Returns false and writes nothing when the card (or its deck) is retired, is outside the member's reach here, is
 * held out of their study (suspended or buried), or the version no longer matches. Else what the member is told
 * beyond the rating: whether it made the card a leech (core/leeches.ts; tagged, and suspended if they chose so).
 */
export async function writeReview(
  db: Db,
  r: ReviewWrite,
  now: Date,
  decide: DecideReview,
): Promise<ReviewWritten | false> {
  const card = await statements(db).context.get({
    userId: r.userId,
    guildId: r.guildId,
    cardId: r.cardId,
    now: now.getTime(),
  });
  if (!card?.inReach || card.retiredAt !== null || card.held === 1) return false;
  const { state } = card;
  if (r.version !== null && (state?.reps ?? 0) !== r.version) return false;
  const { card: after, log } = decide(state ? rowToCard(state) : null, now, schedulingOf(card.scheduling));
  const threshold = card.leechThreshold ?? LEECH_THRESHOLD_DEFAULT;
  const leech = becomesLeech(state?.lapses ?? 0, after.lapses, threshold, card.tagged === 1)
    ? { lapses: after.lapses, suspended: (card.leechAction ?? "tag") === "suspend" }
    : null;
  // A session rating buries the card's siblings (a card and its reverse: never both on one day); a quiz or party
  // answer does not: a question the server or the group picked is not the member's own study, and it cannot be
  // undone, which would leave its buries for good. A card without a note key costs no statement.
  const siblings =
    card.noteKey !== null && r.source !== "quiz" && r.source !== "party"
      ? { noteKey: card.noteKey, until: await nextStudyDay(db, r, now, card) }
      : null;
  const own = stateAndLogWrites(db, cardToRow(r.userId, r.cardId, card.deckId, after), {
    userId: r.userId,
    cardId: r.cardId,
    deckId: card.deckId,
    guildId: r.guildId,
    rating: log.rating,
    state: log.state,
    due: log.due,
    stability: log.stability,
    difficulty: log.difficulty,
    elapsedDays: log.elapsed_days,
    lastElapsedDays: log.last_elapsed_days,
    scheduledDays: log.scheduled_days,
    learningSteps: log.learning_steps,
    review: log.review,
    durationMs: Math.min(MAX_ANSWER_MS, Math.max(0, now.getTime() - r.shownAt)),
    source: r.source,
  });
  if (siblings)
    own.push(
      burySiblingsWrite(db, {
        userId: r.userId,
        cardId: r.cardId,
        deckId: card.deckId,
        ...siblings,
        at: now.getTime(),
      }),
    );
  await recordReviewStats(
    db,
    { ...r, at: now.getTime(), stateBefore: log.state },
    // A server without a row (never seen, no `/quiz setup`) counts in UTC, as guilds.ts `zoneOf` says.
    {
      streak: card.streak,
      ownZone: card.ownZone,
      serverZone: r.guildId === null ? undefined : (card.serverZone ?? "UTC"),
      lastUserDay: card.lastUserDay,
    },
    leech
      ? [
          ...own,
          ...leechWrites(db, {
            userId: r.userId,
            cardId: r.cardId,
            deckId: card.deckId,
            lapses: leech.lapses,
            at: now.getTime(),
            suspend: leech.suspended,
          }),
        ]
      : own,
    // A session review can be undone (review-undos.ts); a quiz or party answer cannot.
    r.source === "quiz" || r.source === "party"
      ? undefined
      : (counted) =>
          undoRecordWrites(
            db,
            { userId: r.userId, cardId: r.cardId, reps: after.reps, at: now.getTime() },
            {
              ...counted,
              before: storedState(state ?? undefined),
              newMember: card.guildMember === null,
              ...(leech && { leech: { suspended: leech.suspended } }),
              ...(siblings && { siblings: siblings.noteKey }),
            },
          ),
  );
  return { leech };
}

/**
 * When the member's next study day starts (study-holds.ts's Bury ends there too): their zone from what the context
 * read (no statement: `memberZone` reads only what it is not given).
 */
async function nextStudyDay(
  db: Db,
  r: ReviewWrite,
  now: Date,
  c: { streak: ReviewStatsContext["streak"]; ownZone: string | null; serverZone: string | null },
): Promise<number> {
  const zone = await memberZone(db, r.userId, r.guildId, {
    streak: c.streak,
    ownZone: c.ownZone,
    serverZone: r.guildId === null ? undefined : (c.serverZone ?? "UTC"),
  });
  return nextStudyDayStart(now.getTime(), zone);
}

/**
 * The unit of work of a `/study` rating: `writeReview` in one transaction (IMMEDIATE on SQLite; on PostgreSQL
 * under the member's lock, so that the version check and the write are one step). Resolves to what `writeReview`
 * does (false: stale version, retired, held or out-of-reach card; nothing written).
 */
export async function recordRating(
  db: Db,
  r: ReviewWrite,
  now: Date,
  decide: DecideReview,
): Promise<ReviewWritten | false> {
  return tx(db, (t) => writeReview(t, r, now, decide), { lockKey: r.userId });
}
