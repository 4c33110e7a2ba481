/**
 * DiscordEmulator: the driver tests and the sandbox use. Starts the loopback server (REST + gateway), lets a
 * test build a world (guilds, channels, users), act as users (commands, clicks, autocomplete, modals), and
 * read what happened (messages with edit history and pings, interactions, rejections).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { EmulatorContext } from "./context.ts";
import { Gateway } from "./gateway.ts";
import { createRequestHandler } from "./http.ts";
import { randomToken } from "./ids.ts";
import {
  allComponents,
  basePayload,
  buildCommandData,
  findComponent,
  type OptionValue,
} from "./interactions.ts";
import { EVERYONE_DEFAULT, Perm } from "./permissions.ts";
import { channelRoutes } from "./rest-channels.ts";
import { commandRoutes } from "./rest-commands.ts";
import { interactionRoutes } from "./rest-interactions.ts";
import { miscRoutes } from "./rest-misc.ts";
import { apiChannel, apiGuildCreate, apiMember, apiMessage, apiRole } from "./serialize.ts";
import {
  type ChannelState,
  type EmulatorEvents,
  EmulatorState,
  type GuildState,
  type UserState,
} from "./state.ts";
import type {
  ChannelHandle,
  GuildHandle,
  InteractionKind,
  InteractionRecord,
  Json,
  ModalRecord,
  RegisteredCommand,
  Rejection,
  RoleHandle,
  StoredMessage,
  UserHandle,
} from "./types.ts";

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

export interface ActAs {
  user: UserHandle | string;
  /** Gateway session to deliver to (see `sessions`); default per `interactionDelivery`. */
  via?: string;
  timeoutMs?: number;
  /**
   * "answer" (default): resolve once the bot answered visibly: a message (type 4), an update (7), choices (8),
   * a modal (9), or after a defer (5/6) its first @original edit or follow-up. "ack": on any accepted callback.
   * "none": resolve as soon as the interaction is dispatched.
   */
  until?: "answer" | "ack" | "none";
}

export interface RunCommandInput extends ActAs {
  channel: ChannelHandle | string;
  /** "deck subscribe" (command, optional sub-command group, sub-command). */
  command: string;
  /** By option name; typed by the registered definition. Attachments: `{ name, contentType?, data }`. */
  options?: Record<string, OptionValue | undefined>;
}

export interface ClickInput extends ActAs {
  message: StoredMessage | string;
  customId?: string;
  /** Clicks the first button whose label starts with this. */
  label?: string;
}

export interface SelectInput extends ActAs {
  message: StoredMessage | string;
  customId: string;
  values: string[];
}

export interface AutocompleteInput extends RunCommandInput {
  /** The option the user is typing in; its value is sent as the typed string. */
  focused: string;
}

export interface SubmitModalInput extends ActAs {
  /** The interaction that opened the modal (its `modal` record is used). */
  interaction: InteractionRecord | InteractionResult;
  /** Text input values by custom_id. */
  values: Record<string, string>;
}

export interface InteractionResult {
  interaction: InteractionRecord;
  /** The message whose send or edit answered (live object); undefined for autocomplete/modal/"ack"/"none". */
  message: StoredMessage | undefined;
  /** @original (if any) and follow-ups, oldest first: a live list (read it again after more follow-ups). */
  readonly messages: StoredMessage[];
  ephemeral: boolean;
  modal: ModalRecord | undefined;
}

export interface SessionInfo {
  id: string;
  shard: [number, number];
  connected: boolean;
  ended: boolean;
  heartbeats: number;
}

const FIFTEEN_MINUTES = 15 * 60_000;

function userId(u: UserHandle | string): string {
  return typeof u === "string" ? u : u.id;
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
  private readonly delivery: "round-robin" | "all";
  private port = 0;

  private constructor(opts: EmulatorOptions) {
    const log = opts.log ?? (() => {});
    this.applicationId = "1300000000000000001";
    const bot: UserState = { id: this.applicationId, username: opts.botName ?? "Study Bot", bot: true };
    this.state = new EmulatorState(bot, this.applicationId);
    this.botUser = this.state.handle(bot);
    this.token = `${Buffer.from(this.applicationId).toString("base64url")}.${randomToken("emu")}`;
    this.answerTimeoutMs = opts.answerTimeoutMs ?? 5000;
    this.delivery = opts.interactionDelivery ?? "round-robin";
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
    const guild = this.guild(guildId);
    const channel = this.state.addChannel(guild, input.name, input.type ?? 0, input.topic ?? null, input.id);
    this.gateway.dispatchGuildEvent(guild.id, "CHANNEL_CREATE", apiChannel(this.state, channel));
    return { id: channel.id, guildId: guild.id, name: channel.name };
  }

  /** Adds a role. `permissions` defaults to none beyond @everyone; `mentionable` defaults to true. */
  addRole(
    guildId: string,
    input: { name: string; id?: string; permissions?: bigint; mentionable?: boolean },
  ): RoleHandle {
    const guild = this.guild(guildId);
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
    const guild = this.guild(guildId);
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
    const channel = this.channel(channelId);
    channel.botPermissions = {
      send: perms.send ?? channel.botPermissions.send,
      view: perms.view ?? channel.botPermissions.view,
    };
    this.gateway.dispatchGuildEvent(channel.guildId, "CHANNEL_UPDATE", apiChannel(this.state, channel));
  }

  /** Deletes a channel (later requests: 404 10003) and dispatches CHANNEL_DELETE. */
  deleteChannel(channelId: string): void {
    const channel = this.channel(channelId);
    const payload = apiChannel(this.state, channel);
    channel.deleted = true;
    this.gateway.dispatchGuildEvent(channel.guildId, "CHANNEL_DELETE", payload);
    this.state.changed();
  }

  /** A message posted by a user (e.g. to reply to, or to appear in history). The bot is not told (no intent). */
  postAsUser(user: UserHandle | string, channel: ChannelHandle | string, content: string): StoredMessage {
    const ch = this.channel(typeof channel === "string" ? channel : channel.id);
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

  // ── Acting as users ───────────────────────────────────────────────────────────────────────────────

  /** Runs a slash command as `user` in `channel`; resolves when the bot answered (see `until`). */
  async runCommand(input: RunCommandInput): Promise<InteractionResult> {
    const { user, guild, channel } = this.actors(input.user, input.channel);
    const built = buildCommandData(this.ictx(), guild, channel, input.command, input.options ?? {});
    const rec = this.dispatch(2, "command", user, guild, channel, built.data, {
      commandName: built.fullName,
      via: input.via,
    });
    return this.awaitAnswer(rec, input, `/${built.fullName}`);
  }

  /** Clicks a button (by customId, or the first whose label starts with `label`). */
  async click(input: ClickInput): Promise<InteractionResult> {
    const message = this.resolveMessage(input.message);
    const { user, guild, channel } = this.actors(input.user, message.channel_id);
    this.assertCanInteract(message, user);
    const buttons = allComponents(message.components).filter((c) => c.type === 2);
    const button = buttons.find((b) =>
      input.customId !== undefined
        ? b.custom_id === input.customId
        : typeof b.label === "string" && b.label.startsWith(input.label ?? "\u0000"),
    );
    if (!button) {
      const have = buttons.map((b) => `${JSON.stringify(b.label)}=${b.custom_id ?? b.url}`).join(", ");
      throw new Error(
        `No button ${input.customId ?? `labelled "${input.label}…"`} on message ${message.id} (buttons: ${have || "none"})`,
      );
    }
    if (button.disabled)
      throw new Error(`Button ${JSON.stringify(button.label)} is disabled: a user cannot click it`);
    if (button.style === 5 || button.custom_id === undefined)
      throw new Error("Link buttons open a URL: no interaction");
    const data = { custom_id: button.custom_id, component_type: 2 };
    const rec = this.dispatch(3, "component", user, guild, channel, data, {
      customId: button.custom_id,
      message,
      via: input.via,
    });
    return this.awaitAnswer(rec, input, `click ${button.custom_id}`);
  }

  /** Picks values in a string select menu. */
  async select(input: SelectInput): Promise<InteractionResult> {
    const message = this.resolveMessage(input.message);
    const { user, guild, channel } = this.actors(input.user, message.channel_id);
    this.assertCanInteract(message, user);
    const menu = findComponent(message.components, (c) => c?.custom_id === input.customId && c.type === 3);
    if (!menu) throw new Error(`No string select ${input.customId} on message ${message.id}`);
    const allowed = new Set((menu.options ?? []).map((o: Json) => o.value));
    for (const v of input.values)
      if (!allowed.has(v)) throw new Error(`Select ${input.customId} has no option ${v}`);
    const data = { custom_id: input.customId, component_type: 3, values: input.values };
    const rec = this.dispatch(3, "component", user, guild, channel, data, {
      customId: input.customId,
      message,
      via: input.via,
    });
    return this.awaitAnswer(rec, input, `select ${input.customId}`);
  }

  /** Types into an autocomplete option; resolves with the choices the bot offered. */
  async autocomplete(input: AutocompleteInput): Promise<Array<{ name: string; value: string | number }>> {
    const { user, guild, channel } = this.actors(input.user, input.channel);
    const built = buildCommandData(
      this.ictx(),
      guild,
      channel,
      input.command,
      input.options ?? {},
      input.focused,
    );
    const rec = this.dispatch(4, "autocomplete", user, guild, channel, built.data, {
      commandName: built.fullName,
      via: input.via,
    });
    await this.awaitAnswer(rec, input, `autocomplete /${built.fullName} ${input.focused}`);
    return rec.autocompleteChoices ?? [];
  }

  /** Submits the modal the bot showed in `interaction`, with text input values by custom_id. */
  async submitModal(input: SubmitModalInput): Promise<InteractionResult> {
    const opener =
      "interaction" in input.interaction && "messages" in input.interaction
        ? input.interaction.interaction
        : (input.interaction as InteractionRecord);
    const modal = opener.modal;
    if (!modal) throw new Error(`Interaction ${opener.id} did not show a modal`);
    const { user, guild, channel } = this.actors(input.user, opener.channelId);
    const components = modal.components.map((c: Json) => {
      if (c.type === 1) {
        return {
          type: 1,
          components: (c.components ?? []).map((i: Json) => ({
            type: i.type,
            custom_id: i.custom_id,
            value: input.values[i.custom_id] ?? "",
          })),
        };
      }
      if (c.type === 18 && c.component) {
        const i = c.component;
        return {
          type: 18,
          component: { type: i.type, custom_id: i.custom_id, value: input.values[i.custom_id] ?? "" },
        };
      }
      return c;
    });
    const source = opener.sourceMessageId ? this.state.messagesById.get(opener.sourceMessageId) : undefined;
    const rec = this.dispatch(
      5,
      "modal",
      user,
      guild,
      channel,
      { custom_id: modal.custom_id, components },
      {
        customId: modal.custom_id,
        message: source,
        via: input.via,
      },
    );
    return this.awaitAnswer(rec, input, `modal ${modal.custom_id}`);
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
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const finish = (fn: () => void) => {
        settled = true;
        clearTimeout(timer);
        clearInterval(poll);
        unsubscribe();
        fn();
      };
      const check = () => {
        if (settled) return;
        try {
          const value = condition();
          if (value !== undefined && value !== false && value !== null) finish(() => resolve(value));
        } catch (error) {
          finish(() => reject(error));
        }
      };
      const timer = setTimeout(
        () => finish(() => reject(new Error(describe?.() ?? `Condition not met within ${timeoutMs} ms`))),
        timeoutMs,
      );
      // Emulator changes trigger a check at once; the poll catches conditions on outside state (the bot's DB).
      const poll = setInterval(check, 20);
      const unsubscribe = this.state.subscribe(check);
      check();
    });
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

  private ictx() {
    return { state: this.state, baseUrl: this.baseUrl, attachmentSizeLimit: this.ctx.attachmentSizeLimit };
  }

  private guild(id: string): GuildState {
    const guild = this.state.guilds.get(id);
    if (!guild) throw new Error(`Unknown guild ${id}`);
    return guild;
  }

  private channel(id: string): ChannelState {
    const channel = this.state.channels.get(id);
    if (!channel) throw new Error(`Unknown channel ${id}`);
    return channel;
  }

  private actors(user: UserHandle | string, channel: ChannelHandle | string) {
    const u = this.state.users.get(userId(user));
    if (!u) throw new Error(`Unknown user ${userId(user)}`);
    const ch = this.channel(typeof channel === "string" ? channel : channel.id);
    if (ch.deleted) throw new Error(`Channel ${ch.name} was deleted`);
    const guild = this.guild(ch.guildId);
    return { user: u, guild, channel: ch };
  }

  private resolveMessage(message: StoredMessage | string): StoredMessage {
    const id = typeof message === "string" ? message : message.id;
    const m = this.state.messagesById.get(id);
    if (!m) throw new Error(`Unknown message ${id}`);
    if (m.deleted) throw new Error(`Message ${id} was deleted: nothing to click`);
    return m;
  }

  private assertCanInteract(message: StoredMessage, user: UserState): void {
    if (message.visibleTo !== "everyone" && message.visibleTo !== user.id) {
      throw new Error(`Message ${message.id} is ephemeral for another user: ${user.username} cannot see it`);
    }
  }

  private dispatch(
    type: number,
    kind: InteractionKind,
    user: UserState,
    guild: GuildState,
    channel: ChannelState,
    data: Json,
    extra: {
      commandName?: string;
      customId?: string;
      message?: StoredMessage | undefined;
      via?: string | undefined;
    },
  ): InteractionRecord {
    const id = this.state.ids.next();
    const token = randomToken("aW50ZXJhY3Rpb24");
    const payload = basePayload(this.ictx(), { id, token, type, user, guild, channel, data });
    if (extra.message) payload.message = apiMessage(this.state, extra.message);
    const rec: InteractionRecord = {
      id,
      token,
      type,
      kind,
      userId: user.id,
      guildId: guild.id,
      channelId: channel.id,
      sessionIds: [],
      commandName: extra.commandName,
      customId: extra.customId,
      sourceMessageId: extra.message?.id,
      payload,
      dispatchedAt: Date.now(),
      firstCallbackAt: undefined,
      firstCallbackType: undefined,
      callbacks: [],
      acknowledged: false,
      deferred: false,
      ephemeral: false,
      originalMessageId: undefined,
      followUpIds: [],
      answeredAt: undefined,
      answerMessageId: undefined,
      autocompleteChoices: undefined,
      modal: undefined,
      createdAtEmu: this.state.now(),
    };
    this.state.interactions.push(rec);
    this.state.interactionsById.set(id, rec);
    this.state.interactionsByToken.set(token, rec);
    rec.sessionIds = this.gateway.dispatchInteraction(guild.id, payload, this.delivery, extra.via);
    rec.dispatchedAt = Date.now();
    this.state.emit("interaction", rec);
    return rec;
  }

  private result(rec: InteractionRecord): InteractionResult {
    const state = this.state;
    return {
      interaction: rec,
      message: rec.answerMessageId ? state.messagesById.get(rec.answerMessageId) : undefined,
      get messages() {
        const ids = [rec.originalMessageId, ...rec.followUpIds].filter((x): x is string => x !== undefined);
        return ids.flatMap((id) => {
          const m = state.messagesById.get(id);
          return m ? [m] : [];
        });
      },
      ephemeral: rec.ephemeral,
      modal: rec.modal,
    };
  }

  private async awaitAnswer(rec: InteractionRecord, opts: ActAs, what: string): Promise<InteractionResult> {
    const until = opts.until ?? "answer";
    if (until === "none") return this.result(rec);
    const timeoutMs = opts.timeoutMs ?? this.answerTimeoutMs;
    await this.waitFor(
      () => (until === "ack" ? rec.acknowledged : rec.answeredAt !== undefined),
      timeoutMs,
      () => this.describeSilence(rec, what, timeoutMs),
    );
    return this.result(rec);
  }

  private describeSilence(rec: InteractionRecord, what: string, timeoutMs: number): string {
    const related = this.state.rejections.filter(
      (r) => r.path.includes(rec.id) || r.path.includes(rec.token),
    );
    const callbacks = rec.callbacks
      .map((c) => `type ${c.type} → ${c.status}${c.code ? ` (${c.code})` : ""}`)
      .join("; ");
    return [
      `The bot did not answer ${what} within ${timeoutMs} ms.`,
      `acknowledged: ${rec.acknowledged}${rec.deferred ? " (deferred, waiting for an @original edit or follow-up)" : ""}`,
      `callbacks: ${callbacks || "none"}`,
      related.length > 0
        ? `rejected requests: ${related.map((r) => `${r.method} ${r.status} ${r.code} ${JSON.stringify(r.body)}`).join(" | ")}`
        : "",
    ]
      .filter(Boolean)
      .join("\n");
  }
}
