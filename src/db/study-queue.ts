/**
 * What `/study` shows next: the due and new cards of a member's decks in a scope, their counts, and the reads of a
 * study view, each service call one async function here. This is the path of every /study view and every rating
 * click, so the statements are drizzle prepared statements cached per connection.
 */
import { and, asc, eq, inArray, isNull, lte, not, notExists, type SQL, sql } from "drizzle-orm";
import type { Card } from "ts-fsrs";
import type { RatingStyle } from "../core/rating-styles.ts";
import type { SchedulingSettings } from "../core/scheduling.ts";
import { held } from "./card-holds.ts";
import { rowToCard } from "./card-states.ts";
import { type CardAccess, cardAccess } from "./cards.ts";
import type { Db, EngineKind } from "./client.ts";
import { type Budget, type DailyLimits, dailyLimits, newBudgetOf } from "./daily-limits.ts";
import { findVisibleDeck, isSubscribed } from "./decks.ts";
import { perConnection, rawPrepared } from "./prepared.ts";
import { sessionTotals } from "./review-logs.ts";
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

// Not ts-fsrs State.Review (2): the cards the daily review limit never holds back. A literal, as the partial index
// card_states_user_learning_due_idx says it, so that both engines' planners can use that index.
const NOT_REVIEW = sql`${cardStates.state} <> 2`;

// SQLite's planner prefers the (user_id, deck_id, due) index for a deck-filtered count, reading every due card's
// row for its state; told the index, it walks the member's few learning cards. PostgreSQL's statistics choose it.
const learningStates = (kind: EngineKind) =>
  kind === "sqlite" ? sql`${cardStates} INDEXED BY card_states_user_learning_due_idx` : sql`${cardStates}`;

/**
 * The due count: cards due by `until` in the scope, less retired and held ones; `only` narrows the states, and
 * `states` is the table reference the first count reads (the learning cards' partial index for NOT_REVIEW).
 */
function countDueSql(kind: EngineKind, only: SQL, states: SQL = sql`${cardStates}`) {
  return sql`SELECT
      (SELECT count(*) FROM ${states} WHERE ${cardStates.userId} = ${p("userId")}
        AND ${cardStates.deckId} IN ${studyDecks} AND ${cardStates.due} <= ${p("until")}${only})
      - (SELECT count(*) FROM ${retiredWithState(kind)} AND ${cardStates.due} <= ${p("until")}${only})
      - (SELECT count(*) FROM ${heldActive} JOIN ${cardStates} ON ${cardStates.userId} = ${cardHolds.userId} AND ${cardStates.cardId} = ${cardHolds.cardId}
          AND ${cardStates.due} <= ${p("until")}${only}) AS n`;
}

/** Where a card's images are (db/deck-media.ts reads one when the view shows it). */
const imageFields = { deckId: cards.deckId, frontImage: cards.frontImage, backImage: cards.backImage };

/** A card's images: names in its deck's media, null for none. */
export interface CardImages {
  deckId: string;
  frontImage: string | null;
  backImage: string | null;
}

// No `.limit(1)` on the single-row reads: drizzle binds LIMIT as a parameter (`limit ?`), which SQLite runs 3–4×
// slower here than `limit 1`; `.get()` steps to the first row only, in the same plan.
const statements = perConnection((db, kind) => ({
  content: db
    .select({ front: cards.front, back: cards.back, deckName: decks.name, ...imageFields })
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
      ...imageFields,
      state: cardStates,
      scheduling: schedulingFields,
      ratingStyle: userSettings.ratingStyle,
      leech:
        sql<number>`CASE WHEN EXISTS (SELECT 1 FROM ${cardLeeches} WHERE ${cardLeeches.userId} = ${p("userId")}
        AND ${cardLeeches.cardId} = ${cards.id}) THEN 1 ELSE 0 END`.mapWith(Number),
      held: sql<number>`CASE WHEN ${held(cards.id)} THEN 1 ELSE 0 END`.mapWith(Number),
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
  scopeDecks: db
    .select({ deckId: subscriptions.deckId })
    .from(subscriptions)
    .innerJoin(decks, eq(decks.id, subscriptions.deckId))
    .where(studyDecksWhere)
    .orderBy(asc(subscriptions.deckId))
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
  // Once today's review limit is used up: only learning and relearning cards (daily-limits.ts).
  nextDueLearning: rawPrepared<{ cardId: number }>(sql`SELECT ${cardStates.cardId} AS "cardId"
      FROM ${learningStates(kind)} JOIN ${cards} ON ${cards.id} = ${cardStates.cardId}
      WHERE ${cardStates.userId} = ${p("userId")} AND ${cardStates.due} <= ${p("until")} AND ${NOT_REVIEW}
        AND ${cards.retiredAt} IS NULL AND ${cardStates.deckId} IN ${studyDecks}
        AND NOT ${held(cardStates.cardId)}
      ORDER BY ${cardStates.due}, ${cardStates.cardId} LIMIT 1`),
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
  countDue: rawPrepared<{ n: number }>(countDueSql(kind, sql``)),
  countDueLearning: rawPrepared<{ n: number }>(
    countDueSql(kind, sql` AND ${NOT_REVIEW}`, learningStates(kind)),
  ),
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
  reviewsOpen = true,
): Promise<number | undefined> {
  const st = statements(db);
  return (await (reviewsOpen ? st.nextDue : st.nextDueLearning).get({ ...scopeValues(s), until, now }))
    ?.cardId;
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

/** Due learning and relearning cards only: what the review limit never holds back. */
export async function countDueLearning(db: Db, s: Scope, until: number): Promise<number> {
  return (await statements(db).countDueLearning.get({ ...scopeValues(s), until, now: until }))?.n ?? 0;
}

/** The decks a member studies in the scope, in deck-id order (the order new cards come in). */
export async function scopeDeckIds(db: Db, s: Scope): Promise<string[]> {
  return (await statements(db).scopeDecks.all(scopeValues(s))).map((r) => r.deckId);
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
export interface QueuedCard extends CardImages {
  cardId: number;
  deckName: string;
  front: string;
  back: string;
  state: Card | undefined;
  /** The member's own scheduling (the buttons' intervals are computed with it). */
  scheduling: SchedulingSettings;
  /** The member tagged it a leech (card-leeches.ts). */
  leech: boolean;
  /** The member set it aside now (suspended, or buried until a later study day: card-holds.ts). */
  held: boolean;
  /** How the member rates (core/rating-styles.ts). */
  ratingStyle: RatingStyle;
}

/** The counts on a study view's footer: cards due now, new cards still on offer today. */
export interface QueueCounts {
  due: number;
  /** The day's new-card budget left, at most the unseen cards (not counted when no budget is left). */
  newLeft: number;
}

// ── The daily limits applied to a scope (daily-limits.ts) ─────────────────────────────────────────────────────

/**
 * The scope's new cards today: which decks may still start one (`all`: every deck of the scope, one statement;
 * else these, in deck-id order) and the footer's count. Without a per-deck override (the usual case) that is
 * the shared budget against one unseen count; with overrides each deck of the scope is counted on its own.
 */
interface NewCardPlan {
  decks: "all" | string[];
  left: number;
}

async function newCardPlan(db: Db, s: Scope, l: DailyLimits, now: number): Promise<NewCardPlan> {
  if (l.deckNewCards.size === 0) {
    if (l.newCards.left === 0) return { decks: [], left: 0 };
    return { decks: "all", left: Math.min(l.newCards.left, await countUnseen(db, s, now)) };
  }
  const all = await scopeDeckIds(db, s);
  const open = all.filter((d) => newBudgetOf(l, d).left > 0);
  let shared = 0;
  let left = 0;
  for (const deckId of open) {
    const unseen = await countUnseen(db, { ...s, deckId }, now);
    const own = l.deckNewCards.get(deckId);
    if (own) left += Math.min(own.left, unseen);
    else shared += unseen;
  }
  left += Math.min(l.newCards.left, shared);
  return { decks: open.length === all.length ? "all" : open, left };
}

/** The next new card the plan allows. */
async function nextNewInPlan(db: Db, s: Scope, plan: NewCardPlan, now: number): Promise<number | undefined> {
  if (plan.left === 0) return undefined;
  if (plan.decks === "all") return nextNewCardId(db, s, now);
  for (const deckId of plan.decks) {
    const id = await nextNewCardId(db, { ...s, deckId }, now);
    if (id !== undefined) return id;
  }
  return undefined;
}

/** Cards due now that the day's review limit lets through: every learning card, review cards up to what is left. */
async function dueWithinLimit(
  db: Db,
  s: Scope,
  l: DailyLimits,
  now: number,
): Promise<{ shown: number; all: number }> {
  const all = await countDue(db, s, now);
  if (all <= l.reviews.left) return { shown: all, all };
  const learning = await countDueLearning(db, s, now);
  return { shown: learning + Math.min(all - learning, l.reviews.left), all };
}

async function counts(
  db: Db,
  s: Scope,
  l: DailyLimits,
  now: number,
): Promise<QueueCounts & { plan: NewCardPlan }> {
  const plan = await newCardPlan(db, s, l, now);
  return { due: (await dueWithinLimit(db, s, l, now)).shown, newLeft: plan.left, plan };
}

async function queued(db: Db, s: Scope, cardId: number, now: number): Promise<QueuedCard> {
  const row = await statements(db).viewCard.get({ userId: s.userId, cardId, now });
  if (!row) throw new Error(`card ${cardId} vanished`);
  const { state, scheduling, leech, held: isHeld, ratingStyle, ...card } = row;
  return {
    cardId,
    ...card,
    leech: leech === 1,
    held: isHeld === 1,
    ratingStyle: ratingStyle ?? "anki",
    state: state ? rowToCard(state) : undefined,
    scheduling: schedulingOf(scheduling),
  };
}

/** A card's text and deck name (a Re-do round's view, services/practice.ts). */
export async function cardContent(
  db: Db,
  cardId: number,
): Promise<({ front: string; back: string; deckName: string } & CardImages) | undefined> {
  return statements(db).content.get({ cardId });
}

/**
 * The next card of a session and the view's counts: a card due now (review cards while today's review limit
 * lasts), else a new one while today's budget lasts, else a card due before `aheadUntil` (the learn-ahead
 * window); `card` undefined: nothing is left.
 */
export async function studyQueue(
  db: Db,
  s: Scope,
  now: number,
  aheadUntil: number,
): Promise<QueueCounts & { card: QueuedCard | undefined }> {
  const l = await dailyLimits(db, s.userId, s.guildId, now);
  const { plan, ...c } = await counts(db, s, l, now);
  const reviewsOpen = l.reviews.left > 0;
  let cardId = await nextDueCardId(db, s, now, now, reviewsOpen);
  if (cardId === undefined) cardId = await nextNewInPlan(db, s, plan, now);
  if (cardId === undefined) cardId = await nextDueCardId(db, s, aheadUntil, now, reviewsOpen);
  return { ...c, card: cardId === undefined ? undefined : await queued(db, s, cardId, now) };
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
  const { plan: _, ...c } = await counts(db, s, await dailyLimits(db, s.userId, s.guildId, now), now);
  return { access, view: { ...c, card: await queued(db, s, cardId, now) } };
}

export interface SessionSummary {
  reviewed: number;
  again: number;
  durationMs: number;
  /** Cards due now that today's review limit lets through. */
  due: number;
  /** Review cards due now that today's review limit holds back until the next study day. */
  heldBack: number;
  /** Today's review limit, and the reviews it still allows today. */
  reviewLimit: number;
  reviewsLeft: number;
  nextDue: Date | null;
  /**
   * Why no new card came: none left unseen, or today's budget (0 a day, or used up); the budget of the scope's
   * decks (their overrides and the shared one they draw on).
   */
  newCards: { unseen: number; leftToday: number; perDay: number };
  /** When the daily limits reset: the member's next study day. */
  resetsAt: Date;
}

/** The new-card budget of a scope's decks: each own budget, and the shared one once when a deck draws on it. */
async function scopeNewBudget(db: Db, s: Scope, l: DailyLimits): Promise<Budget> {
  if (l.deckNewCards.size === 0) return l.newCards;
  const budgets = new Set((await scopeDeckIds(db, s)).map((d) => newBudgetOf(l, d)));
  let perDay = 0;
  let left = 0;
  for (const b of budgets) {
    perDay += b.perDay;
    left += b.left;
  }
  return { perDay, left };
}

/** A session's summary: what was reviewed since `since` (ms), what is left, and the daily limits. */
export async function sessionSummary(db: Db, s: Scope, since: number, now: number): Promise<SessionSummary> {
  const l = await dailyLimits(db, s.userId, s.guildId, now);
  const due = await dueWithinLimit(db, s, l, now);
  const budget = await scopeNewBudget(db, s, l);
  return {
    ...(await sessionTotals(db, s.userId, since)),
    due: due.shown,
    heldBack: due.all - due.shown,
    reviewLimit: l.reviews.perDay,
    reviewsLeft: l.reviews.left,
    nextDue: await nextDueAt(db, s, now),
    newCards: { unseen: await countUnseen(db, s, now), leftToday: budget.left, perDay: budget.perDay },
    resetsAt: new Date(l.day.end),
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
