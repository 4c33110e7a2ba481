/** State → the JSON shapes Discord sends (what discord.js parses). */
import { Perm, resolvePermissions } from "./permissions.ts";
import type { ChannelState, EmulatorState, GuildState, MemberState, RoleState, UserState } from "./state.ts";
import type { Json, StoredAttachment, StoredMessage } from "./types.ts";

export function apiUser(user: UserState): Json {
  return {
    id: user.id,
    username: user.username,
    global_name: user.bot ? null : user.username,
    discriminator: user.bot ? "0001" : "0",
    avatar: null,
    bot: user.bot || undefined,
    public_flags: 0,
  };
}

export function apiRole(role: RoleState): Json {
  return {
    id: role.id,
    name: role.name,
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position: role.position,
    permissions: role.permissions.toString(),
    managed: role.managed,
    mentionable: role.mentionable,
    flags: 0,
    ...(role.botId ? { tags: { bot_id: role.botId } } : {}),
  };
}

/** A member without `user` (as in resolved.members); add `user` for GUILD_CREATE / interaction.member. */
export function apiMemberBase(member: MemberState): Json {
  return {
    roles: member.roles,
    nick: null,
    avatar: null,
    banner: null,
    joined_at: member.joinedAt,
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
    communication_disabled_until: null,
  };
}

export function apiMember(state: EmulatorState, member: MemberState): Json {
  const user = state.users.get(member.userId);
  return { ...apiMemberBase(member), user: user ? apiUser(user) : undefined };
}

/** The bot's channel restrictions become a member overwrite, so `channel.permissionsFor(bot)` is honest. */
function botOverwrites(state: EmulatorState, channel: ChannelState): Json[] {
  const { view, send, threads } = channel.botPermissions;
  if (view && send && threads) return [];
  const deny =
    (view ? 0n : Perm.ViewChannel) |
    (send ? 0n : Perm.SendMessages) |
    (threads ? 0n : Perm.CreatePublicThreads | Perm.SendMessagesInThreads);
  return [{ id: state.botUser.id, type: 1, allow: "0", deny: deny.toString() }];
}

/** A thread as Discord sends it: its parent, owner and archive state; its permissions are its parent's. */
function apiThread(
  state: EmulatorState,
  channel: ChannelState,
  t: NonNullable<ChannelState["thread"]>,
): Json {
  return {
    id: channel.id,
    type: channel.type,
    guild_id: channel.guildId,
    name: channel.name,
    parent_id: t.parentId,
    owner_id: t.ownerId,
    last_message_id: lastMessageId(state, channel.id),
    rate_limit_per_user: 0,
    flags: 0,
    message_count: (state.messagesByChannel.get(channel.id) ?? []).filter((m) => !m.deleted).length,
    member_count: 1,
    thread_metadata: {
      archived: t.archived,
      locked: t.locked,
      auto_archive_duration: t.autoArchiveMinutes,
      archive_timestamp: t.createdAt,
      create_timestamp: t.createdAt,
    },
  };
}

export function apiChannel(state: EmulatorState, channel: ChannelState): Json {
  if (channel.thread) return apiThread(state, channel, channel.thread);
  return {
    id: channel.id,
    type: channel.type,
    guild_id: channel.guildId,
    name: channel.name,
    position: channel.position,
    parent_id: null,
    topic: channel.topic,
    nsfw: false,
    last_message_id: lastMessageId(state, channel.id),
    rate_limit_per_user: 0,
    flags: 0,
    permission_overwrites: botOverwrites(state, channel),
  };
}

function lastMessageId(state: EmulatorState, channelId: string): string | null {
  const list = state.messagesByChannel.get(channelId) ?? [];
  for (let i = list.length - 1; i >= 0; i--) {
    const m = list[i];
    if (m && !m.deleted && m.visibleTo === "everyone") return m.id;
  }
  return null;
}

/** Permissions of `userId` in `channel`, as Discord computes them (admin → everything). */
export function channelPermissions(
  state: EmulatorState,
  guild: GuildState,
  channel: ChannelState,
  userId: string,
): bigint {
  const base = resolvePermissions(state.memberPermissions(guild, userId));
  if (userId !== state.botUser.id || base & Perm.Administrator) return base;
  let bits = base;
  const access = state.botAccess(channel);
  if (!access.threads) bits &= ~(Perm.CreatePublicThreads | Perm.SendMessagesInThreads);
  if (!channel.botPermissions.send && !channel.thread) bits &= ~Perm.SendMessages;
  if (!access.view) bits &= ~(Perm.ViewChannel | Perm.SendMessages | Perm.SendMessagesInThreads);
  return bits;
}

export function apiGuildCreate(state: EmulatorState, guild: GuildState): Json {
  const channels = state.guildChannels(guild).map((c) => {
    const { guild_id: _omit, ...rest } = apiChannel(state, c);
    return rest;
  });
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    splash: null,
    discovery_splash: null,
    // Not the bot: a guild owner bypasses every permission, which would hide channel restrictions.
    owner_id: guild.ownerId || "1",
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    roles: [...guild.roles.values()].map(apiRole),
    emojis: [],
    stickers: [],
    features: [],
    mfa_level: 0,
    application_id: null,
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    public_updates_channel_id: null,
    safety_alerts_channel_id: null,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: 0,
    premium_subscription_count: 0,
    preferred_locale: guild.locale,
    nsfw_level: 0,
    premium_progress_bar_enabled: false,
    max_members: 500000,
    max_video_channel_users: 25,
    joined_at: guild.createdAt,
    large: false,
    unavailable: false,
    member_count: guild.members.size,
    members: [...guild.members.values()].map((m) => apiMember(state, m)),
    channels,
    threads: state.guildThreads(guild).map((t) => apiChannel(state, t)),
    presences: [],
    voice_states: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}

export function apiAttachment(a: StoredAttachment): Json {
  return {
    id: a.id,
    filename: a.filename,
    size: a.size,
    url: a.url,
    proxy_url: a.url,
    content_type: a.content_type,
    description: a.description,
    width: a.width,
    height: a.height,
    flags: 0,
  };
}

export function apiMessage(state: EmulatorState, m: StoredMessage): Json {
  const interaction = m.interactionId ? state.interactionsById.get(m.interactionId) : undefined;
  const author = state.users.get(m.author.id);
  const mentionedUsers = m.pings.flatMap((id) => {
    const u = state.users.get(id);
    return u ? [apiUser(u)] : [];
  });
  return {
    id: m.id,
    type: interaction?.type === 2 ? 20 : m.message_reference ? 19 : 0,
    channel_id: m.channel_id,
    guild_id: m.guild_id,
    author: author ? apiUser(author) : { id: m.author.id, username: m.author.name },
    content: m.content,
    timestamp: new Date(m.timestamp).toISOString(),
    edited_timestamp: m.edited_timestamp ? new Date(m.edited_timestamp).toISOString() : null,
    tts: false,
    mention_everyone: false,
    mentions: mentionedUsers,
    mention_roles: [],
    mention_channels: [],
    attachments: m.attachments.map(apiAttachment),
    embeds: m.embeds,
    components: m.components,
    reactions: [],
    pinned: false,
    flags: m.flags,
    ...(m.message_reference ? { message_reference: m.message_reference } : {}),
    ...(interaction
      ? {
          webhook_id: state.applicationId,
          application_id: state.applicationId,
          interaction_metadata: {
            id: interaction.id,
            type: interaction.type,
            user: apiUser(state.users.get(interaction.userId) ?? state.botUser),
            authorizing_integration_owners: { "0": interaction.guildId },
            ...(interaction.type === 2 ? { name: interaction.commandName } : {}),
            ...(interaction.sourceMessageId ? { interacted_message_id: interaction.sourceMessageId } : {}),
          },
        }
      : {}),
  };
}
