/**
 * Re-do today's misses: after a session, a practice round over exactly the cards the member rated Again this study
 * day, repeated until each is answered Good or they stop. It moves no FSRS schedule and earns no points: each
 * answer is a review_logs line with source "practice" and nothing else (db/practice.ts).
 */

import { UserError } from "../core/errors.ts";
import { MAX_ANSWER_MS } from "../core/scheduling.ts";
import { memberStudyDay } from "../db/daily-limits.ts";
import { recordPractice, todaysMisses } from "../db/practice.ts";
import { cardContent } from "../db/study-queue.ts";
import { imageOf, type StoredImage } from "./card-image.ts";
import type { Deps } from "./deps.ts";

/** A round: whose, where, and when it started (the "answered Good" that count are the round's own). */
export interface PracticeRound {
  userId: string;
  guildId: string | null;
  startedAt: number;
}

export interface PracticeCardView {
  kind: "practice-card";
  round: PracticeRound;
  cardId: number;
  deckName: string;
  front: string;
  back: string | null;
  /** Practice answers this card has had in the round: the buttons' version. */
  answers: number;
  shownAt: number;
  /** Cards still to answer Good, this one included. */
  left: number;
  notice: string | null;
  /** The card's image for this side (services/card-image.ts), or null. */
  image: StoredImage | null;
}

export interface PracticeDoneView {
  kind: "practice-done";
  round: PracticeRound;
  stopped: boolean;
  /** Cards still missed (when stopped). */
  left: number;
  notice: string | null;
}

export type PracticeView = PracticeCardView | PracticeDoneView;

const NOT_IN_ROUND = "That card is not one of today's misses any more — here is the next one.";

async function misses(deps: Deps, round: PracticeRound) {
  const { start } = await memberStudyDay(deps.db, round.userId, round.guildId, round.startedAt);
  return todaysMisses(deps.db, round.userId, start, round.startedAt);
}

/** How many cards the member rated Again today (the summary's Re-do offer; 0: no offer). */
export async function missesToday(deps: Deps, userId: string, guildId: string | null): Promise<number> {
  return (await misses(deps, { userId, guildId, startedAt: deps.clock.now().getTime() })).length;
}

async function cardView(
  deps: Deps,
  round: PracticeRound,
  miss: { cardId: number; answers: number },
  left: number,
  o: { showAnswer: boolean; shownAt: number; notice: string | null },
): Promise<PracticeCardView> {
  const card = await cardContent(deps.db, miss.cardId);
  if (!card) throw new Error(`card ${miss.cardId} vanished`);
  return {
    kind: "practice-card",
    round,
    cardId: miss.cardId,
    deckName: card.deckName,
    front: card.front,
    back: o.showAnswer ? card.back : null,
    answers: miss.answers,
    shownAt: o.shownAt,
    left,
    notice: o.notice,
    image: await imageOf(deps, card, o.showAnswer ? "answer" : "question"),
  };
}

/** The round's next card, or its end when every miss has been answered Good. */
export async function practiceNext(
  deps: Deps,
  round: PracticeRound,
  notice: string | null = null,
): Promise<PracticeView> {
  const left = await misses(deps, round);
  const next = left[0];
  if (!next) return { kind: "practice-done", round, stopped: false, left: 0, notice };
  return cardView(deps, round, next, left.length, {
    showAnswer: false,
    shownAt: deps.clock.now().getTime(),
    notice,
  });
}

/** **Re-do today's misses** on a session's summary: a round starting now. */
export async function startPractice(
  deps: Deps,
  userId: string,
  guildId: string | null,
): Promise<PracticeView> {
  const round = { userId, guildId, startedAt: deps.clock.now().getTime() };
  const view = await practiceNext(deps, round);
  if (view.kind === "practice-done") throw new UserError("You have no misses left today: nothing to re-do.");
  return view;
}

/** Show answer in a round, while the click matches the card's place in it. */
export async function practiceShow(
  deps: Deps,
  round: PracticeRound,
  cardId: number,
  answers: number,
  shownAt: number,
): Promise<PracticeView> {
  const left = await misses(deps, round);
  const miss = left.find((m) => m.cardId === cardId);
  if (!miss || miss.answers !== answers) return practiceNext(deps, round, NOT_IN_ROUND);
  return cardView(deps, round, miss, left.length, { showAnswer: true, shownAt, notice: null });
}

/**
 * A practice answer: Again (the card comes round again) or Good (it leaves the round). Logged as "practice", with no
 * schedule change and no points; a doubled or stale click records nothing.
 */
export async function practiceAnswer(
  deps: Deps,
  round: PracticeRound,
  cardId: number,
  answers: number,
  rating: 1 | 3,
  shownAt: number,
): Promise<PracticeView> {
  const left = await misses(deps, round);
  if (!left.some((m) => m.cardId === cardId)) return practiceNext(deps, round, NOT_IN_ROUND);
  const at = deps.clock.now().getTime();
  const recorded = await recordPractice(deps.db, {
    userId: round.userId,
    guildId: round.guildId,
    cardId,
    rating,
    answers,
    roundStart: round.startedAt,
    at,
    durationMs: Math.min(MAX_ANSWER_MS, Math.max(0, at - shownAt)),
  });
  return practiceNext(
    deps,
    round,
    recorded ? null : "That card was already answered — here is the next one.",
  );
}

/** Stop: the round ends, saying how many misses are left. */
export async function practiceStop(deps: Deps, round: PracticeRound): Promise<PracticeDoneView> {
  return {
    kind: "practice-done",
    round,
    stopped: true,
    left: (await misses(deps, round)).length,
    notice: null,
  };
}
