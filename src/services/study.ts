import { UserError } from "../core/errors.ts";
import type { ReviewSource } from "../core/points.ts";
import type { RatingStyle } from "../core/rating-styles.ts";
import { applyRating, type Grade, newCard, previewDue, State } from "../core/scheduling.ts";
import { getState } from "../db/card-states.ts";
import { cardAccessHere } from "../db/cards.ts";
import { type LatestReview, latestReview } from "../db/review-undos.ts";
import { type DecideReview, type ReviewWrite, recordRating } from "../db/reviews.ts";
import {
  type QueueCounts,
  type QueuedCard,
  type Scope,
  type SessionSummary,
  sessionSummary,
  studyCard,
  studyOpening,
  studyQueue,
} from "../db/study-queue.ts";
import { imageOf, type StoredImage } from "./card-image.ts";
import { type DeckSummary, listDecks, subscribe } from "./decks.ts";
import type { Deps } from "./deps.ts";
import { leechNotice } from "./leech-notice.ts";
import { missesToday } from "./practice.ts";

/**
 * Where a session started: `/study`, or the daily post's **Start my review** (quiz answers are source "quiz", and
 * reviews brought from Anki "import").
 */
export type SessionSource = Exclude<ReviewSource, "quiz" | "import">;

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
  /** The member's leech (tagged when it reached their threshold). */
  leech: boolean;
  /** Anki's four buttons, or the five confidence levels (core/rating-styles.ts). */
  ratingStyle: RatingStyle;
  due: number;
  newLeft: number;
  /** Time until the card is due again per grade (ms), only when the answer is shown. */
  intervals: Record<Grade, number> | null;
  notice: string | null;
  /** The session review an Undo button takes back (the one just made), or null. */
  undo: UndoTarget | null;
  /** On the answer side: **Edit** for whoever may change the card's deck, **Report** for everyone else. */
  fix?: "edit" | "report";
  /** The card's image for this side (services/card-image.ts), attached to the message; null: none. */
  image: StoredImage | null;
}

/** A review an Undo names: its card and the card state's version it made (review-undos.ts). */
export interface UndoTarget {
  cardId: number;
  reps: number;
}

/** A session's summary (`due` more than zero when the member stopped before the end). */
export interface DoneView extends SessionSummary {
  kind: "done";
  session: Session;
  stoppedEarly: boolean;
  notice: string | null;
  undo: UndoTarget | null;
  /** Cards the member rated Again this study day: the summary offers to re-do them (services/practice.ts). */
  misses: number;
}

export type StudyView = CardView | DoneView;

/** Anki's learn-ahead limit: a learning card due within this window is shown rather than ending the session. */
const LEARN_AHEAD_MS = 20 * 60_000;

/** The card to show next in this session, or the summary when nothing is left. */
export async function nextView(
  deps: Deps,
  session: Session,
  notice: string | null = null,
  undo: UndoTarget | null = null,
): Promise<StudyView> {
  const now = deps.clock.now().getTime();
  const q = await studyQueue(deps.db, session, now, now + LEARN_AHEAD_MS);
  if (q.card === undefined) return doneView(deps, session, false, notice, undo);
  return await cardView(deps, session, q.card, q, { showAnswer: false, shownAt: now, notice, undo });
}

/** Card `cardId`'s question, as the next view of the session (after an Undo: the card taken back). */
export async function questionView(
  deps: Deps,
  session: Session,
  cardId: number,
  notice: string | null,
  undo: UndoTarget | null,
  /** The notice when the card is set aside (buried, suspended): it stays aside, and the next card comes. */
  heldNotice: string | null = notice,
): Promise<StudyView> {
  const now = deps.clock.now().getTime();
  const { view } = await studyCard(deps.db, session, cardId, now);
  if (!view) return nextView(deps, session, notice, undo);
  if (view.card.held) return nextView(deps, session, heldNotice, undo);
  return await cardView(deps, session, view.card, view, { showAnswer: false, shownAt: now, notice, undo });
}

async function cardView(
  deps: Deps,
  session: Session,
  card: QueuedCard,
  counts: QueueCounts,
  o: { showAnswer: boolean; shownAt: number; notice: string | null; undo?: UndoTarget | null },
): Promise<CardView> {
  const { state } = card;
  const now = deps.clock.now();
  const fsrsCard = state ?? newCard(now);
  return {
    kind: "card",
    session,
    cardId: card.cardId,
    deckName: card.deckName,
    front: card.front,
    back: o.showAnswer ? card.back : null,
    version: state?.reps ?? 0,
    shownAt: o.shownAt,
    isNew: !state || state.state === State.New,
    leech: card.leech,
    ratingStyle: card.ratingStyle,
    due: counts.due,
    newLeft: counts.newLeft,
    intervals: o.showAnswer
      ? intervalsFrom(previewDue(deps.schedulers.for(card.scheduling), fsrsCard, now), now)
      : null,
    notice: o.notice,
    undo: o.undo ?? null,
    image: await imageOf(deps, card, o.showAnswer ? "answer" : "question"),
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

/** Whether `r` is a review of this session: its source and server, made since the session started. */
export function ofSession(session: Session, r: LatestReview): boolean {
  return (
    r.source === session.source && r.guildId === session.guildId && r.review.getTime() >= session.startedAt
  );
}

/** The Undo a view offers for review `r` (the member's latest): only a review of this session. */
export async function undoTargetOf(
  deps: Deps,
  session: Session,
  r: LatestReview | undefined,
): Promise<UndoTarget | null> {
  if (!r || !ofSession(session, r)) return null;
  const state = await getState(deps.db, session.userId, r.cardId);
  return state ? { cardId: r.cardId, reps: state.reps } : null;
}

/** The Undo of the member's latest rating, when it is this session's: what a view after Bury, Suspend or Stop keeps. */
export async function sessionUndo(deps: Deps, session: Session): Promise<UndoTarget | null> {
  return undoTargetOf(deps, session, await latestReview(deps.db, session.userId));
}

/** Stop: the summary, with the Undo of the session's last rating still on it. */
export async function stopSession(deps: Deps, session: Session): Promise<DoneView> {
  return doneView(deps, session, true, null, await sessionUndo(deps, session));
}

export async function doneView(
  deps: Deps,
  session: Session,
  stoppedEarly: boolean,
  notice: string | null = null,
  undo: UndoTarget | null = null,
): Promise<DoneView> {
  const summary = await sessionSummary(deps.db, session, session.startedAt, deps.clock.now().getTime());
  const misses = await missesToday(deps, session.userId, session.guildId);
  return { kind: "done", session, ...summary, stoppedEarly, notice, undo, misses };
}

export const ALREADY_RATED = "That card was already rated (or set aside) — here is your next one.";
export const RETIRED =
  "That card was removed (or its whole deck was), so nothing was recorded — here is your next one.";
const OUT_OF_REACH = "That card is not in a deck you can study here. Run `/study` for your own cards.";

/**
 * A button names its card in its custom_id, which a client can craft: the card must be one this member may
 * reach here (their own, this server's, or a shipped deck), as /study would pick it. Refused otherwise.
 */
export function assertReachable(card: { inReach: boolean } | undefined): asserts card is { inReach: true } {
  if (!card?.inReach) throw new UserError(OUT_OF_REACH);
}

/**
 * Reveal the answer of a card, if the click still matches the card's state. `onScreen`: the message clicked
 * shows this card (else the click is from a view it has moved on from, or names a card the bot never picked).
 */
export async function showAnswer(
  deps: Deps,
  session: Session,
  cardId: number,
  version: number,
  shownAt: number,
  onScreen = true,
): Promise<StudyView> {
  const { access, view } = await studyCard(deps.db, session, cardId, deps.clock.now().getTime());
  assertReachable(access);
  if (access.retiredAt !== null || !view) return nextView(deps, session, RETIRED);
  // A card rated, buried or suspended from another open view of it moves on, as its rating would.
  if (!onScreen || view.card.held || (view.card.state?.reps ?? 0) !== version)
    return nextView(deps, session, ALREADY_RATED);
  return await cardView(deps, session, view.card, view, { showAnswer: true, shownAt, notice: null });
}

export interface RateResult {
  recorded: boolean;
  view: StudyView;
}

export type ReviewInput = ReviewWrite;

/** The pure decision of one rating (ts-fsrs via src/core), handed to the write so it runs inside its transaction. */
export function decideWith(deps: Pick<Deps, "schedulers">, grade: Grade): DecideReview {
  return (before, now, scheduling) =>
    applyRating(deps.schedulers.for(scheduling), before ?? newCard(now), now, grade);
}

/**
 * Rate one card in one transaction. A click whose version no longer matches (double click, stale message), or
 * whose card was retired meanwhile, or that is not for the card its message shows (`onScreen`, see showAnswer),
 * records nothing and shows the current next card with a notice; a card outside the member's reach is refused.
 */
export async function rate(
  deps: Deps,
  session: Session,
  cardId: number,
  version: number,
  grade: Grade,
  shownAt: number,
  onScreen = true,
): Promise<RateResult> {
  const { userId, guildId, source } = session;
  const access = await cardAccessHere(deps.db, session, cardId);
  assertReachable(access);
  // As showAnswer: a removed card (or deck) is told as such up front; writeReview refuses it again in the tx.
  if (access.retiredAt !== null) return { recorded: false, view: await nextView(deps, session, RETIRED) };
  if (!onScreen) return { recorded: false, view: await nextView(deps, session, ALREADY_RATED) };
  const written = await recordRating(
    deps.db,
    { userId, guildId, cardId, grade, source, shownAt, version },
    deps.clock.now(),
    decideWith(deps, grade),
  );
  if (written === false) return { recorded: false, view: await nextView(deps, session, ALREADY_RATED) };
  const notice = written.leech ? leechNotice(written.leech, access.deckId) : null;
  return { recorded: true, view: await nextView(deps, session, notice, { cardId, reps: version + 1 }) };
}

export const NOT_YOUR_REVIEW = "This is someone else's review. Start your own with `/study`.";

/** Guard used by handlers: a button may only be used by the member whose session it is (`refusal` in their language). */
export function assertOwner(session: Session, clickerId: string, refusal: string = NOT_YOUR_REVIEW): void {
  if (session.userId !== clickerId) throw new UserError(refusal);
}

/** How `/study` opens: the first study view, or (no subscription here) the decks to subscribe to. */
export type StudyOpening = StudyView | SubscribeOffer;

export interface SubscribeOffer {
  kind: "offer";
  userId: string;
  /** Offering one deck (`/study deck:`) rather than the server's decks. */
  only: boolean;
  decks: DeckSummary[];
}

/** Opens a review session (`/study`, and the daily post's "Start my review"). */
export async function openStudy(
  deps: Deps,
  userId: string,
  guildId: string | null,
  deckId: string | null,
  source: SessionSource,
): Promise<StudyOpening> {
  const scope: Scope = { userId, guildId, deckId };
  const opening = await studyOpening(deps.db, { ...scope, deckId: deckId || null });
  if (opening === "no-deck")
    throw new UserError(`There is no deck \`${(deckId ?? "").slice(0, 40)}\` here. See \`/deck list\`.`);
  if (opening === "offer") {
    // A member with no subscription is offered the server's decks (or the one asked for), each to subscribe to.
    const decks = (await listDecks(deps, userId, guildId)).filter((d) => !deckId || d.id === deckId);
    if (decks.length === 0) throw new UserError("No decks are available in this server yet.");
    return { kind: "offer", userId, only: !!deckId, decks };
  }
  return nextView(deps, { ...scope, source, startedAt: deps.clock.now().getTime() });
}

/** The Subscribe button of an offer: subscribes, then opens a session over all the member's decks here. */
export async function subscribeAndStudy(
  deps: Deps,
  userId: string,
  guildId: string | null,
  deckId: string,
): Promise<{ deckName: string; opening: StudyOpening }> {
  const { deck } = await subscribe(deps, userId, guildId, deckId);
  return { deckName: deck.name, opening: await openStudy(deps, userId, guildId, null, "study") };
}
