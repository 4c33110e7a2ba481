/** A player's click on A–D: one answer per round, a review for a member who studies the deck. */
import { partyById } from "../../db/parties.ts";
import { recordPartyAnswer, roundOf } from "../../db/party-rounds.ts";
import { deckName } from "../../db/quiz-questions.ts";
import { leechNotice } from "../leech-notice.ts";
import { closeAndReveal, partyReview, recount } from "./game.ts";
import type { PartyRuntime } from "./runtime.ts";

export type AnswerOutcome =
  | { kind: "over"; ended: boolean }
  | { kind: "already"; choice: number | null }
  | {
      kind: "answered";
      choice: number;
      correct: boolean;
      reviewed: boolean;
      studies: boolean;
      deckName: string;
      /** Told once: the answer made the card a leech. */
      notice: string | null;
    };

/**
 * Records the answer (stale buttons of a closed round, or of a party over, answer `over` and change nothing) and
 * asks for the round message's count to be edited; the last player to answer closes the round, with its reveal,
 * before the click is answered (a few statements and one edit), so the answerer sees the reveal as they are told.
 */
export async function answerRound(
  rt: PartyRuntime,
  a: { partyId: number; round: number; userId: string; choice: number },
): Promise<AnswerOutcome> {
  const { db, clock } = rt.deps;
  const r = await recordPartyAnswer(db, a, clock.now(), partyReview(rt));
  if (r.kind === "over") return r;
  if (r.kind === "already") return { kind: "already", choice: r.choice };
  const party = await partyById(db, a.partyId);
  if (r.allIn) {
    const round = await roundOf(db, a.partyId, a.round);
    if (party && round && round.closedAt === null) await closeAndReveal(rt, party, round, clock.now());
  } else recount(rt, a.partyId, a.round);
  return {
    kind: "answered",
    choice: a.choice,
    correct: r.correct,
    reviewed: r.reviewed,
    studies: r.studies,
    deckName: party ? await deckName(db, party.deckId) : "",
    notice: r.leech && party ? leechNotice(r.leech, party.deckId) : null,
  };
}
