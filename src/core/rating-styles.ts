/**
 * How a member rates a card: Anki's four buttons (Again / Hard / Good / Easy, the default), or Brainscape's
 * "How well did you know this?" 1–5, the system the user's own deck came from. The five levels map onto FSRS's
 * four grades; what is logged and scheduled is the grade:
 *
 *   1 (not at all) → Again · 2 → Again · 3 → Hard · 4 → Good · 5 (perfectly) → Easy
 *
 * Levels 1 and 2 both mean "I did not know it": FSRS has one grade for a failed recall, so both relearn the card
 * (Brainscape shows both again soon, 1 sooner); 3 is a recall with difficulty, 4 and 5 as Anki's Good and Easy.
 */
import { type Grade, Rating } from "./scheduling.ts";

export type RatingStyle = "anki" | "confidence";
export const RATING_STYLES: readonly RatingStyle[] = ["anki", "confidence"];

export type ConfidenceLevel = 1 | 2 | 3 | 4 | 5;

export const CONFIDENCE_LEVELS: readonly { level: ConfidenceLevel; words: string; grade: Grade }[] = [
  { level: 1, words: "Not at all", grade: Rating.Again },
  { level: 2, words: "", grade: Rating.Again },
  { level: 3, words: "", grade: Rating.Hard },
  { level: 4, words: "", grade: Rating.Good },
  { level: 5, words: "Perfectly", grade: Rating.Easy },
];

export function isConfidenceLevel(n: number): n is ConfidenceLevel {
  return Number.isInteger(n) && n >= 1 && n <= 5;
}
