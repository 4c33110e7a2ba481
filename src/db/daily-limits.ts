/**
 * A member's daily limits and their study day: how many new cards they may still start today (their
 * `/settings newcards`, globally and per deck) and how many reviews they may still do (`/settings reviews`).
 * The day is the member's own (04:00 to 04:00 in their zone); what counts is the non-practice review log since.
 */
import { and, eq, gte, isNotNull, ne, sql } from "drizzle-orm";
import { NEW_PER_DAY_DEFAULT, REVIEW_LIMIT_DEFAULT } from "../core/new-cards.ts";
import { studyDayBounds } from "../core/time.ts";
import type { Db } from "./client.ts";
import { perConnection } from "./prepared.ts";
import { memberZone } from "./review-stats.ts";
import { reviewLogs, subscriptions, userSettings } from "./schema.ts";

const p = (name: string) => sql.placeholder(name);

// ts-fsrs State of the card before the review, as review_logs stores it.
const NEW = 0;
const REVIEW = 2;

const statements = perConnection((db) => ({
  settings: db
    .select({
      tz: userSettings.timezone,
      newPerDay: userSettings.newPerDay,
      reviewLimit: userSettings.reviewLimit,
    })
    .from(userSettings)
    .where(eq(userSettings.userId, p("userId")))
    .prepare(),
  overrides: db
    .select({ deckId: subscriptions.deckId, perDay: subscriptions.newPerDay })
    .from(subscriptions)
    .where(and(eq(subscriptions.userId, p("userId")), isNotNull(subscriptions.newPerDay)))
    .prepare(),
  // Per deck: the cards started (first review) and the reviews of cards in review since the day began. A Re-do
  // round's answers (source "practice") are not reviews; reviews made in Anki today and brought by an import
  // ("import") count, as they did in Anki: the member's day goes on where it was.
  today: db
    .select({
      deckId: reviewLogs.deckId,
      started: sql<number>`sum(case when ${reviewLogs.state} = ${NEW} then 1 else 0 end)`.mapWith(Number),
      reviews: sql<number>`sum(case when ${reviewLogs.state} = ${REVIEW} then 1 else 0 end)`.mapWith(Number),
    })
    .from(reviewLogs)
    .where(
      and(
        eq(reviewLogs.userId, p("userId")),
        gte(reviewLogs.review, p("since")),
        ne(reviewLogs.source, "practice"),
      ),
    )
    .groupBy(reviewLogs.deckId)
    .prepare(),
}));

export interface MemberStudyDay {
  zone: string;
  /** When the study day holding `now` started, and when the next one starts (the daily limits reset then). */
  start: number;
  end: number;
}

/**
 * A member's study day: the one definition the daily limits, streaks and /stats share, 04:00 to 04:00 in the
 * member's zone (`memberZone`: their `/settings timezone`, else the server's, else their last study day's, else UTC).
 */
export async function memberStudyDay(
  db: Db,
  userId: string,
  guildId: string | null,
  now: number,
  ownZone?: string | null,
): Promise<MemberStudyDay> {
  const zone = await memberZone(db, userId, guildId, ownZone === undefined ? {} : { ownZone });
  const [start, end] = studyDayBounds(now, zone);
  return { zone, start, end };
}

/** A daily budget: the limit and what is left of it today. */
export interface Budget {
  perDay: number;
  left: number;
}

export interface DailyLimits {
  day: MemberStudyDay;
  /** New cards of the decks without an override of their own, which share this budget. */
  newCards: Budget;
  /** Decks with their own new-card limit (`/settings newcards deck:`): deck id → their budget. */
  deckNewCards: ReadonlyMap<string, Budget>;
  /** Reviews of cards in review (learning and relearning cards are never held back, as in Anki). */
  reviews: Budget;
}

/** The member's daily limits at `now`: four small reads (their settings, zone, overrides and today's log). */
export async function dailyLimits(
  db: Db,
  userId: string,
  guildId: string | null,
  now: number,
): Promise<DailyLimits> {
  const s = statements(db);
  const settings = await s.settings.get({ userId });
  const day = await memberStudyDay(db, userId, guildId, now, settings?.tz ?? null);
  const overrides = await s.overrides.all({ userId });
  const today = await s.today.all({ userId, since: day.start });
  const started = new Map(today.map((r) => [r.deckId, r.started]));
  const deckNewCards = new Map<string, Budget>();
  for (const o of overrides) {
    const perDay = o.perDay ?? 0;
    deckNewCards.set(o.deckId, { perDay, left: Math.max(0, perDay - (started.get(o.deckId) ?? 0)) });
  }
  let sharedStarted = 0;
  let reviews = 0;
  for (const r of today) {
    if (!deckNewCards.has(r.deckId)) sharedStarted += r.started;
    reviews += r.reviews;
  }
  const newPerDay = settings?.newPerDay ?? NEW_PER_DAY_DEFAULT;
  const reviewLimit = settings?.reviewLimit ?? REVIEW_LIMIT_DEFAULT;
  return {
    day,
    newCards: { perDay: newPerDay, left: Math.max(0, newPerDay - sharedStarted) },
    deckNewCards,
    reviews: { perDay: reviewLimit, left: Math.max(0, reviewLimit - reviews) },
  };
}

/** The new-card budget a deck draws on: its own, else the shared one. */
export function newBudgetOf(l: DailyLimits, deckId: string): Budget {
  return l.deckNewCards.get(deckId) ?? l.newCards;
}

/** New cards the member may still start today over all their budgets (the /deck list footer). */
export async function newCardsLeftToday(
  db: Db,
  userId: string,
  guildId: string | null,
  now: number,
): Promise<number> {
  const l = await dailyLimits(db, userId, guildId, now);
  let left = l.newCards.left;
  for (const b of l.deckNewCards.values()) left += b.left;
  return left;
}
