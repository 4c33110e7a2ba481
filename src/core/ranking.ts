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

/** Board order: score, then tiebreak (both highest first), then user id. */
export function compareScored(a: Scored, b: Scored): number {
  return (
    b.score - a.score ||
    (b.tiebreak ?? 0) - (a.tiebreak ?? 0) ||
    (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0)
  );
}

export function rank<T extends Scored>(entries: readonly T[]): (T & { rank: number })[] {
  const sorted = [...entries].sort(compareScored);
  let prevScore = Number.NaN;
  let prevRank = 0;
  return sorted.map((e, i) => {
    const r = e.score === prevScore ? prevRank : i + 1;
    prevScore = e.score;
    prevRank = r;
    return { ...e, rank: r };
  });
}

export interface Standing<T extends Scored> {
  /** The first `n` of `rank(entries)`. */
  top: (T & { rank: number })[];
  /** How many entries are ranked. */
  ranked: number;
  /** `userId`'s entry as `rank(entries)` ranks it, if present. */
  mine: (T & { rank: number }) | undefined;
}

/**
 * What a board shows, without ranking everyone: the same as `rank(entries).slice(0, n)`, its length and
 * `rank(entries).find((e) => e.userId === userId)`, in one pass that keeps the best `n` and a second that counts
 * the scores strictly better than the caller's (a rank is 1 + that count).
 */
export function rankTop<T extends Scored>(entries: readonly T[], n: number, userId: string): Standing<T> {
  const best: T[] = []; // sorted, at most n
  let mine: T | undefined;
  for (const e of entries) {
    if (e.userId === userId) mine = e;
    if (n <= 0) continue;
    const last = best[best.length - 1];
    if (best.length === n && last !== undefined && compareScored(e, last) >= 0) continue;
    let i = best.length;
    while (i > 0 && compareScored(e, best[i - 1] as T) < 0) i--;
    best.splice(i, 0, e);
    if (best.length > n) best.pop();
  }
  const top: (T & { rank: number })[] = [];
  for (const [i, e] of best.entries()) {
    const prev = top[i - 1];
    top.push({ ...e, rank: prev !== undefined && prev.score === e.score ? prev.rank : i + 1 });
  }
  let standing: (T & { rank: number }) | undefined;
  if (mine) {
    const score = mine.score;
    let better = 0;
    for (const e of entries) if (e.score > score) better++;
    standing = { ...mine, rank: better + 1 };
  }
  return { top, ranked: entries.length, mine: standing };
}

export const MEDALS: Record<number, string> = { 1: "🥇", 2: "🥈", 3: "🥉" };
