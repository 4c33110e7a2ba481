import { type ButtonInteraction, ComponentType } from "discord.js";
import { UserError } from "../core/errors.ts";

/**
 * What Discord itself says about the message a button was clicked on. The custom_id is whatever the client sends
 * (a crafted client sends any id), but the message comes from Discord's copy, which no client can change: Discord's
 * docs ask bots to check that a custom_id originates from the received message.
 */
export interface ClickedView {
  /** The custom_id is one of the buttons the bot put on the message as it is now (not a stale or crafted id). */
  onMessage: boolean;
  /** The message was made for the clicker: the interaction that created it was theirs. */
  forClicker: boolean;
  /** How long the message's current version had been on screen when the click was made (ms, Discord's clock). */
  ageMs: number;
}

/** The custom_ids of the buttons on the clicked message, as Discord stores it. */
export function idsOnMessage(i: ButtonInteraction): string[] {
  const ids: string[] = [];
  for (const row of i.message.components)
    if (row.type === ComponentType.ActionRow)
      for (const c of row.components) if (c.customId !== null) ids.push(c.customId);
  return ids;
}

export function clickedView(i: ButtonInteraction): ClickedView {
  const m = i.message;
  return {
    onMessage: idsOnMessage(i).includes(i.customId),
    forClicker: m.interactionMetadata?.user.id === i.user.id,
    // The view's own creation: its last edit, else the message's creation (its id's timestamp).
    ageMs: Math.max(0, i.createdTimestamp - (m.editedTimestamp ?? m.createdTimestamp)),
  };
}

/**
 * The view of a button that may change its own message: the clicked id is one the bot put there, or the message is
 * the clicker's (a click from a view not refreshed yet). Anything else — a crafted id sent against someone else's
 * message — is refused with `refusal` before it can edit that message.
 */
export function ownView(i: ButtonInteraction, refusal: string): ClickedView {
  const view = clickedView(i);
  if (!view.onMessage && !view.forClicker) throw new UserError(refusal);
  return view;
}
