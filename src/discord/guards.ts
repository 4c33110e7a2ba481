import {
  type ChatInputCommandInteraction,
  type GuildBasedChannel,
  type Interaction,
  PermissionFlagsBits,
} from "discord.js";
import { UserError } from "../core/errors.ts";
import { english, type MessageKey, type T } from "../i18n/translate.ts";

/** A permission the bot needs, with the name Discord's settings show for it. */
export type NamedPermission = readonly [bit: bigint, name: string];

/**
 * What a command requires before its handler runs, declared once on the Command and checked by the router, so no
 * handler writes these checks by hand.
 */
export interface Guards {
  /** Only in a server: a DM (or a user-installed context) gets this message (in the member's language). */
  inServer?: MessageKey;
  /**
   * The member needs Manage Server, for every subcommand or only the listed ones. Discord hides such commands by
   * `default_member_permissions`, but server admins can override that: this is the run-time check behind it.
   */
  manageServer?: { message: MessageKey; subcommands?: readonly string[] };
  /** The channel given by this option must be one the bot can post in, with these permissions of its own. */
  botCanPostIn?: { option: string; needs: readonly NamedPermission[] };
}

export const POST_PERMISSIONS: readonly NamedPermission[] = [
  [PermissionFlagsBits.ViewChannel, "View Channel"],
  [PermissionFlagsBits.SendMessages, "Send Messages"],
  [PermissionFlagsBits.EmbedLinks, "Embed Links"],
];

/** Whether the member holds Manage Server here (false outside a server). */
export function canManageServer(i: Interaction): boolean {
  return i.inGuild() && (i.memberPermissions?.has(PermissionFlagsBits.ManageGuild) ?? false);
}

/** Throws the declared UserError for the first guard the interaction fails, in the member's language. */
export function checkGuards(i: ChatInputCommandInteraction, g: Guards | undefined, t: T = english): void {
  if (!g) return;
  if (g.inServer !== undefined && !i.inGuild()) throw new UserError(t(g.inServer));
  if (g.manageServer) {
    const sub = i.options.getSubcommand(false);
    const applies = !g.manageServer.subcommands || (sub !== null && g.manageServer.subcommands.includes(sub));
    if (applies && !canManageServer(i)) throw new UserError(t(g.manageServer.message));
  }
  if (g.botCanPostIn) {
    const picked = i.options.getChannel(g.botCanPostIn.option);
    if (picked) checkPostable(i, picked.id, g.botCanPostIn.needs, t);
  }
}

/** Refuses a channel the bot cannot post in (checked on the bot's own permissions there). */
function checkPostable(
  i: ChatInputCommandInteraction,
  channelId: string,
  needs: readonly NamedPermission[],
  t: T,
) {
  const channel: GuildBasedChannel | undefined = i.guild?.channels.cache.get(channelId);
  if (!channel?.isTextBased() || channel.isThread() || channel.isVoiceBased())
    throw new UserError(t("guards.notPostable", { channel: `<#${channelId}>` }));
  const me = i.guild?.members.me ?? i.client.user;
  const perms = channel.permissionsFor(me);
  const missing = needs.filter(([bit]) => !perms?.has(bit)).map(([, name]) => name);
  if (missing.length)
    throw new UserError(
      t("guards.missing", {
        channel: `<#${channelId}>`,
        missing: missing.join(", "),
        needs: new Intl.ListFormat(t.intl, { type: "conjunction" }).format(needs.map(([, n]) => n)),
      }),
    );
}
