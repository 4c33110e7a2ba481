import { Rating } from "../../src/core/scheduling.ts";
import { tx } from "../../src/db/client.ts";
import { quizConfig } from "../../src/db/quiz-configs.ts";
import { subscribe } from "../../src/services/decks.ts";
import type { Deps } from "../../src/services/deps.ts";
import type { PostView } from "../../src/services/quiz/post-view.ts";
import { type QuizTransport, SendFailure } from "../../src/services/quiz/transport.ts";
import { recordReview } from "../helpers/reviews.ts";

export interface Sent {
  channelId: string;
  view: PostView;
  nonce: string;
  id: string;
}

let nextMessageId = 5000;

/** A QuizTransport that records what it was asked to send; failures and delays on demand. */
export function fakeTransport() {
  const sent: Sent[] = [];
  const edits: { channelId: string; messageId: string; view: PostView }[] = [];
  const state = {
    fail: (_channelId: string): SendFailure | null => null,
    delayMs: 0,
    /** Pretend the message is accepted but the response is lost (the process "dies" mid-send). */
    loseResponse: false,
  };
  const transport: QuizTransport = {
    async post(channelId, view, nonce) {
      if (state.delayMs) await new Promise((r) => setTimeout(r, state.delayMs));
      const f = state.fail(channelId);
      if (f) throw f;
      const id = String(nextMessageId++);
      sent.push({ channelId, view, nonce, id });
      if (state.loseResponse) throw new Error("socket hang up");
      return id;
    },
    async edit(channelId, messageId, view) {
      edits.push({ channelId, messageId, view });
    },
    async findPosted(channelId, postId) {
      return sent.find((s) => s.channelId === channelId && s.view.postId === postId)?.id ?? null;
    },
  };
  return { transport, sent, edits, state };
}

export const deletedChannel = () =>
  new SendFailure("the channel was deleted (Unknown Channel, 10003)", 10003);
export const missingPermission = () =>
  new SendFailure("the bot lacks permission to post there (Missing Permissions, 50013)", 50013);

/** Makes `userId` a studying member of `guildId` with these cards of `deckId` reviewed there (Easy: due in days). */
export async function studyCards(
  deps: Deps,
  userId: string,
  guildId: string,
  deckId: string,
  cardIds: number[],
  grade: Rating.Again | Rating.Good | Rating.Easy = Rating.Easy,
) {
  await subscribe(deps, userId, guildId, deckId);
  await tx(deps.db, async (t) => {
    for (const cardId of cardIds)
      await recordReview(
        { ...deps, db: t },
        {
          userId,
          guildId,
          cardId,
          grade,
          source: "study",
          shownAt: deps.clock.now().getTime(),
          version: null,
        },
      );
  });
}

export async function nextRun(deps: Deps, guildId: string) {
  const c = await quizConfig(deps.db, guildId);
  return c ? { date: c.nextDate, at: new Date(c.nextRunAt).toISOString() } : undefined;
}
