/** The view model a day's post is rendered from (src/render/quiz-view.ts `renderPost`). */

import { type Tally, tally } from "../../db/quiz-answers.ts";
import { getPostById, type QuizPostRow } from "../../db/quiz-posts.ts";
import type { Deps } from "../deps.ts";
import { DUE_CARDS_CAP } from "./day.ts";

export interface PostView {
  postId: number;
  date: string;
  dueMembers: number;
  /** Cards due; with `dueCardsCapped`, at least this many (counting stopped at DUE_CARDS_CAP). */
  dueCards: number;
  dueCardsCapped: boolean;
  /** Members pinged in the mention line (opted in, with cards due), and how many more were left out. */
  pinged: string[];
  pingedMore: number;
  question: { deckName: string; front: string; choices: string[]; correctIndex: number } | null;
  answered: number;
  correct: number;
  /** The next day's post went out: show the answer, disable the buttons. */
  closed: boolean;
  /** The post's language as set when it was claimed (`/quiz setup language:`); null: the server's own. */
  locale: string | null;
}

/** A post row with its tally, as the post shows it. */
export function postView(p: QuizPostRow, t: Tally): PostView {
  const q =
    p.front !== null && p.choices && p.correctIndex !== null
      ? {
          deckName: p.deckName ?? p.deckId ?? "",
          front: p.front,
          choices: p.choices.map((c) => c.text),
          correctIndex: p.correctIndex,
        }
      : null;
  return {
    postId: p.id,
    date: p.localDate,
    dueMembers: p.dueMembers,
    dueCards: Math.min(p.dueCards, DUE_CARDS_CAP),
    dueCardsCapped: p.dueCards >= DUE_CARDS_CAP,
    pinged: p.pinged,
    pingedMore: p.pingedMore,
    question: q,
    answered: t.answered,
    correct: t.correct,
    closed: p.closedAt !== null,
    locale: p.locale,
  };
}

/** The current view of a post, or null when it is gone. */
export async function viewOfPost(deps: Pick<Deps, "db">, postId: number): Promise<PostView | null> {
  const p = await getPostById(deps.db, postId);
  return p ? postView(p, await tally(deps.db, p.id)) : null;
}
