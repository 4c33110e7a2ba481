/**
 * How a day's post reaches Discord, as the quiz services see it: an injected `QuizTransport` (discord.js in
 * production, src/discord/quiz-transport.ts; a fake in unit tests), so the services know nothing of payloads.
 */
import { b36 } from "../../core/custom-id.ts";
import type { StoredImage } from "../card-image.ts";
import type { PostView } from "./post-view.ts";

/** A send that Discord refused or that could not be made; `reason` is what `/quiz status` shows. */
export class SendFailure extends Error {
  override name = "SendFailure";
  constructor(
    readonly reason: string,
    readonly code: number | null = null,
  ) {
    super(reason);
  }
}

export interface QuizTransport {
  /**
   * Posts a day's quiz; resolves with the message id. `nonce` is the same for every attempt of one post. The
   * question's image, if its card has one, goes as the message's attachment (edits keep it: they send none).
   */
  post(channelId: string, view: PostView, nonce: string, image?: StoredImage | null): Promise<string>;
  /** Re-renders a post already sent (tally, or closed with its answer). */
  edit(channelId: string, messageId: string, view: PostView): Promise<void>;
  /** After an interrupted send: the id of a message of ours in the channel that already carries this post. */
  findPosted(channelId: string, postId: number): Promise<string | null>;
}

export const postNonce = (postId: number) => `quiz${b36(postId)}`;
