import { b36, encodeId, fromB36 } from "../core/custom-id.ts";
import { CHOICES } from "../core/quiz.ts";

/**
 * Review party buttons: `pt:j:<party36>` (Join), `pt:s:<party36>` (Start), `pt:a:<party36>:<round36>:<choice>`
 * (answer A–D of one round: a click on an earlier round's message names that round, which is over).
 */
export const PARTY_PREFIX = "pt";

export const partyIds = {
  join: (partyId: number) => encodeId(PARTY_PREFIX, "j", b36(partyId)),
  start: (partyId: number) => encodeId(PARTY_PREFIX, "s", b36(partyId)),
  answer: (partyId: number, round: number, choice: number) =>
    encodeId(PARTY_PREFIX, "a", b36(partyId), b36(round), choice),
};

export type PartyAction =
  | { action: "join" | "start"; partyId: number }
  | { action: "answer"; partyId: number; round: number; choice: number };

export function parsePartyId(customId: string): PartyAction | null {
  const p = customId.split(":");
  if (p[0] !== PARTY_PREFIX) return null;
  const partyId = fromB36(p[2]);
  if (partyId === null) return null;
  if ((p[1] === "j" || p[1] === "s") && p.length === 3)
    return { action: p[1] === "j" ? "join" : "start", partyId };
  const round = fromB36(p[3]);
  const choice = Number(p[4]);
  if (
    p[1] === "a" &&
    p.length === 5 &&
    round !== null &&
    Number.isInteger(choice) &&
    choice >= 0 &&
    choice < CHOICES
  )
    return { action: "answer", partyId, round, choice };
  return null;
}
