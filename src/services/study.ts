import { UserError } from "../core/errors.ts";
import type { ReviewSource } from "../core/points.ts";
import { applyRating, type Grade, newCard, previewDue, State } from "../core/scheduling.ts";
import { tx } from "../db/client.ts";
import { type DecideReview, type ReviewWrite, writeReview } from "../db/reviews.ts";
import {
  type CardAccess,
  cardAccess,
  cardForView,
  countDue,
  countUnseen,
  getState,
  newPerDay,
  nextDueAt,
  nextDueCardId,
  nextNewCardId,
  rowToCard,
  type Scope,
  sessionTotals,
} from "../db/study-queries.ts";
import { newLeftTodaySync } from "./decks.ts";
import type { Deps } from "./deps.ts";
import { memberStudyDay } from "./study-day.ts";

/** Where a session started: `/study`, or the daily post's **Start my review** (quiz answers are source "quiz"). */
export type SessionSource = Exclude<ReviewSource, "quiz">;

/** Everything a study message needs to continue; it travels in button custom_ids, not in memory. */
export interface Session extends Scope {
  source: SessionSource;
  startedAt: number; // ms
}

export interface CardView {
  kind: "card";
  session: Session;
  cardId: number;
  deckName: string;
  front: string;
  back: string | null; // null until "Show answer"
  version: number; // reps of the user's state for this card (0 = new)
  shownAt: number; // ms the question was first shown
  isNew: boolean;
  due: number;
  newLeft: number;
  /** Time until the card is due again per grade (ms), only when the answer is shown. */
  intervals: Record<Grade, number> | null;
  notice: string | null;
}

export interface DoneView {
  kind: "done";
  session: Session;
  reviewed: number;
  again: number;
  durationMs: number;
  /** Cards due now: more than zero when the member stopped before the end. */
  due: number;
  nextDue: Date | null;
  /** Why no new card came: none left unseen, or today's budget (0 a day, or used up) and when it resets. */
  newCards: { unseen: number; leftToday: number; perDay: number; resetsAt: Date };
  stoppedEarly: boolean;
  notice: string | null;
}

export type StudyView = CardView | DoneView;

/** Anki's learn-ahead limit: a learning card due within this window is shown rather than ending the session. */
const LEARN_AHEAD_MS = 20 * 60_000;
/** Anki's "maximum answer seconds": time on one card counts at most this much. */

/** The card to show next in this session, or the summary when nothing is left. */
export function nextView(deps: Deps, session: Session, notice: string | null = null): StudyView {
  const now = deps.clock.now().getTime();
  const newLeft = newCardsLeft(deps, session);
  const due = countDue(deps.db, session, now);
  let cardId = nextDueCardId(deps.db, session, now);
  if (cardId === undefined && newLeft > 0) cardId = nextNewCardId(deps.db, session);
  if (cardId === undefined) cardId = nextDueCardId(deps.db, session, now + LEARN_AHEAD_MS);
  if (cardId === undefined) return doneView(deps, session, false, notice);
  return cardView(deps, session, cardId, { showAnswer: false, shownAt: now, due, newLeft, notice });
}

/** New cards still on offer today: the daily budget left, at most the unseen cards (not counted when none is left). */
function newCardsLeft(deps: Deps, session: Session): number {
  const budget = newLeftTodaySync(deps, session.userId, session.guildId);
  return budget > 0 ? Math.min(budget, countUnseen(deps.db, session)) : 0;
}

function cardView(
  deps: Deps,
  session: Session,
  cardId: number,
  o: { showAnswer: boolean; shownAt: number; due: number; newLeft: number; notice: string | null },
): CardView {
  const card = cardForView(deps.db, cardId);
  if (!card) throw new Error(`card ${cardId} vanished`);
  const state = getState(deps.db, session.userId, cardId);
  const now = deps.clock.now();
  const fsrsCard = state ? rowToCard(state) : newCard(now);
  return {
    kind: "card",
    session,
    cardId,
    deckName: card.deckName,
    front: card.front,
    back: o.showAnswer ? card.back : null,
    version: state?.reps ?? 0,
    shownAt: o.shownAt,
    isNew: !state || state.state === State.New,
    due: o.due,
    newLeft: o.newLeft,
    intervals: o.showAnswer ? intervalsFrom(previewDue(deps.scheduler, fsrsCard, now), now) : null,
    notice: o.notice,
  };
}

function intervalsFrom(due: Record<Grade, Date>, now: Date): Record<Grade, number> {
  const t = now.getTime();
  return {
    1: due[1].getTime() - t,
    2: due[2].getTime() - t,
    3: due[3].getTime() - t,
    4: due[4].getTime() - t,
  };
}

export function doneView(
  deps: Deps,
  session: Session,
  stoppedEarly: boolean,
  notice: string | null = null,
): DoneView {
  const totals = sessionTotals(deps.db, session.userId, session.startedAt);
  const now = deps.clock.now().getTime();
  return {
    kind: "done",
    session,
    ...totals,
    due: countDue(deps.db, session, now),
    nextDue: nextDueAt(deps.db, session),
    newCards: {
      unseen: countUnseen(deps.db, session),
      leftToday: newLeftTodaySync(deps, session.userId, session.guildId),
      perDay: newPerDay(deps.db, session.userId),
      resetsAt: new Date(newCardsResetAt(deps, session, now)),
    },
    stoppedEarly,
    notice,
  };
}

/** When today's new-card budget starts again: the member's next study day (04:00 in their timezone). */
function newCardsResetAt(deps: Deps, session: Session, now: number): number {
  return memberStudyDay(deps.db, session.userId, session.guildId, now).end;
}

const ALREADY_RATED = "That card was already rated — here is your next one.";
const RETIRED =
  "That card was removed (or its whole deck was), so nothing was recorded — here is your next one.";
const OUT_OF_REACH = "That card is not in a deck you can study here. Run `/study` for your own cards.";

/**
 * A button names its card in its custom_id, which a client can craft: the card must be one this member may
 * reach here (their own, this server's, or a shipped deck), as /study would pick it. Refused otherwise.
 */
function reachableCard(deps: Deps, session: Session, cardId: number): CardAccess {
  const card = cardAccess(deps.db, session, cardId);
  if (!card?.inReach) throw new UserError(OUT_OF_REACH);
  return card;
}

/**
 * Reveal the answer of a card, if the click still matches the card's state. `onScreen`: the message clicked
 * shows this card (else the click is from a view it has moved on from, or names a card the bot never picked).
 */
export function showAnswer(
  deps: Deps,
  session: Session,
  cardId: number,
  version: number,
  shownAt: number,
  onScreen = true,
): StudyView {
  if (reachableCard(deps, session, cardId).retiredAt !== null) return nextView(deps, session, RETIRED);
  const state = getState(deps.db, session.userId, cardId);
  if (!onScreen || (state?.reps ?? 0) !== version) return nextView(deps, session, ALREADY_RATED);
  const now = deps.clock.now().getTime();
  const newLeft = newCardsLeft(deps, session);
  return cardView(deps, session, cardId, {
    showAnswer: true,
    shownAt,
    due: countDue(deps.db, session, now),
    newLeft,
    notice: null,
  });
}

export interface RateResult {
  recorded: boolean;
  view: StudyView;
}

export type ReviewInput = ReviewWrite;

/** The pure decision of one rating (ts-fsrs via src/core), handed to the write so it runs inside its transaction. */
export function decideWith(deps: Pick<Deps, "scheduler">, grade: Grade): DecideReview {
  return (before, now) => applyRating(deps.scheduler, before ?? newCard(now), now, grade);
}

/** Records one review (see `writeReview`). Must run inside a transaction (see `rate`). */
export function recordReview(deps: Deps, r: ReviewInput): boolean {
  return writeReview(deps.db, r, deps.clock.now(), decideWith(deps, r.grade));
}

/**
 * Rate one card in one transaction. A click whose version no longer matches (double click, stale message), or
 * whose card was retired meanwhile, or that is not for the card its message shows (`onScreen`, see showAnswer),
 * records nothing and shows the current next card with a notice; a card outside the member's reach is refused.
 */
export function rate(
  deps: Deps,
  session: Session,
  cardId: number,
  version: number,
  grade: Grade,
  shownAt: number,
  onScreen = true,
): RateResult {
  const { userId, guildId, source } = session;
  // As showAnswer: a removed card (or deck) is told as such up front; recordReview refuses it again in the tx.
  if (reachableCard(deps, session, cardId).retiredAt !== null)
    return { recorded: false, view: nextView(deps, session, RETIRED) };
  if (!onScreen) return { recorded: false, view: nextView(deps, session, ALREADY_RATED) };
  const recorded = tx(deps.db, () =>
    recordReview(deps, { userId, guildId, cardId, grade, source, shownAt, version }),
  );
  return { recorded, view: nextView(deps, session, recorded ? null : ALREADY_RATED) };
}

export const NOT_YOUR_REVIEW = "This is someone else's review. Start your own with `/study`.";

/** Guard used by handlers: a button may only be used by the member whose session it is. */
export function assertOwner(session: Session, clickerId: string): void {
  if (session.userId !== clickerId) throw new UserError(NOT_YOUR_REVIEW);
}
