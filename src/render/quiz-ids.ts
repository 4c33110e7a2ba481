import { b36, encodeId, fromB36 } from "../core/custom-id.ts";
import { CHOICES } from "../core/quiz.ts";

/**
 * Quiz buttons: `qz:a:<post36>:<choice>` (answer A–D) and `qz:r:<post36>` (Start my review). The post id also
 * lets the bot recognise its own message after an interrupted send. The guild comes from the interaction.
 */
export const QUIZ_PREFIX = "qz";

export const quizIds = {
  answer: (postId: number, choice: number) => encodeId(QUIZ_PREFIX, "a", b36(postId), choice),
  review: (postId: number) => encodeId(QUIZ_PREFIX, "r", b36(postId)),
};

export type QuizAction =
  | { action: "answer"; postId: number; choice: number }
  | { action: "review"; postId: number };

export function parseQuizId(customId: string): QuizAction | null {
  const p = customId.split(":");
  if (p[0] !== QUIZ_PREFIX) return null;
  const postId = fromB36(p[2]);
  if (postId === null) return null;
  if (p[1] === "r" && p.length === 3) return { action: "review", postId };
  const choice = Number(p[3]);
  if (p[1] === "a" && p.length === 4 && Number.isInteger(choice) && choice >= 0 && choice < CHOICES)
    return { action: "answer", postId, choice };
  return null;
}

/** Whether a message's components belong to quiz post `postId` (any of its buttons carries the id). */
export function isQuizPostComponent(customId: string, postId: number): boolean {
  const p = customId.split(":");
  return p[0] === QUIZ_PREFIX && p[2] === b36(postId);
}
