/** A member's answer to the question of the day. */
import { UserError } from "../../core/errors.ts";
import { Rating } from "../../core/scheduling.ts";
import { recordAnswer } from "../../db/quiz-answers.ts";
import type { QuizPostRow } from "../../db/quiz-posts.ts";
import type { Deps } from "../deps.ts";
import { leechNotice } from "../leech-notice.ts";
import { decideWith } from "../study.ts";
import { type PostView, postView } from "./post-view.ts";

export type AnswerResult =
  | {
      kind: "answered";
      post: QuizPostRow;
      choice: number;
      correct: boolean;
      /** The member studies the deck: the answer was recorded as a review (Good or Again). */
      reviewed: boolean;
      subscribed: boolean;
      /** Told once: the answer made the card a leech (leech-notice.ts). */
      notice: string | null;
    }
  | { kind: "already"; post: QuizPostRow; choice: number; correct: boolean }
  | { kind: "closed"; post: QuizPostRow };

/** The answer's result, and the post's view after it (its new tally) unless nothing changed (`already`). */
export type AnswerView = AnswerResult & { view: PostView | null };

/**
 * Records a member's answer once; in the same transaction, feeds their schedule for that card (correct → Good,
 * wrong → Again, source `quiz`) when they study its deck here.
 */
export async function answerQuiz(
  deps: Deps,
  a: { postId: number; guildId: string | null; userId: string; choice: number },
): Promise<AnswerView> {
  const r = await recordAnswer(deps.db, a, deps.clock.now(), (correct) => {
    const grade = correct ? Rating.Good : Rating.Again;
    return { grade, decide: decideWith(deps, grade) };
  });
  switch (r.kind) {
    case "gone":
      throw new UserError("This quiz is no longer available.");
    case "bad-choice":
      throw new UserError("That is not one of the choices.");
    case "already":
      return { ...r, view: null };
    case "closed":
      return { kind: "closed", post: r.post, view: postView(r.post, r.tally) };
    case "answered": {
      const { tally, leech, ...rest } = r;
      const notice = leech && rest.post.deckId !== null ? leechNotice(leech, rest.post.deckId) : null;
      return { ...rest, notice, view: postView(r.post, tally) };
    }
  }
}
