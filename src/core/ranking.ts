/** Leaderboard ranking, pure: highest score first, ties share a rank (standard competition ranking: 1, 1, 3). */

export interface Scored {
  userId: string;
  /** What is ranked; equal scores share a rank. Use integers (e.g. per-mille) so displayed ties are real ties. */
  score: number;
  /** Orders equal scores for display only (higher first), e.g. review count behind an accuracy. */
  tiebreak?: number;
}

export interface Ranked extends Scored {
  rank: number;
}

export function rank<T extends Scored>(entries: readonly T[]): (T & { rank: number })[] {
  const sorted = [...entries].sort(
    (a, b) =>
      b.score - a.score ||
      (b.tiebreak ?? 0) - (a.tiebreak ?? 0) ||
      (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0),
  );
  let prevScore = Number.NaN;
  let prevRank = 0;
  return sorted.map((e, i) => {
    const r = e.score === prevScore ? prevRank : i + 1;
    prevScore = e.score;
    prevRank = r;
    return { ...e, rank: r };
  });
}

export const MEDALS: Record<number, string> = { 1: "🥇", 2: "🥈", 3: "🥉" };
