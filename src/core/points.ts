/**
 * Leaderboard points, pure. /help states these rules in every language (render/help.ts `pointsRules`, its text in
 * the catalogs' `help.points`) and README in English; keep them in step.
 */
export const POINTS = {
  /** Every review that took at least `minReviewMs`. */
  perReview: 1,
  /** A correct answer to the question of the day (a review logged with source "quiz", not rated Again). */
  quizCorrect: 2,
  /** Once per study day, on its first review, while the member's streak is at least `streakFrom` days. */
  streakBonus: 5,
  streakFrom: 7,
  /** A card answered faster than this counts as a review but earns nothing: no farming by spamming Good. */
  minReviewMs: 1000,
} as const;

/**
 * Where a logged review came from: a `/study` session ("study"), a session started from the daily post's
 * **Start my review** ("daily"), an answer to the question of the day fed into the schedule ("quiz"), an answer
 * in a review party ("party", whose points are the party's own: core/party-scoring.ts), or a review made in Anki
 * and brought by `/deck import import_progress` ("import": the member's history, worth no points).
 */
export type ReviewSource = "study" | "daily" | "quiz" | "party" | "import";

export interface ScoredReview {
  source: ReviewSource;
  rating: number; // 1 = Again
  durationMs: number;
}

/**
 * Points one review earns (the streak bonus comes separately, once per day). A session review, wherever the
 * session started, earns the review point; a quiz answer is not a session review: it earns the quiz's +2 when
 * right and nothing else, the same as a correct answer that is not recorded as a review (services/points.ts).
 */
export function reviewPoints(r: ScoredReview): number {
  if (r.source === "quiz") return r.rating !== 1 ? POINTS.quizCorrect : 0;
  // A review party's answers earn the party's own points when its round closes (core/party-scoring.ts).
  if (r.source === "party") return 0;
  // A review made in Anki before the import (db/imported-progress.ts) earned nothing here.
  if (r.source === "import") return 0;
  return r.durationMs >= POINTS.minReviewMs ? POINTS.perReview : 0;
}

/** The bonus earned on the first review of a study day that brings the streak to `runDays`. */
export function streakBonus(runDays: number): number {
  return runDays >= POINTS.streakFrom ? POINTS.streakBonus : 0;
}
