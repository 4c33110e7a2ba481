import { type APIChannel, type APIMessage, ChannelType, type Client, Routes } from "discord.js";
import { renderLobby, renderPodium, renderRound } from "../render/party-view.ts";
import type { PartyMessage, PartyTransport } from "../services/party/transport.ts";
import { call } from "./quiz-transport.ts";

/** One hour of quiet archives a party's thread (Discord's shortest choice): a party is never idle that long. */
const ARCHIVE_MINUTES = 60;

function render(m: PartyMessage) {
  if (m.kind === "lobby") return renderLobby(m.view);
  if (m.kind === "round") return renderRound(m.view);
  return renderPodium(m.view);
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
      const body = nonce === undefined ? render(m) : { ...render(m), nonce, enforce_nonce: true };
      const msg = await call<APIMessage>(() => client.rest.post(Routes.channelMessages(channelId), { body }));
      return msg.id;
    },
    async edit(channelId, messageId, m) {
      await call(() => client.rest.patch(Routes.channelMessage(channelId, messageId), { body: render(m) }));
    },
  };
}
