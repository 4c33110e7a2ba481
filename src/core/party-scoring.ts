/**
 * A review party's scoring (issue 16): `race` pays the first correct answer of a round most and each later correct
 * one less, down to a floor; `everyone` pays every correct answer the same. A wrong answer, or none, earns nothing
 * (it is still a review: Again). Pure, so the round's close and its tests agree on every figure.
 */

export type PartyMode = "race" | "everyone";

export const PARTY_POINTS = {
  /** `race`: the first correct answer, then each next one `raceStep` less, never under `raceFloor`. */
  raceFirst: 10,
  raceStep: 2,
  raceFloor: 4,
  /** `everyone`: each correct answer. */
  everyone: 6,
} as const;

/** What one answer of a round earns: `order` is its place among the round's correct answers (0 = first). */
export function answerPoints(mode: PartyMode, correct: boolean, order: number): number {
  if (!correct) return 0;
  if (mode === "everyone") return PARTY_POINTS.everyone;
  return Math.max(PARTY_POINTS.raceFloor, PARTY_POINTS.raceFirst - PARTY_POINTS.raceStep * order);
}

export interface RoundAnswer {
  userId: string;
  correct: boolean;
  /** The answer's place in the order answers were recorded (1, 2, …): two clicks can share a millisecond. */
  seq: number;
}

/** A round's points per member, in the order the answers came. */
export function roundPoints(mode: PartyMode, answers: readonly RoundAnswer[]): Map<string, number> {
  const ordered = [...answers].sort((a, b) => a.seq - b.seq);
  const out = new Map<string, number>();
  let place = 0;
  for (const a of ordered) {
    out.set(a.userId, answerPoints(mode, a.correct, a.correct ? place : 0));
    if (a.correct) place++;
  }
  return out;
}

export interface Standing {
  userId: string;
  points: number;
  /** Correct answers, the first tie-break; then the earliest to reach the points, then the user id. */
  correct: number;
  reachedAt: number;
}

/** The scoreboard: most points first; equal points by more correct answers, then who got there first. */
export function standings(rows: readonly Standing[]): Standing[] {
  return [...rows].sort(
    (a, b) =>
      b.points - a.points ||
      b.correct - a.correct ||
      a.reachedAt - b.reachedAt ||
      (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0),
  );
}
