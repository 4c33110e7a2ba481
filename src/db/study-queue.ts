/**
 * What `/study` shows next: the due and new cards of a member's decks in a scope, their counts, and the reads of a
 * study view, each service call one async function here. This is the path of every /study view and every rating
 * click, so the statements are drizzle prepared statements cached per connection.
 */
import { and, asc, eq, inArray, isNull, lte, not, notExists, sql } from "drizzle-orm";
import type { Card } from "ts-fsrs";
import type { RatingStyle } from "../core/rating-styles.ts";
import type { SchedulingSettings } from "../core/scheduling.ts";
import { held } from "./card-holds.ts";
import { rowToCard } from "./card-states.ts";
import { type CardAccess, cardAccess } from "./cards.ts";
import type { Db, EngineKind } from "./client.ts";
import { findVisibleDeck, isSubscribed } from "./decks.ts";
import { memberStudyDay, newCardsLeft, newPerDay } from "./new-cards.ts";
import { perConnection, rawPrepared } from "./prepared.ts";
import { newIntroducedSince, sessionTotals } from "./review-logs.ts";
import { cardHolds, cardLeeches, cardStates, cards, decks, subscriptions, userSettings } from "./schema.ts";
import { scopeValues, studyDecks, studyDecksWhere } from "./study-decks.ts";
import { schedulingFields, schedulingOf } from "./user-settings.ts";

/** Who is studying, where, and which deck (null = all subscribed decks). */
export interface Scope {
  userId: string;
  guildId: string | null;
  deckId: string | null;
}

const p = (name: string) => sql.placeholder(name);

// Counting note: a card never changes deck (cards are keyed by (deck_id, key)) and a state row copies its card's
// deck_id, so "states of active cards in the scope" = "states in the scope" − "states of retired cards in the
// scope". The first term is a range count on card_states_user_deck_due_idx alone and the second walks only the
// scope's retired cards (CROSS JOIN keeps cards as the outer loop), instead of joining every state to its card.
// Raw `sql` statements: the builder has neither arithmetic over scalar subqueries nor SQLite's CROSS JOIN … ON
// (PostgreSQL has no CROSS JOIN … ON and plans the join order itself).
const retiredWithState = (
  kind: EngineKind,
) => sql`${cards} ${sql.raw(kind === "pg" ? "JOIN" : "CROSS JOIN")} ${cardStates} ON ${cardStates.userId} = ${p("userId")} AND ${cardStates.cardId} = ${cards.id}
  WHERE ${cards.deckId} IN ${studyDecks} AND ${cards.retiredAt} IS NOT NULL`;

// The member's held cards (card-holds.ts) among the scope's active cards: a few rows at most, read by the
// primary key, subtracted from the counts as retired cards are.
const heldActive = sql`${cardHolds} JOIN ${cards} ON ${cards.id} = ${cardHolds.cardId} AND ${cards.retiredAt} IS NULL
  AND ${cards.deckId} IN ${studyDecks}
  AND ${cardHolds.userId} = ${p("userId")} AND (${cardHolds.until} IS NULL OR ${cardHolds.until} > ${p("now")})`;

// No `.limit(1)` on the single-row reads: drizzle binds LIMIT as a parameter (`limit ?`), which SQLite runs 3–4×
// slower here than `limit 1`; `.get()` steps to the first row only, in the same plan.
const statements = perConnection((db, kind) => ({
  content: db
    .select({ front: cards.front, back: cards.back, deckName: decks.name })
    .from(cards)
    .innerJoin(decks, eq(decks.id, cards.deckId))
    .where(eq(cards.id, p("cardId")))
    .prepare(),
  // A card as a view shows it, with the member's state of it and their scheduling settings: one read.
  viewCard: db
    .select({
      front: cards.front,
      back: cards.back,
      deckName: decks.name,
      state: cardStates,
      scheduling: schedulingFields,
      ratingStyle: userSettings.ratingStyle,
      leech:
        sql<number>`CASE WHEN EXISTS (SELECT 1 FROM ${cardLeeches} WHERE ${cardLeeches.userId} = ${p("userId")}
        AND ${cardLeeches.cardId} = ${cards.id}) THEN 1 ELSE 0 END`.mapWith(Number),
    })
    .from(cards)
    .innerJoin(decks, eq(decks.id, cards.deckId))
    .leftJoin(cardStates, and(eq(cardStates.userId, p("userId")), eq(cardStates.cardId, cards.id)))
    .leftJoin(userSettings, eq(userSettings.userId, p("userId")))
    .where(eq(cards.id, p("cardId")))
    .prepare(),
  studiesHere: db
    .select({ deckId: subscriptions.deckId })
    .from(subscriptions)
    .innerJoin(decks, eq(decks.id, subscriptions.deckId))
    .where(studyDecksWhere)
    .prepare(),
  nextDue: db
    .select({ cardId: cardStates.cardId })
    .from(cardStates)
    .innerJoin(cards, eq(cards.id, cardStates.cardId))
    .where(
      and(
        eq(cardStates.userId, p("userId")),
        lte(cardStates.due, p("until")),
        isNull(cards.retiredAt),
        inArray(cardStates.deckId, studyDecks),
        not(held(cardStates.cardId)),
      ),
    )
    .orderBy(asc(cardStates.due), asc(cardStates.cardId))
    .prepare(),
  nextNew: db
    .select({ cardId: cards.id })
    .from(cards)
    .where(
      and(
        inArray(cards.deckId, studyDecks),
        isNull(cards.retiredAt),
        notExists(
          db
            .select({ one: sql`1` })
            .from(cardStates)
            .where(and(eq(cardStates.userId, p("userId")), eq(cardStates.cardId, cards.id))),
        ),
        not(held(cards.id)),
      ),
    )
    .orderBy(asc(cards.deckId), asc(cards.position))
    .prepare(),
  // The first in due order rather than min(due): walks the (user_id, due) index and stops at the first match.
  nextDueAt: db
    .select({ due: cardStates.due })
    .from(cardStates)
    .innerJoin(cards, eq(cards.id, cardStates.cardId))
    .where(
      and(
        eq(cardStates.userId, p("userId")),
        isNull(cards.retiredAt),
        inArray(cardStates.deckId, studyDecks),
        not(held(cardStates.cardId)),
      ),
    )
    .orderBy(asc(cardStates.due))
    .prepare(),
  countDue: rawPrepared<{ n: number }>(sql`SELECT
      (SELECT count(*) FROM ${cardStates} WHERE ${cardStates.userId} = ${p("userId")}
        AND ${cardStates.deckId} IN ${studyDecks} AND ${cardStates.due} <= ${p("until")})
      - (SELECT count(*) FROM ${retiredWithState(kind)} AND ${cardStates.due} <= ${p("until")})
      - (SELECT count(*) FROM ${heldActive} JOIN ${cardStates} ON ${cardStates.userId} = ${cardHolds.userId} AND ${cardStates.cardId} = ${cardHolds.cardId}
          AND ${cardStates.due} <= ${p("until")}) AS n`),
  countUnseen: rawPrepared<{ n: number }>(sql`SELECT
      (SELECT count(*) FROM ${cards} WHERE ${cards.deckId} IN ${studyDecks} AND ${cards.retiredAt} IS NULL)
      - (SELECT count(*) FROM ${cardStates} WHERE ${cardStates.userId} = ${p("userId")} AND ${cardStates.deckId} IN ${studyDecks})
      + (SELECT count(*) FROM ${retiredWithState(kind)})
      - (SELECT count(*) FROM ${heldActive} WHERE NOT EXISTS (SELECT 1 FROM ${cardStates}
          WHERE ${cardStates.userId} = ${cardHolds.userId} AND ${cardStates.cardId} = ${cardHolds.cardId})) AS n`),
}));

// ── Single reads (synchronous: the building blocks of the functions below, and of tests and the bench) ───────

// Every read below takes `now` (ms): what is held out then (card-holds.ts) is left out.

/** The most overdue card due at or before `until` (ms), or undefined. */
export async function nextDueCardId(
  db: Db,
  s: Scope,
  until: number,
  now = until,
): Promise<number | undefined> {
  return (await statements(db).nextDue.get({ ...scopeValues(s), until, now }))?.cardId;
}

/** The next card this user has never seen, in deck file order. */
export async function nextNewCardId(db: Db, s: Scope, now: number): Promise<number | undefined> {
  return (await statements(db).nextNew.get({ ...scopeValues(s), now }))?.cardId;
}

/** Whether the user studies at least one deck visible in this scope (the /study "pick a deck" check). */
export async function studiesAnyDeck(db: Db, s: Scope): Promise<boolean> {
  return (await statements(db).studiesHere.get(scopeValues(s))) !== undefined;
}

export async function countDue(db: Db, s: Scope, until: number, now = until): Promise<number> {
  return (await statements(db).countDue.get({ ...scopeValues(s), until, now }))?.n ?? 0;
}

export async function countUnseen(db: Db, s: Scope, now: number): Promise<number> {
  return (await statements(db).countUnseen.get({ ...scopeValues(s), now }))?.n ?? 0;
}

/** Earliest due instant among the user's cards in scope not held out, or null. */
export async function nextDueAt(db: Db, s: Scope, now: number): Promise<Date | null> {
  return (await statements(db).nextDueAt.get({ ...scopeValues(s), now }))?.due ?? null;
}

// ── What the study service asks: one async call per view ───────────────────────────────────────────────────

/** A card as a study view shows it, with the member's ts-fsrs state of it (undefined: never rated). */
export interface QueuedCard {
  cardId: number;
  deckName: string;
  front: string;
  back: string;
  state: Card | undefined;
  /** The member's own scheduling (the buttons' intervals are computed with it). */
  scheduling: SchedulingSettings;
  /** The member tagged it a leech (card-leeches.ts). */
  leech: boolean;
  /** How the member rates (core/rating-styles.ts). */
  ratingStyle: RatingStyle;
}

/** The counts on a study view's footer: cards due now, new cards still on offer today. */
export interface QueueCounts {
  due: number;
  /** The day's new-card budget left, at most the unseen cards (not counted when no budget is left). */
  newLeft: number;
}

async function counts(db: Db, s: Scope, now: number): Promise<QueueCounts> {
  const budget = await newCardsLeft(db, s.userId, s.guildId, now);
  return {
    due: await countDue(db, s, now),
    newLeft: budget > 0 ? Math.min(budget, await countUnseen(db, s, now)) : 0,
  };
}

async function queued(db: Db, s: Scope, cardId: number): Promise<QueuedCard> {
  const row = await statements(db).viewCard.get({ userId: s.userId, cardId });
  if (!row) throw new Error(`card ${cardId} vanished`);
  const { state, scheduling, leech, ratingStyle, ...card } = row;
  return {
    cardId,
    ...card,
    leech: leech === 1,
    ratingStyle: ratingStyle ?? "anki",
    state: state ? rowToCard(state) : undefined,
    scheduling: schedulingOf(scheduling),
  };
}

/** A card's text and deck name (a Re-do round's view, services/practice.ts). */
export async function cardContent(
  db: Db,
  cardId: number,
): Promise<{ front: string; back: string; deckName: string } | undefined> {
  return statements(db).content.get({ cardId });
}

/**
 * The next card of a session and the view's counts: a card due now, else a new one while today's budget lasts,
 * else a learning card due before `aheadUntil` (the learn-ahead window); `card` undefined: nothing is left.
 */
export async function studyQueue(
  db: Db,
  s: Scope,
  now: number,
  aheadUntil: number,
): Promise<QueueCounts & { card: QueuedCard | undefined }> {
  const c = await counts(db, s, now);
  let cardId = await nextDueCardId(db, s, now);
  if (cardId === undefined && c.newLeft > 0) cardId = await nextNewCardId(db, s, now);
  if (cardId === undefined) cardId = await nextDueCardId(db, s, aheadUntil, now);
  return { ...c, card: cardId === undefined ? undefined : await queued(db, s, cardId) };
}

/**
 * A card whose answer is asked for: its reach and retirement here, and (when in reach and active) the card with
 * the view's counts.
 */
export async function studyCard(
  db: Db,
  s: Scope,
  cardId: number,
  now: number,
): Promise<{ access: CardAccess | undefined; view: (QueueCounts & { card: QueuedCard }) | undefined }> {
  const access = await cardAccess(db, s, cardId);
  if (!access?.inReach || access.retiredAt !== null) return { access, view: undefined };
  return { access, view: { ...(await counts(db, s, now)), card: await queued(db, s, cardId) } };
}

export interface SessionSummary {
  reviewed: number;
  again: number;
  durationMs: number;
  /** Cards due now. */
  due: number;
  nextDue: Date | null;
  /** Why no new card came: none left unseen, or today's budget (0 a day, or used up) and when it resets. */
  newCards: { unseen: number; leftToday: number; perDay: number; resetsAt: Date };
}

/** A session's summary: what was reviewed since `since` (ms), what is left, and the new-card budget. */
export async function sessionSummary(db: Db, s: Scope, since: number, now: number): Promise<SessionSummary> {
  const day = await memberStudyDay(db, s.userId, s.guildId, now);
  const perDay = await newPerDay(db, s.userId);
  return {
    ...(await sessionTotals(db, s.userId, since)),
    due: await countDue(db, s, now),
    nextDue: await nextDueAt(db, s, now),
    newCards: {
      unseen: await countUnseen(db, s, now),
      leftToday: Math.max(0, perDay - (await newIntroducedSince(db, s.userId, day.start))),
      perDay,
      // When today's new-card budget starts again: the member's next study day.
      resetsAt: new Date(day.end),
    },
  };
}

/**
 * How `/study` opens in a scope: "study" when the member studies the scope's deck (or any deck here), "offer"
 * when they must subscribe first, "no-deck" when the scope's deck is not one they see here.
 */
export async function studyOpening(db: Db, s: Scope): Promise<"study" | "offer" | "no-deck"> {
  if (s.deckId !== null) {
    const deck = await findVisibleDeck(db, s.userId, s.guildId, s.deckId);
    if (!deck) return "no-deck";
    return (await isSubscribed(db, s.userId, deck.id)) ? "study" : "offer";
  }
  return (await studiesAnyDeck(db, s)) ? "study" : "offer";
}
