/** The view models a party's messages are rendered from (src/render/party-view.ts), read from the database. */
import type { PartyMode, Standing } from "../../core/party-scoring.ts";
import { standings } from "../../core/party-scoring.ts";
import type { Db } from "../../db/client.ts";
import type { Party } from "../../db/parties.ts";
import { players } from "../../db/parties.ts";
import { type PartyRound, roundAnswers, roundProgress } from "../../db/party-rounds.ts";
import { cardFront, deckName } from "../../db/quiz-questions.ts";

export interface PartyHead {
  partyId: number;
  deckName: string;
  hostId: string;
  mode: PartyMode;
  cards: number;
  seconds: number;
}

export interface LobbyView extends PartyHead {
  status: Party["status"];
  /** Rounds played (the podium is posted only after one). */
  rounds: number;
  players: string[];
  /** Anyone who joined may start from then on (ms). */
  startableAt: number;
  /** The lobby ends by itself then (ms). */
  expiresAt: number | null;
  endedReason: string | null;
}

export interface RoundResult {
  userId: string;
  choice: number | null;
  correct: boolean;
  points: number;
}

export interface RoundView extends PartyHead {
  round: number;
  front: string;
  choices: string[];
  closesAt: number;
  answered: number;
  players: number;
  /** Set once the round closed: the answer, who got it, and the scoreboard so far. */
  reveal: { correctIndex: number; results: RoundResult[]; standings: Standing[] } | null;
}

export interface PodiumView extends PartyHead {
  rounds: number;
  standings: Standing[];
  /** Why it ended, when not by its last round. */
  endedReason: string | null;
}

async function head(db: Db, p: Party): Promise<PartyHead> {
  return {
    partyId: p.id,
    deckName: await deckName(db, p.deckId),
    hostId: p.hostId,
    mode: p.mode,
    cards: p.cards,
    seconds: p.seconds,
  };
}

export async function scoreboard(db: Db, partyId: number): Promise<Standing[]> {
  return standings(
    (await players(db, partyId)).map((p) => ({
      userId: p.userId,
      points: p.points,
      correct: p.correct,
      reachedAt: p.reachedAt,
    })),
  );
}

export async function lobbyView(db: Db, p: Party): Promise<LobbyView> {
  return {
    ...(await head(db, p)),
    status: p.status,
    rounds: p.round,
    players: (await players(db, p.id)).map((x) => x.userId),
    startableAt: p.startableAt,
    expiresAt: p.status === "lobby" ? p.wakeAt : null,
    endedReason: p.endedReason,
  };
}

export async function roundView(db: Db, p: Party, r: PartyRound): Promise<RoundView> {
  const progress = await roundProgress(db, p.id, r.round);
  let reveal: RoundView["reveal"] = null;
  if (r.closedAt !== null) {
    const results = (await roundAnswers(db, p.id, r.round)).map((a) => ({
      userId: a.userId,
      choice: a.choice,
      correct: a.correct,
      points: a.points,
    }));
    reveal = { correctIndex: r.correctIndex, results, standings: await scoreboard(db, p.id) };
  }
  return {
    ...(await head(db, p)),
    round: r.round,
    front: await cardFront(db, r.cardId),
    choices: r.choices.map((c) => c.text),
    closesAt: r.closesAt,
    answered: progress.answered,
    players: progress.players,
    reveal,
  };
}

export async function podiumView(db: Db, p: Party): Promise<PodiumView> {
  return {
    ...(await head(db, p)),
    rounds: p.round,
    standings: await scoreboard(db, p.id),
    endedReason: p.endedReason === "finished" ? null : p.endedReason,
  };
}
