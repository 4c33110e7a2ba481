/**
 * Building the emulator's world: guilds, channels, roles, users and members, the bot's channel permissions,
 * and messages posted by users. Each change is dispatched to connected bots as Discord would. DiscordEmulator
 * exposes these methods (documented there).
 */
import { userId } from "./acting.ts";
import type { Gateway } from "./gateway.ts";
import { EVERYONE_DEFAULT, Perm } from "./permissions.ts";
import { apiChannel, apiGuildCreate, apiMember, apiRole } from "./serialize.ts";
import type { EmulatorState, UserState } from "./state.ts";
import type { ChannelHandle, GuildHandle, RoleHandle, StoredMessage, UserHandle } from "./types.ts";

export interface GuildInput {
  name: string;
  id?: string;
  /** The server's preferred locale (community servers set it): `guild_locale`, `preferred_locale`. */
  locale?: string;
}

export interface ChannelInput {
  name: string;
  id?: string;
  topic?: string;
  type?: number;
}

export interface RoleInput {
  name: string;
  id?: string;
  permissions?: bigint;
  mentionable?: boolean;
}

export interface UserInput {
  name: string;
  id?: string;
  guildId?: string;
  admin?: boolean;
  roles?: string[];
  /** The member's client language (an interaction's `locale`), e.g. "de"; default en-US. */
  locale?: string;
}

export interface MemberOptions {
  admin?: boolean | undefined;
  roles?: string[] | undefined;
}

export class WorldBuilder {
  constructor(
    private readonly state: EmulatorState,
    private readonly gateway: Gateway,
  ) {}

  addGuild(input: GuildInput): GuildHandle {
    const guild = this.state.addGuild(input.name, input.id, input.locale);
    this.gateway.dispatchGuildEvent(guild.id, "GUILD_CREATE", apiGuildCreate(this.state, guild));
    return { id: guild.id, name: guild.name };
  }

  addChannel(guildId: string, input: ChannelInput): ChannelHandle {
    const guild = this.state.guild(guildId);
    const channel = this.state.addChannel(guild, input.name, input.type ?? 0, input.topic ?? null, input.id);
    this.gateway.dispatchGuildEvent(guild.id, "CHANNEL_CREATE", apiChannel(this.state, channel));
    return { id: channel.id, guildId: guild.id, name: channel.name };
  }

  addRole(guildId: string, input: RoleInput): RoleHandle {
    const guild = this.state.guild(guildId);
    const role = this.state.addRole(
      guild,
      input.name,
      input.permissions ?? 0n,
      input.mentionable ?? true,
      input.id,
    );
    this.gateway.dispatchGuildEvent(guild.id, "GUILD_ROLE_CREATE", {
      guild_id: guild.id,
      role: apiRole(role),
    });
    return { id: role.id, guildId: guild.id, name: role.name };
  }

  addUser(input: UserInput): UserHandle {
    const id = input.id ?? this.state.ids.next();
    if (this.state.users.has(id)) throw new Error(`User id ${id} already exists`);
    const user: UserState = {
      id,
      username: input.name,
      bot: false,
      ...(input.locale !== undefined && { locale: input.locale }),
    };
    this.state.users.set(id, user);
    if (input.guildId !== undefined)
      this.addMember(input.guildId, user.id, { admin: input.admin, roles: input.roles });
    return this.state.handle(user);
  }

  addMember(guildId: string, user: UserHandle | string, opts: MemberOptions = {}): void {
    const guild = this.state.guild(guildId);
    const id = userId(user);
    if (!this.state.users.has(id)) throw new Error(`Unknown user ${id}`);
    const roles = [...(opts.roles ?? [])];
    for (const r of roles)
      if (!guild.roles.has(r)) throw new Error(`Role ${r} is not in guild ${guild.name}`);
    if (opts.admin) {
      let admin = [...guild.roles.values()].find(
        (r) => r.name === "Admin" && r.permissions & Perm.Administrator,
      );
      if (!admin) {
        admin = this.state.addRole(guild, "Admin", EVERYONE_DEFAULT | Perm.Administrator, false);
        this.gateway.dispatchGuildEvent(guild.id, "GUILD_ROLE_CREATE", {
          guild_id: guild.id,
          role: apiRole(admin),
        });
      }
      roles.push(admin.id);
    }
    const member = { userId: id, roles, joinedAt: new Date().toISOString() };
    guild.members.set(id, member);
    // Only bots with the privileged GuildMembers intent hear about joins.
    const joined = { ...apiMember(this.state, member), guild_id: guild.id };
    this.gateway.dispatchGuildEvent(guild.id, "GUILD_MEMBER_ADD", joined, 1 << 1);
  }

  setChannelPermissions(
    channelId: string,
    perms: { send?: boolean; view?: boolean; threads?: boolean },
  ): void {
    const channel = this.state.channel(channelId);
    channel.botPermissions = {
      send: perms.send ?? channel.botPermissions.send,
      view: perms.view ?? channel.botPermissions.view,
      threads: perms.threads ?? channel.botPermissions.threads,
    };
    this.gateway.dispatchGuildEvent(channel.guildId, "CHANNEL_UPDATE", apiChannel(this.state, channel));
  }

  /** Deletes a channel or a thread (CHANNEL_DELETE or THREAD_DELETE; a channel's threads go with it). */
  deleteChannel(channelId: string): void {
    const channel = this.state.channel(channelId);
    const payload = apiChannel(this.state, channel);
    channel.deleted = true;
    if (channel.thread) {
      const { id, guild_id, parent_id, type } = payload as Record<string, unknown>;
      this.gateway.dispatchGuildEvent(channel.guildId, "THREAD_DELETE", { id, guild_id, parent_id, type });
    } else this.gateway.dispatchGuildEvent(channel.guildId, "CHANNEL_DELETE", payload);
    this.state.changed();
  }

  postAsUser(user: UserHandle | string, channel: ChannelHandle | string, content: string): StoredMessage {
    const ch = this.state.channel(typeof channel === "string" ? channel : channel.id);
    const author = this.state.users.get(userId(user));
    if (!author) throw new Error(`Unknown user ${userId(user)}`);
    const m: StoredMessage = {
      id: this.state.ids.next(),
      channel_id: ch.id,
      guild_id: ch.guildId,
      author: this.state.handle(author),
      content,
      embeds: [],
      components: [],
      attachments: [],
      flags: 0,
      ephemeral: false,
      visibleTo: "everyone",
      interactionId: undefined,
      deleted: false,
      pings: [],
      allowed_mentions: undefined,
      message_reference: undefined,
      timestamp: Date.now(),
      edited_timestamp: undefined,
      history: [],
    };
    this.state.storeMessage(m);
    this.state.changed();
    return m;
  }
}
