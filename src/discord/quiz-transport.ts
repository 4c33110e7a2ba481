import { type APIMessage, type Client, DiscordAPIError, HTTPError, Routes } from "discord.js";
import { cardImageName } from "../render/card-image.ts";
import { postTranslator } from "../render/post-language.ts";
import { isQuizPostComponent } from "../render/quiz-ids.ts";
import { renderPost } from "../render/quiz-view.ts";
import type { StoredImage } from "../services/card-image.ts";
import type { PostView } from "../services/quiz/post-view.ts";
import { type QuizTransport, SendFailure } from "../services/quiz/transport.ts";

/** Discord error codes a quiz channel can run into, as `/quiz status` words them. */
const KNOWN: Record<number, string> = {
  10003: "the channel was deleted (Unknown Channel, 10003)",
  10004: "the bot is no longer in this server (Unknown Guild, 10004)",
  50001: "the bot cannot see the channel (Missing Access, 50001)",
  50013: "the bot lacks permission to post there (Missing Permissions, 50013)",
};

/** Turns whatever discord.js threw into a SendFailure with a reason a server admin can act on. */
export function describeSendError(err: unknown): SendFailure {
  if (err instanceof SendFailure) return err;
  if (err instanceof DiscordAPIError) {
    const code = typeof err.code === "number" ? err.code : null;
    const known = code !== null ? KNOWN[code] : undefined;
    return new SendFailure(
      known ?? `Discord refused the message (${err.status} ${err.code}: ${err.message})`,
      code,
    );
  }
  if (err instanceof HTTPError) return new SendFailure(`Discord error ${err.status} (${err.message})`);
  return new SendFailure(`could not reach Discord (${err instanceof Error ? err.message : String(err)})`);
}

/** The server's language as this shard's cache knows it (its GUILD_CREATE), for a post in one of its channels. */
export function serverLocale(client: Client, channelId: string): string | undefined {
  const channel = client.channels.cache.get(channelId);
  return channel && "guild" in channel ? channel.guild.preferredLocale : undefined;
}

/** A REST call whose failure comes out as a SendFailure (the quiz's and the review party's transports). */
export async function call<T>(fn: () => Promise<unknown>): Promise<T> {
  try {
    return (await fn()) as T;
  } catch (err) {
    throw describeSendError(err);
  }
}

/**
 * Sends quiz posts through discord.js's REST manager (its queue and rate-limit handling), so a tick over many
 * servers never bursts past Discord's limits. Every attempt of one post carries the same nonce with
 * `enforce_nonce`, so Discord itself drops a duplicate sent within its dedupe window.
 */
export function discordTransport(client: Client): QuizTransport {
  return {
    async post(channelId: string, view: PostView, nonce: string, image?: StoredImage | null) {
      const name = image ? cardImageName(image) : null;
      const body = {
        ...renderPost(view, { ping: true, t: postTranslator(view, serverLocale(client, channelId)) }),
        nonce,
        enforce_nonce: true,
        ...(name !== null && { attachments: [{ id: 0, filename: name }] }),
      };
      const files =
        image && name !== null ? [{ name, data: image.bytes, contentType: image.mime }] : undefined;
      const msg = await call<APIMessage>(() =>
        client.rest.post(Routes.channelMessages(channelId), { body, ...(files && { files }) }),
      );
      return msg.id;
    },
    async edit(channelId: string, messageId: string, view: PostView) {
      await call(() =>
        client.rest.patch(Routes.channelMessage(channelId, messageId), {
          body: renderPost(view, { t: postTranslator(view, serverLocale(client, channelId)) }),
        }),
      );
    },
    async findPosted(channelId: string, postId: number) {
      const list = await call<APIMessage[]>(() =>
        client.rest.get(Routes.channelMessages(channelId), { query: new URLSearchParams({ limit: "50" }) }),
      );
      const me = client.user?.id;
      const mine = list.find(
        (m) =>
          m.author.id === me &&
          (m.components ?? []).some(
            (r) =>
              "components" in r &&
              r.components.some((c) => "custom_id" in c && isQuizPostComponent(c.custom_id, postId)),
          ),
      );
      return mine?.id ?? null;
    },
  };
}
