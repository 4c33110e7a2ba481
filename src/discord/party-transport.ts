import { type APIChannel, type APIMessage, ChannelType, type Client, Routes } from "discord.js";
import type { T } from "../i18n/translate.ts";
import { renderLobby, renderPodium, renderRound } from "../render/party-view.ts";
import { postTranslator } from "../render/post-language.ts";
import type { PartyMessage, PartyTransport } from "../services/party/transport.ts";
import { call, serverLocale } from "./quiz-transport.ts";

/** One hour of quiet archives a party's thread (Discord's shortest choice): a party is never idle that long. */
const ARCHIVE_MINUTES = 60;

/** A party's messages are public: in the server's language (its Discord setting), else English. */
function render(m: PartyMessage, t: T) {
  if (m.kind === "lobby") return renderLobby(m.view, t);
  if (m.kind === "round") return renderRound(m.view, t);
  return renderPodium(m.view, t);
}

/**
 * A party's messages through discord.js's REST manager (its per-route queues and 429 handling); failures become
 * SendFailures with Discord's code, which the party services read (PARTY_FAULT_CODES).
 */
export function discordPartyTransport(client: Client): PartyTransport {
  return {
    async startThread(channelId, name) {
      const thread = await call<APIChannel>(() =>
        client.rest.post(Routes.threads(channelId), {
          body: { name, type: ChannelType.PublicThread, auto_archive_duration: ARCHIVE_MINUTES },
        }),
      );
      return thread.id;
    },
    async send(channelId, m, nonce) {
      const t = postTranslator({ locale: null }, serverLocale(client, channelId));
      const body = nonce === undefined ? render(m, t) : { ...render(m, t), nonce, enforce_nonce: true };
      const msg = await call<APIMessage>(() => client.rest.post(Routes.channelMessages(channelId), { body }));
      return msg.id;
    },
    async edit(channelId, messageId, m) {
      const t = postTranslator({ locale: null }, serverLocale(client, channelId));
      await call(() =>
        client.rest.patch(Routes.channelMessage(channelId, messageId), { body: render(m, t) }),
      );
    },
  };
}
