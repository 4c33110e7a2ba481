import {
  type APIActionRowComponent,
  type APIButtonComponent,
  type APIEmbed,
  type ButtonStyle,
  ComponentType,
} from "discord.js";
import { encodeId } from "../core/custom-id.ts";
import { LIMITS, type NO_PINGS } from "./limits.ts";

/** The payload pieces every view shares: a message, its embed colours, buttons and rows within Discord's limits. */

export const COLORS = { study: 0x5865f2, done: 0x57f287, info: 0x4f545c } as const;

export interface MessagePayload {
  content?: string;
  embeds: APIEmbed[];
  components: APIActionRowComponent<APIButtonComponent>[];
  allowed_mentions: typeof NO_PINGS;
  /** A card's image (render/card-image.ts); `attachments: []` drops the message's earlier files on an update. */
  files?: { attachment: Buffer; name: string }[];
  attachments?: [];
}

export function button(
  customId: string,
  label: string,
  style: ButtonStyle,
  disabled = false,
): APIButtonComponent {
  return {
    type: ComponentType.Button,
    custom_id: encodeId(customId),
    label: label.slice(0, LIMITS.buttonLabel),
    style: style as ButtonStyle.Primary,
    disabled,
  };
}

export function row(buttons: APIButtonComponent[]): APIActionRowComponent<APIButtonComponent> {
  return { type: ComponentType.ActionRow, components: buttons.slice(0, LIMITS.buttonsPerRow) };
}
