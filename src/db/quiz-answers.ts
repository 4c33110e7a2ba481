/**
 * Members' answers to a question of the day (`quiz_answers`): the tally a post shows, and "record this answer",
 * the unit of work that also feeds the member's schedule and the leaderboard.
 */
import { and, count, eq, sql } from "drizzle-orm";
import type { Grade } from "../core/scheduling.ts";
import { type Db, tx } from "./client.ts";
import { studiesDeckHere } from "./decks.ts";
import { once, perConnection } from "./prepared.ts";
import { postByIdOf, type QuizPostRow } from "./quiz-posts.ts";
import { awardQuizPoints } from "./review-stats.ts";
import { type DecideReview, writeReview } from "./reviews.ts";
import { quizAnswers } from "./schema.ts";

export interface Tally {
  answered: number;
  correct: number;
}

const statements = perConnection((db) => ({
  tally: db
    .select({ answered: count(), correct: sql<number | null>`sum(${quizAnswers.correct})` })
    .from(quizAnswers)
    .where(eq(quizAnswers.postId, sql.placeholder("postId")))
    .prepare(),
  answer: db
    .select()
    .from(quizAnswers)
    .where(
      and(
        eq(quizAnswers.postId, sql.placeholder("postId")),
        eq(quizAnswers.userId, sql.placeholder("userId")),
      ),
    )
    .prepare(),
}));

/** A post's answers and how many were right; synchronous, for the units of work of src/db. */
export async function tallyOf(db: Db, postId: number): Promise<Tally> {
  const r = await statements(db).tally.get({ postId });
  return { answered: r?.answered ?? 0, correct: r?.correct ?? 0 };
}

export async function tally(db: Db, postId: number): Promise<Tally> {
  return tallyOf(db, postId);
}

export interface AnswerInput {
  postId: number;
  guildId: string | null;
  userId: string;
  choice: number;
}

/** What recording an answer found; a post answered or closed comes with its tally after the answer. */
export type AnswerRecord =
  | { kind: "gone" }
  | { kind: "bad-choice" }
  | { kind: "already"; post: QuizPostRow; choice: number; correct: boolean }
  | { kind: "closed"; post: QuizPostRow; tally: Tally }
  | {
      kind: "answered";
      post: QuizPostRow;
      tally: Tally;
      choice: number;
      correct: boolean;
      reviewed: boolean;
      subscribed: boolean;
      /** The answer, as a review, made the card a leech (reviews.ts). */
      leech: { lapses: number; suspended: boolean } | null;
    };

/**
 * "Record this answer", once per member and post, in one transaction: when the member studies the card's deck
 * here, the answer is written as a review (`review(correct)`: the grade and its FSRS decision, source `quiz`)
 * with its points; otherwise a right answer earns the quiz points alone. Gives the post with its tally after the answer.
 */
export async function recordAnswer(
  db: Db,
  a: AnswerInput,
  now: Date,
  review: (correct: boolean) => { grade: Grade; decide: DecideReview },
): Promise<AnswerRecord> {
  return tx(
    db,
    async (t): Promise<AnswerRecord> => {
      const post = await postByIdOf(t, a.postId);
      if (
        !post ||
        post.guildId !== a.guildId ||
        post.correctIndex === null ||
        !post.choices ||
        post.cardId === null
      )
        return { kind: "gone" };
      if (!Number.isInteger(a.choice) || a.choice < 0 || a.choice >= post.choices.length)
        return { kind: "bad-choice" };
      const existing = await statements(t).answer.get({ postId: post.id, userId: a.userId });
      if (existing) return { kind: "already", post, choice: existing.choice, correct: existing.correct };
      if (post.closedAt !== null) return { kind: "closed", post, tally: await tallyOf(t, post.id) };
      const correct = a.choice === post.correctIndex;
      const deckId = post.deckId;
      const subscribed = deckId !== null && (await studiesDeckHere(t, a.userId, a.guildId, deckId));
      const r = subscribed ? review(correct) : null;
      const written =
        r !== null &&
        (await writeReview(
          t,
          {
            userId: a.userId,
            guildId: a.guildId,
            cardId: post.cardId,
            grade: r.grade,
            source: "quiz",
            shownAt: now.getTime(),
            version: null,
          },
          now,
          r.decide,
        ));
      const reviewed = written !== false;
      // Leaderboard: a reviewed answer earned its points in writeReview; any other correct answer earns them here.
      if (!reviewed)
        await awardQuizPoints(t, { guildId: a.guildId, userId: a.userId, at: now.getTime(), correct });
      const res = await once(t, (b) =>
        b
          .insert(quizAnswers)
          .values({ postId: post.id, userId: a.userId, choice: a.choice, correct, reviewed, answeredAt: now })
          .onConflictDoNothing()
          .prepare(),
      ).run();
      if (res.changes === 0)
        throw new Error("answer raced inside its transaction (the member's lock is held)");
      return {
        kind: "answered",
        post,
        tally: await tallyOf(t, post.id),
        choice: a.choice,
        correct,
        reviewed,
        subscribed,
        leech: written === false ? null : written.leech,
      };
    },
    { lockKey: a.userId },
  );
}
