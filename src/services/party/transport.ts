/**
 * How a review party reaches Discord, as the party services see it: an injected `PartyTransport` (discord.js in
 * production, src/discord/party-transport.ts), taking view models (views.ts) so the services know no payloads.
 * Failures come as quiz/transport.ts's SendFailure, with Discord's code when it gave one.
 */
import { SendFailure } from "../quiz/transport.ts";
import type { LobbyView, PodiumView, RoundView } from "./views.ts";

export type PartyMessage =
  | { kind: "lobby"; view: LobbyView }
  | { kind: "round"; view: RoundView }
  | { kind: "podium"; view: PodiumView };

export interface PartyTransport {
  /** Starts a public thread in a text channel; resolves with its id. */
  startThread(channelId: string, name: string): Promise<string>;
  /**
   * Posts a message in the party's thread; resolves with its id. `nonce`: the same for every attempt of one
   * message, so Discord drops a duplicate a retry would make.
   */
  send(channelId: string, message: PartyMessage, nonce?: string): Promise<string>;
  edit(channelId: string, messageId: string, message: PartyMessage): Promise<void>;
}

/**
 * Discord's answers that mean the party cannot go on there: the thread or channel is gone (10003), the message is
 * gone (10008), the bot lost access or permission (50001, 50013), the thread was archived or locked (50083,
 * 160005). The party then ends once, logged, and nothing retries.
 */
export const PARTY_FAULT_CODES: ReadonlySet<number> = new Set([10003, 10008, 50001, 50013, 50083, 160005]);

/** Whatever a transport threw, as a SendFailure (the discord.js transport throws nothing else). */
export function asFailure(err: unknown): SendFailure {
  return err instanceof SendFailure ? err : new SendFailure(err instanceof Error ? err.message : String(err));
}
