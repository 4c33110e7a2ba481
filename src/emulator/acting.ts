/** Acting as users: slash commands, clicks, selects, autocomplete and modal submits, and waiting for the answer. */
import type { Gateway } from "./gateway.ts";
import { randomToken } from "./ids.ts";
import {
  allComponents,
  basePayload,
  buildCommandData,
  findComponent,
  type OptionValue,
} from "./interactions.ts";
import { apiMessage } from "./serialize.ts";
import type { ChannelState, EmulatorState, GuildState, UserState } from "./state.ts";
import type {
  ChannelHandle,
  InteractionKind,
  InteractionRecord,
  Json,
  ModalRecord,
  StoredMessage,
  UserHandle,
} from "./types.ts";
import { waitFor } from "./wait.ts";

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
  /**
   * Also look for the button in the message's earlier versions: a click from a view that was not refreshed
   * (another device, a lagging client), which Discord still delivers with the old custom_id.
   */
  stale?: boolean;
  /**
   * Send the click even though this user cannot see the message (a crafted client replaying someone else's
   * custom_id). Discord's UI prevents it; a bot must not trust that.
   */
  forged?: boolean;
  /**
   * Send this custom_id instead of the chosen button's (a modified client). Discord still sends the message as it
   * stores it, with the buttons the bot put there, so a bot can tell the id was not on it.
   */
  craftedId?: string;
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

export interface UserActionsOptions {
  baseUrl: () => string;
  attachmentSizeLimit: number;
  answerTimeoutMs: number;
  delivery: "round-robin" | "all";
}

export function userId(u: UserHandle | string): string {
  return typeof u === "string" ? u : u.id;
}

export class UserActions {
  constructor(
    private readonly state: EmulatorState,
    private readonly gateway: Gateway,
    private readonly opts: UserActionsOptions,
  ) {}

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
    if (!input.forged) this.assertCanInteract(message, user);
    const versions = input.stale ? [message, ...[...message.history].reverse()] : [message];
    const buttons = versions.flatMap((v) => allComponents(v.components)).filter((c) => c.type === 2);
    const matches = buttons.filter((b) =>
      input.customId !== undefined
        ? b.custom_id === input.customId
        : typeof b.label === "string" && b.label.startsWith(input.label ?? "\u0000"),
    );
    // On a stale view, the newest version where the button was still enabled is the one the user sees.
    const button = (input.stale ? matches.find((b) => !b.disabled) : undefined) ?? matches[0];
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
    const customId = input.craftedId ?? button.custom_id;
    const data = { custom_id: customId, component_type: 2 };
    const rec = this.dispatch(3, "component", user, guild, channel, data, {
      customId,
      message,
      via: input.via,
    });
    return this.awaitAnswer(rec, input, `click ${customId}`);
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

  private ictx() {
    return {
      state: this.state,
      baseUrl: this.opts.baseUrl(),
      attachmentSizeLimit: this.opts.attachmentSizeLimit,
    };
  }

  private actors(user: UserHandle | string, channel: ChannelHandle | string) {
    const u = this.state.users.get(userId(user));
    if (!u) throw new Error(`Unknown user ${userId(user)}`);
    const ch = this.state.channel(typeof channel === "string" ? channel : channel.id);
    if (ch.deleted) throw new Error(`Channel ${ch.name} was deleted`);
    const guild = this.state.guild(ch.guildId);
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
    rec.sessionIds = this.gateway.dispatchInteraction(guild.id, payload, this.opts.delivery, extra.via);
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
    const timeoutMs = opts.timeoutMs ?? this.opts.answerTimeoutMs;
    await waitFor(
      this.state,
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
