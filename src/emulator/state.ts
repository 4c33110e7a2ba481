import { SnowflakeGenerator } from "./ids.ts";
import { BOT_ROLE_DEFAULT, EVERYONE_DEFAULT } from "./permissions.ts";
import type {
  InteractionRecord,
  RegisteredCommand,
  Rejection,
  StoredAttachment,
  StoredMessage,
  UserHandle,
} from "./types.ts";

export interface UserState {
  id: string;
  username: string;
  bot: boolean;
  /** The client language Discord reports in the member's interactions (`locale`); default en-US. */
  locale?: string;
}

export interface RoleState {
  id: string;
  guildId: string;
  name: string;
  permissions: bigint;
  position: number;
  mentionable: boolean;
  managed: boolean;
  botId?: string;
}

export interface MemberState {
  userId: string;
  roles: string[];
  joinedAt: string;
}

export interface ChannelPermissions {
  view: boolean;
  send: boolean;
  /** Create public threads here and send messages in them (CREATE_PUBLIC_THREADS, SEND_MESSAGES_IN_THREADS). */
  threads: boolean;
}

/** A public thread (type 11): its text channel, who started it, and its archive state. */
export interface ThreadState {
  parentId: string;
  ownerId: string;
  archived: boolean;
  locked: boolean;
  autoArchiveMinutes: number;
  createdAt: string;
}

export interface ChannelState {
  id: string;
  guildId: string;
  name: string;
  type: number;
  position: number;
  topic: string | null;
  deleted: boolean;
  /** What the bot may do here (rendered as a member overwrite for the bot); a thread's come from its parent. */
  botPermissions: ChannelPermissions;
  /** Set for a thread. */
  thread?: ThreadState;
}

export interface GuildState {
  id: string;
  name: string;
  ownerId: string;
  locale: string;
  roles: Map<string, RoleState>;
  members: Map<string, MemberState>;
  channelIds: string[];
  /** Its threads (listed in GUILD_CREATE's `threads`, not its `channels`). */
  threadIds: string[];
  createdAt: string;
}

/** Notifications for observers (the sandbox's transcript, tests that want a callback). */
export interface EmulatorEvents {
  messageCreate: StoredMessage;
  messageUpdate: StoredMessage;
  messageDelete: StoredMessage;
  interaction: InteractionRecord;
  rejection: Rejection;
}

type EventListener<K extends keyof EmulatorEvents> = (value: EmulatorEvents[K]) => void;

/** The emulator's whole world. Plain data plus small lookups; the REST and gateway layers mutate it. */
export class EmulatorState {
  readonly ids = new SnowflakeGenerator();
  readonly users = new Map<string, UserState>();
  readonly guilds = new Map<string, GuildState>();
  readonly channels = new Map<string, ChannelState>();
  readonly messagesByChannel = new Map<string, StoredMessage[]>();
  readonly messagesById = new Map<string, StoredMessage>();
  readonly attachments = new Map<string, StoredAttachment>();
  readonly globalCommands: RegisteredCommand[] = [];
  readonly guildCommands = new Map<string, RegisteredCommand[]>();
  readonly interactions: InteractionRecord[] = [];
  readonly interactionsById = new Map<string, InteractionRecord>();
  readonly interactionsByToken = new Map<string, InteractionRecord>();
  readonly rejections: Rejection[] = [];
  private readonly listeners = new Set<() => void>();
  private readonly eventListeners = new Map<keyof EmulatorEvents, Set<EventListener<never>>>();
  /** Added to Date.now() for the emulator clock (token expiry only). */
  clockOffsetMs = 0;

  constructor(
    readonly botUser: UserState,
    readonly applicationId: string,
  ) {
    this.users.set(botUser.id, botUser);
  }

  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  /** The guild with this id; a driver call naming an unknown one is a test bug, so it throws. */
  guild(id: string): GuildState {
    const guild = this.guilds.get(id);
    if (!guild) throw new Error(`Unknown guild ${id}`);
    return guild;
  }

  channel(id: string): ChannelState {
    const channel = this.channels.get(id);
    if (!channel) throw new Error(`Unknown channel ${id}`);
    return channel;
  }

  /** Tell every waiter to re-check its condition. */
  changed(): void {
    for (const fn of [...this.listeners]) fn();
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  on<K extends keyof EmulatorEvents>(event: K, fn: EventListener<K>): () => void {
    let set = this.eventListeners.get(event);
    if (!set) {
      set = new Set();
      this.eventListeners.set(event, set);
    }
    set.add(fn as EventListener<never>);
    return () => set.delete(fn as EventListener<never>);
  }

  /** Calls observers; an observer that throws never breaks the request being served. */
  emit<K extends keyof EmulatorEvents>(event: K, value: EmulatorEvents[K]): void {
    for (const fn of [...(this.eventListeners.get(event) ?? [])]) {
      try {
        (fn as EventListener<K>)(value);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  handle(user: UserState): UserHandle {
    return { id: user.id, name: user.username, bot: user.bot };
  }

  addGuild(name: string, id?: string, locale = "en-US"): GuildState {
    const gid = id ?? this.ids.next();
    const guild: GuildState = {
      id: gid,
      name,
      ownerId: "",
      locale,
      roles: new Map(),
      members: new Map(),
      channelIds: [],
      threadIds: [],
      createdAt: new Date().toISOString(),
    };
    // @everyone shares the guild's id.
    guild.roles.set(gid, {
      id: gid,
      guildId: gid,
      name: "@everyone",
      permissions: EVERYONE_DEFAULT,
      position: 0,
      mentionable: false,
      managed: false,
    });
    const botRole: RoleState = {
      id: this.ids.next(),
      guildId: gid,
      name: this.botUser.username,
      permissions: BOT_ROLE_DEFAULT,
      position: 1,
      mentionable: false,
      managed: true,
      botId: this.botUser.id,
    };
    guild.roles.set(botRole.id, botRole);
    guild.members.set(this.botUser.id, {
      userId: this.botUser.id,
      roles: [botRole.id],
      joinedAt: guild.createdAt,
    });
    this.guilds.set(gid, guild);
    return guild;
  }

  addRole(
    guild: GuildState,
    name: string,
    permissions: bigint,
    mentionable: boolean,
    id?: string,
  ): RoleState {
    const role: RoleState = {
      id: id ?? this.ids.next(),
      guildId: guild.id,
      name,
      permissions,
      position: guild.roles.size,
      mentionable,
      managed: false,
    };
    guild.roles.set(role.id, role);
    return role;
  }

  addChannel(guild: GuildState, name: string, type: number, topic: string | null, id?: string): ChannelState {
    const channel: ChannelState = {
      id: id ?? this.ids.next(),
      guildId: guild.id,
      name,
      type,
      position: guild.channelIds.length,
      topic,
      deleted: false,
      botPermissions: { view: true, send: true, threads: true },
    };
    this.channels.set(channel.id, channel);
    guild.channelIds.push(channel.id);
    this.messagesByChannel.set(channel.id, []);
    return channel;
  }

  /** A public thread in `parent`, started by `ownerId` (its id is the starter message's when it has one). */
  addThread(
    parent: ChannelState,
    name: string,
    ownerId: string,
    autoArchiveMinutes: number,
    id?: string,
  ): ChannelState {
    const guild = this.guild(parent.guildId);
    const thread: ChannelState = {
      id: id ?? this.ids.next(),
      guildId: guild.id,
      name,
      type: 11,
      position: 0,
      topic: null,
      deleted: false,
      botPermissions: parent.botPermissions,
      thread: {
        parentId: parent.id,
        ownerId,
        archived: false,
        locked: false,
        autoArchiveMinutes,
        createdAt: new Date().toISOString(),
      },
    };
    this.channels.set(thread.id, thread);
    guild.threadIds.push(thread.id);
    this.messagesByChannel.set(thread.id, []);
    return thread;
  }

  /** A channel that exists and is not deleted (a thread: nor its parent). */
  liveChannel(id: string): ChannelState | undefined {
    const c = this.channels.get(id);
    if (!c || c.deleted) return undefined;
    if (c.thread && !this.liveChannel(c.thread.parentId)) return undefined;
    return c;
  }

  /** What the bot may do in a channel: a thread's view is its parent's, and sending there needs `threads`. */
  botAccess(channel: ChannelState): ChannelPermissions {
    if (!channel.thread) return channel.botPermissions;
    const parent = this.channel(channel.thread.parentId).botPermissions;
    return { view: parent.view, send: parent.view && parent.threads, threads: parent.threads };
  }

  /** The live threads of a guild. */
  guildThreads(guild: GuildState): ChannelState[] {
    return guild.threadIds.flatMap((id) => {
      const c = this.liveChannel(id);
      return c ? [c] : [];
    });
  }

  guildChannels(guild: GuildState): ChannelState[] {
    return guild.channelIds.flatMap((id) => {
      const c = this.liveChannel(id);
      return c ? [c] : [];
    });
  }

  storeMessage(message: StoredMessage): void {
    const list = this.messagesByChannel.get(message.channel_id);
    if (list) list.push(message);
    else this.messagesByChannel.set(message.channel_id, [message]);
    this.messagesById.set(message.id, message);
    this.emit("messageCreate", message);
  }

  /** Base permissions of a member (roles OR'ed, not channel-specific). */
  memberPermissions(guild: GuildState, userId: string): bigint {
    const everyone = guild.roles.get(guild.id)?.permissions ?? 0n;
    const member = guild.members.get(userId);
    if (!member) return 0n;
    let bits = everyone;
    for (const roleId of member.roles) bits |= guild.roles.get(roleId)?.permissions ?? 0n;
    if (guild.ownerId === userId) bits |= 1n << 3n;
    return bits;
  }

  commandsFor(guildId: string | undefined): RegisteredCommand[] {
    return guildId === undefined ? this.globalCommands : (this.guildCommands.get(guildId) ?? []);
  }
}
