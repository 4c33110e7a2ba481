/**
 * DiscordEmulator: the driver tests and the sandbox use. Starts the loopback server (REST + gateway), lets a
 * test build a world (guilds, channels, users), act as users (commands, clicks, autocomplete, modals), and
 * read what happened (messages with edit history and pings, interactions, rejections).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type AutocompleteInput,
  type ClickInput,
  type InteractionResult,
  type RunCommandInput,
  type SelectInput,
  type SubmitModalInput,
  UserActions,
  userId,
} from "./acting.ts";
import type { EmulatorContext } from "./context.ts";
import { Gateway } from "./gateway.ts";
import { createRequestHandler } from "./http.ts";
import { randomToken } from "./ids.ts";
import { EVERYONE_DEFAULT, Perm } from "./permissions.ts";
import { channelRoutes } from "./rest-channels.ts";
import { commandRoutes } from "./rest-commands.ts";
import { interactionRoutes } from "./rest-interactions.ts";
import { miscRoutes } from "./rest-misc.ts";
import { apiChannel, apiGuildCreate, apiMember, apiMessage, apiRole } from "./serialize.ts";
import { type EmulatorEvents, EmulatorState, type UserState } from "./state.ts";
import type {
  ChannelHandle,
  GuildHandle,
  InteractionRecord,
  Json,
  RegisteredCommand,
  Rejection,
  RoleHandle,
  StoredMessage,
  UserHandle,
} from "./types.ts";
import { waitFor } from "./wait.ts";

export interface EmulatorOptions {
  /** A first callback later than this (real ms after dispatch) gets 404 10062. Discord: 3000. */
  firstResponseDeadlineMs?: number;
  /** Gateway heartbeat interval sent in HELLO. Discord: 41250. */
  heartbeatIntervalMs?: number;
  /** Default wait for runCommand / click / autocomplete / submitModal / waitFor*. */
  answerTimeoutMs?: number;
  /** "round-robin" (default): each interaction goes to one connected client in turn. "all": to every client. */
  interactionDelivery?: "round-robin" | "all";
  /** Bytes per upload (413 40005 above it); also sent as attachment_size_limit. Discord default: 10 MiB. */
  attachmentSizeLimit?: number;
  botName?: string;
  /** Debug lines (connections, crashes). Silent by default. */
  log?: (line: string) => void;
}

export interface SessionInfo {
  id: string;
  shard: [number, number];
  connected: boolean;
  ended: boolean;
  heartbeats: number;
}

const FIFTEEN_MINUTES = 15 * 60_000;

export class DiscordEmulator {
  readonly token: string;
  readonly applicationId: string;
  readonly botUser: UserHandle;
  private readonly state: EmulatorState;
  private readonly gateway: Gateway;
  private readonly ctx: EmulatorContext;
  private readonly server: Server;
  private readonly answerTimeoutMs: number;
  private readonly actions: UserActions;
  private port = 0;

  private constructor(opts: EmulatorOptions) {
    const log = opts.log ?? (() => {});
    this.applicationId = "1300000000000000001";
    const bot: UserState = { id: this.applicationId, username: opts.botName ?? "Study Bot", bot: true };
    this.state = new EmulatorState(bot, this.applicationId);
    this.botUser = this.state.handle(bot);
    this.token = `${Buffer.from(this.applicationId).toString("base64url")}.${randomToken("emu")}`;
    this.answerTimeoutMs = opts.answerTimeoutMs ?? 5000;
    this.gateway = new Gateway({
      state: this.state,
      token: this.token,
      heartbeatIntervalMs: opts.heartbeatIntervalMs ?? 41_250,
      resumeUrl: () => `ws://127.0.0.1:${this.port}/gateway-resume`,
      log,
    });
    this.ctx = {
      state: this.state,
      gateway: this.gateway,
      token: this.token,
      baseUrl: () => `http://127.0.0.1:${this.port}`,
      firstResponseDeadlineMs: opts.firstResponseDeadlineMs ?? 3000,
      interactionTokenTtlMs: FIFTEEN_MINUTES,
      attachmentSizeLimit: opts.attachmentSizeLimit ?? 10 * 1024 * 1024,
    };
    const handler = createRequestHandler({
      state: this.state,
      token: this.token,
      routes: [
        ...miscRoutes(this.ctx),
        ...commandRoutes(this.ctx),
        ...channelRoutes(this.ctx),
        ...interactionRoutes(this.ctx),
      ],
      raw: (req, res, url) => {
        const m = /^\/attachments\/\d+\/(\d+)\/[^/]+$/.exec(url.pathname);
        if (!m || req.method !== "GET") return false;
        const att = this.state.attachments.get(m[1] ?? "");
        if (!att) {
          res.writeHead(404, { "content-type": "text/plain" }).end("Not Found");
          return true;
        }
        res.writeHead(200, {
          "content-type": att.content_type ?? "application/octet-stream",
          "content-length": att.size,
        });
        res.end(att.data);
        return true;
      },
      log,
    });
    this.actions = new UserActions(this.state, this.gateway, {
      baseUrl: () => this.baseUrl,
      attachmentSizeLimit: this.ctx.attachmentSizeLimit,
      answerTimeoutMs: this.answerTimeoutMs,
      delivery: opts.interactionDelivery ?? "round-robin",
    });
    this.server = createServer((req, res) => void handler(req, res));
    this.server.on("upgrade", (req, socket, head) => this.gateway.handleUpgrade(req, socket, head));
  }

  /** Starts on 127.0.0.1 with a random free port. */
  static async start(opts: EmulatorOptions = {}): Promise<DiscordEmulator> {
    const emu = new DiscordEmulator(opts);
    await new Promise<void>((resolve, reject) => {
      emu.server.once("error", reject);
      emu.server.listen(0, "127.0.0.1", () => resolve());
    });
    emu.port = (emu.server.address() as AddressInfo).port;
    return emu;
  }

  /** For `new Client({ rest: { api: emu.apiUrl } })`: discord.js appends /v10. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  get baseUrl(): string {
    return this.ctx.baseUrl();
  }

  // ── World building ────────────────────────────────────────────────────────────────────────────────

  /** Adds a guild (the bot is a member). After the bot connected, dispatches GUILD_CREATE. */
  addGuild(input: { name: string; id?: string }): GuildHandle {
    const guild = this.state.addGuild(input.name, input.id);
    this.gateway.dispatchGuildEvent(guild.id, "GUILD_CREATE", apiGuildCreate(this.state, guild));
    return { id: guild.id, name: guild.name };
  }

  /** Adds a text channel (type 0). Dispatches CHANNEL_CREATE to connected bots. */
  addChannel(
    guildId: string,
    input: { name: string; id?: string; topic?: string; type?: number },
  ): ChannelHandle {
    const guild = this.state.guild(guildId);
    const channel = this.state.addChannel(guild, input.name, input.type ?? 0, input.topic ?? null, input.id);
    this.gateway.dispatchGuildEvent(guild.id, "CHANNEL_CREATE", apiChannel(this.state, channel));
    return { id: channel.id, guildId: guild.id, name: channel.name };
  }

  /** Adds a role. `permissions` defaults to none beyond @everyone; `mentionable` defaults to true. */
  addRole(
    guildId: string,
    input: { name: string; id?: string; permissions?: bigint; mentionable?: boolean },
  ): RoleHandle {
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

  /**
   * Adds a (human) user; with `guildId`, also a member of that guild. `admin` gives an ADMINISTRATOR role.
   * `roles` are role ids in that guild.
   */
  addUser(input: {
    name: string;
    id?: string;
    guildId?: string;
    admin?: boolean;
    roles?: string[];
  }): UserHandle {
    const id = input.id ?? this.state.ids.next();
    if (this.state.users.has(id)) throw new Error(`User id ${id} already exists`);
    const user: UserState = { id, username: input.name, bot: false };
    this.state.users.set(id, user);
    if (input.guildId !== undefined)
      this.addMember(input.guildId, user.id, { admin: input.admin, roles: input.roles });
    return this.state.handle(user);
  }

  /** Makes an existing user a member of another guild. */
  addMember(
    guildId: string,
    user: UserHandle | string,
    opts: { admin?: boolean | undefined; roles?: string[] | undefined } = {},
  ): void {
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

  /** What the bot may do in a channel. `send: false` → 403 50013 on POST messages; `view: false` → 403 50001. */
  setChannelPermissions(channelId: string, perms: { send?: boolean; view?: boolean }): void {
    const channel = this.state.channel(channelId);
    channel.botPermissions = {
      send: perms.send ?? channel.botPermissions.send,
      view: perms.view ?? channel.botPermissions.view,
    };
    this.gateway.dispatchGuildEvent(channel.guildId, "CHANNEL_UPDATE", apiChannel(this.state, channel));
  }

  /** Deletes a channel (later requests: 404 10003) and dispatches CHANNEL_DELETE. */
  deleteChannel(channelId: string): void {
    const channel = this.state.channel(channelId);
    const payload = apiChannel(this.state, channel);
    channel.deleted = true;
    this.gateway.dispatchGuildEvent(channel.guildId, "CHANNEL_DELETE", payload);
    this.state.changed();
  }

  /** A message posted by a user (e.g. to reply to, or to appear in history). The bot is not told (no intent). */
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

  // ── Time ──────────────────────────────────────────────────────────────────────────────────────────

  /** Moves the emulator clock, which only decides interaction-token expiry (15 min). Deadlines stay real. */
  advanceTime(ms: number): void {
    this.state.clockOffsetMs += ms;
  }

  now(): number {
    return this.state.now();
  }

  // ── Acting as users (see acting.ts) ──────────────────────────────────────────────────────────────

  /** Runs a slash command as `user` in `channel`; resolves when the bot answered (see `until`). */
  runCommand(input: RunCommandInput): Promise<InteractionResult> {
    return this.actions.runCommand(input);
  }

  /** Clicks a button (by customId, or the first whose label starts with `label`). */
  click(input: ClickInput): Promise<InteractionResult> {
    return this.actions.click(input);
  }

  /** Picks values in a string select menu. */
  select(input: SelectInput): Promise<InteractionResult> {
    return this.actions.select(input);
  }

  /** Types into an autocomplete option; resolves with the choices the bot offered. */
  autocomplete(input: AutocompleteInput): Promise<Array<{ name: string; value: string | number }>> {
    return this.actions.autocomplete(input);
  }

  /** Submits the modal the bot showed in `interaction`, with text input values by custom_id. */
  submitModal(input: SubmitModalInput): Promise<InteractionResult> {
    return this.actions.submitModal(input);
  }

  // ── Reading state ─────────────────────────────────────────────────────────────────────────────────

  /** Every message stored in a channel, oldest first: deleted and ephemeral ones included (see their flags). */
  messages(channelId: string): StoredMessage[] {
    return [...(this.state.messagesByChannel.get(channelId) ?? [])];
  }

  message(id: string): StoredMessage | undefined {
    return this.state.messagesById.get(id);
  }

  /**
   * What `user` sees now: messages not deleted and visible to everyone or (ephemeral) to them.
   * Without `channelId`, across all channels.
   */
  seenBy(user: UserHandle | string, channelId?: string): StoredMessage[] {
    const id = userId(user);
    const lists = channelId ? [this.messages(channelId)] : [...this.state.messagesByChannel.values()];
    return lists.flat().filter((m) => !m.deleted && (m.visibleTo === "everyone" || m.visibleTo === id));
  }

  /** Messages that pinged `user` (their `pings` include them). */
  pingsOf(user: UserHandle | string): StoredMessage[] {
    const id = userId(user);
    return [...this.state.messagesByChannel.values()].flat().filter((m) => m.pings.includes(id));
  }

  /** Registered commands: global without `guildId`, that guild's otherwise. */
  commands(guildId?: string): RegisteredCommand[] {
    return [...this.state.commandsFor(guildId)];
  }

  /** Every interaction dispatched, oldest first, with callback timings. */
  get interactionsLog(): readonly InteractionRecord[] {
    return this.state.interactions;
  }

  /** Every request the emulator refused (4xx/5xx), oldest first. */
  get rejections(): readonly Rejection[] {
    return this.state.rejections;
  }

  clearRejections(): void {
    this.state.rejections.length = 0;
  }

  /**
   * Observes the emulator: "messageCreate" | "messageUpdate" | "messageDelete" (StoredMessage), "interaction"
   * (InteractionRecord, when dispatched), "rejection" (Rejection). Returns an unsubscribe function.
   */
  on<K extends keyof EmulatorEvents>(event: K, listener: (value: EmulatorEvents[K]) => void): () => void {
    return this.state.on(event, listener);
  }

  /** The API JSON Discord would return for a stored message (what the bot would get from a fetch). */
  toApiMessage(message: StoredMessage): Json {
    return apiMessage(this.state, message);
  }

  /** Resolves with the first message (existing or future, not deleted) in the channel matching `predicate`. */
  waitForMessage(
    channelId: string,
    predicate: (m: StoredMessage) => boolean,
    timeoutMs = this.answerTimeoutMs,
  ): Promise<StoredMessage> {
    return this.waitFor(
      () => this.messages(channelId).find((m) => !m.deleted && predicate(m)),
      timeoutMs,
      () =>
        `No matching message in channel ${channelId} within ${timeoutMs} ms (${this.messages(channelId).length} messages there)`,
    );
  }

  /**
   * Resolves with the first value `condition` returns other than undefined/false/null. Checked on every
   * emulator change and every 20 ms (so it also works for outside state, e.g. the bot's database).
   */
  waitFor<T>(
    condition: () => T | undefined | false | null,
    timeoutMs = this.answerTimeoutMs,
    describe?: () => string,
  ): Promise<T> {
    return waitFor(this.state, condition, timeoutMs, describe);
  }

  // ── Gateway sessions ──────────────────────────────────────────────────────────────────────────────

  /** Number of bot clients connected and identified right now. */
  get connectedClients(): number {
    return this.gateway.liveSessions().length;
  }

  get sessions(): SessionInfo[] {
    return [...this.gateway.sessions.values()].map((s) => ({
      id: s.id,
      shard: s.shard,
      connected: this.gateway.liveSessions().includes(s),
      ended: s.ended,
      heartbeats: s.heartbeats,
    }));
  }

  /** Resolves when at least `count` clients are connected (READY and guilds sent). */
  waitForClients(count = 1, timeoutMs = this.answerTimeoutMs): Promise<number> {
    return this.waitFor(
      () => (this.connectedClients >= count ? this.connectedClients : undefined),
      timeoutMs,
      () => `Expected ${count} connected client(s), have ${this.connectedClients} after ${timeoutMs} ms`,
    );
  }

  /** Closes a session's socket with a resumable code (default 4000): discord.js should RESUME. */
  dropConnection(sessionId: string, code = 4000): void {
    this.gateway.dropConnection(sessionId, code);
  }

  /** Sends op 7 RECONNECT to a session. */
  requestReconnect(sessionId: string): void {
    this.gateway.requestReconnect(sessionId);
  }

  /** Stops the server and terminates sockets. Destroy your discord.js clients first, or they will retry. */
  async stop(): Promise<void> {
    await this.gateway.close();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  // ── Internals ─────────────────────────────────────────────────────────────────────────────────────
}
