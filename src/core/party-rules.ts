/**
 * A review party's limits and pace (issue 16), and the order its cards are drawn in. Pure: the service, the
 * command's options and the tests read the same figures.
 */
import { randomOrder } from "./quiz.ts";

export const PARTY_LIMITS = {
  cards: { min: 1, max: 30, default: 10 },
  seconds: { min: 10, max: 120, default: 20 },
  /** Until then only the host may start the lobby; from then on anyone who joined. */
  lobbyCountdownMs: 60_000,
  /** A lobby nobody starts ends by itself after this (the host left, or forgot). */
  lobbyTtlMs: 15 * 60_000,
  /** The reveal stays up this long before the next question. */
  breakMs: 5_000,
  /** Rounds in a row that close with no answer at all: the party ends itself (everyone left). */
  quietRounds: 2,
  /**
   * A round message's answer count is edited at most once per this (real ms): under Discord's per-channel limit
   * (about 5 writes per 5 s), with room left for the reveal and the next round's message.
   */
  editGapMs: 1_500,
} as const;

/** What the group's schedules say about one card: players it is due for, and their lapses on it in all. */
export interface CardNeed {
  due: number;
  lapses: number;
}

/**
 * The deck's positions in the order a party asks them: cards due for the most players first, then those the
 * group forgets most (lapses), ties in an order drawn with `rng`; cards already played this party are left out.
 */
export function partyCardOrder(
  ids: readonly number[],
  need: ReadonlyMap<number, CardNeed>,
  played: ReadonlySet<number>,
  rng: () => number,
): number[] {
  const shuffled = [...randomOrder(ids.length, rng)];
  const rank = new Map(shuffled.map((k, place) => [k, place]));
  const none: CardNeed = { due: 0, lapses: 0 };
  return shuffled
    .filter((k) => !played.has(ids[k] ?? -1))
    .sort((a, b) => {
      const na = need.get(ids[a] ?? -1) ?? none;
      const nb = need.get(ids[b] ?? -1) ?? none;
      return nb.due - na.due || nb.lapses - na.lapses || (rank.get(a) ?? 0) - (rank.get(b) ?? 0);
    });
}
