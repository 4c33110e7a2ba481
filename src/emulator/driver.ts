/**
 * DiscordEmulator: the driver tests and the sandbox use. Starts the loopback server (REST + gateway), lets a
 * test build a world (guilds, channels, users), act as users (commands, clicks, autocomplete, modals), and
 * read what happened (messages with edit history and pings, interactions, rejections). The work is done in
 * loopback-server.ts (REST + gateway), world-building.ts and acting.ts; this class is the one public face.
 */
import type { Server } from "node:http";
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
import type { Gateway } from "./gateway.ts";
import { randomToken } from "./ids.ts";
import { createLoopback } from "./loopback-server.ts";
import { type MessageRateLimit, MessageWriteLimiter, type RateLimited } from "./rate-limits.ts";
import { apiMessage } from "./serialize.ts";
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
import {
  type ChannelInput,
  type GuildInput,
  type MemberOptions,
  type RoleInput,
  type UserInput,
  WorldBuilder,
} from "./world-building.ts";

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
  /**
   * Enforce Discord's per-channel limit on the bot's message writes (429 above it, listed in `rateLimited`),
   * e.g. `{ limit: 5, windowMs: 5000 }`. Off by default: unlimited, as the headers say.
   */
  messageRateLimit?: MessageRateLimit;
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
  private readonly world: WorldBuilder;
  private readonly limiter: MessageWriteLimiter | undefined;
  private port = 0;

  private constructor(opts: EmulatorOptions) {
    this.applicationId = "1300000000000000001";
    const bot: UserState = { id: this.applicationId, username: opts.botName ?? "Study Bot", bot: true };
    this.state = new EmulatorState(bot, this.applicationId);
    this.botUser = this.state.handle(bot);
    this.token = `${Buffer.from(this.applicationId).toString("base64url")}.${randomToken("emu")}`;
    this.answerTimeoutMs = opts.answerTimeoutMs ?? 5000;
    this.limiter = opts.messageRateLimit ? new MessageWriteLimiter(opts.messageRateLimit) : undefined;
    const loopback = createLoopback({
      limiter: this.limiter,
      state: this.state,
      token: this.token,
      port: () => this.port,
      heartbeatIntervalMs: opts.heartbeatIntervalMs ?? 41_250,
      firstResponseDeadlineMs: opts.firstResponseDeadlineMs ?? 3000,
      attachmentSizeLimit: opts.attachmentSizeLimit ?? 10 * 1024 * 1024,
      log: opts.log ?? (() => {}),
    });
    this.gateway = loopback.gateway;
    this.ctx = loopback.ctx;
    this.server = loopback.server;
    this.actions = new UserActions(this.state, this.gateway, {
      baseUrl: () => this.baseUrl,
      attachmentSizeLimit: this.ctx.attachmentSizeLimit,
      answerTimeoutMs: this.answerTimeoutMs,
      delivery: opts.interactionDelivery ?? "round-robin",
    });
    this.world = new WorldBuilder(this.state, this.gateway);
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
  addGuild(input: GuildInput): GuildHandle {
    return this.world.addGuild(input);
  }

  /** Adds a text channel (type 0). Dispatches CHANNEL_CREATE to connected bots. */
  addChannel(guildId: string, input: ChannelInput): ChannelHandle {
    return this.world.addChannel(guildId, input);
  }

  /** Adds a role. `permissions` defaults to none beyond @everyone; `mentionable` defaults to true. */
  addRole(guildId: string, input: RoleInput): RoleHandle {
    return this.world.addRole(guildId, input);
  }

  /**
   * Adds a (human) user; with `guildId`, also a member of that guild. `admin` gives an ADMINISTRATOR role.
   * `roles` are role ids in that guild.
   */
  addUser(input: UserInput): UserHandle {
    return this.world.addUser(input);
  }

  /** Makes an existing user a member of another guild. */
  addMember(guildId: string, user: UserHandle | string, opts: MemberOptions = {}): void {
    this.world.addMember(guildId, user, opts);
  }

  /**
   * What the bot may do in a channel. `send: false` → 403 50013 on POST messages; `view: false` → 403 50001;
   * `threads: false` → 403 50013 on starting a thread there and on sending in its threads.
   */
  setChannelPermissions(
    channelId: string,
    perms: { send?: boolean; view?: boolean; threads?: boolean },
  ): void {
    this.world.setChannelPermissions(channelId, perms);
  }

  /** Deletes a channel or thread (later requests: 404 10003) and dispatches CHANNEL_DELETE or THREAD_DELETE. */
  deleteChannel(channelId: string): void {
    this.world.deleteChannel(channelId);
  }

  /** A message posted by a user (e.g. to reply to, or to appear in history). The bot is not told (no intent). */
  postAsUser(user: UserHandle | string, channel: ChannelHandle | string, content: string): StoredMessage {
    return this.world.postAsUser(user, channel, content);
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
  /** The bot's message writes refused with 429 (only with `messageRateLimit`), oldest first. */
  get rateLimited(): readonly RateLimited[] {
    return this.limiter?.limited ?? [];
  }

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

  /** The threads started in a channel (deleted ones too: their messages stay readable here), oldest first. */
  threadsOf(parentId: string): { id: string; name: string; deleted: boolean }[] {
    return [...this.state.channels.values()]
      .filter((c) => c.thread?.parentId === parentId)
      .map((c) => ({ id: c.id, name: c.name, deleted: c.deleted }));
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

  /**
   * A gateway outage: every session's socket is closed (resumable, default 4000) and clients that reconnect get
   * no HELLO until `restoreGateway()`; then they resume and events sent meanwhile are replayed.
   */
  dropGateway(code = 4000): void {
    this.gateway.drop(code);
  }

  /** Ends the outage `dropGateway` began. */
  restoreGateway(): void {
    this.gateway.restore();
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
