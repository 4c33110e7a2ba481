import {
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type InteractionReplyOptions,
  type InteractionUpdateOptions,
  MessageFlags,
  type ModalComponentData,
  type ModalSubmitInteraction,
} from "discord.js";
import type { MessagePayload } from "../render/components.ts";

/** `attachments: []` drops a message's files when it is updated (a question whose file is used up). */
type Payload = Partial<MessagePayload> & { files?: InteractionReplyOptions["files"]; attachments?: [] };

/**
 * Answers one interaction exactly once, whatever the timing: the first answer is a reply (commands) or an
 * update of the clicked message (buttons); if the router already deferred because the work was slow, the same
 * call becomes an edit of the deferred response. Later messages go out as follow-ups.
 */
export class Responder {
  private deferring: Promise<unknown> | null = null;
  private answered = false;

  constructor(
    private readonly i: ChatInputCommandInteraction | ButtonInteraction | ModalSubmitInteraction,
    private readonly ephemeralByDefault: boolean,
  ) {}

  get done(): boolean {
    return this.answered;
  }

  /** Called by the router's timer: acknowledge now so Discord's 3-second window cannot close. */
  defer(): Promise<unknown> {
    if (this.answered || this.deferring) return this.deferring ?? Promise.resolve();
    this.deferring = this.i.isButton()
      ? this.i.deferUpdate()
      : this.i.deferReply(this.ephemeralByDefault ? { flags: MessageFlags.Ephemeral } : {});
    return this.deferring;
  }

  /** A new message in reply to a command (or, for a button, a new ephemeral message). */
  async reply(p: Payload, opts: { ephemeral?: boolean } = {}): Promise<void> {
    const ephemeral = opts.ephemeral ?? this.ephemeralByDefault;
    const body = { ...p, allowedMentions: p.allowed_mentions ?? { parse: [] } } as InteractionReplyOptions;
    if (this.deferring) {
      await this.deferring;
      if (this.i.isButton())
        await this.i.followUp({ ...body, flags: ephemeral ? MessageFlags.Ephemeral : undefined });
      else await this.i.editReply(body as Parameters<typeof this.i.editReply>[0]);
    } else if (this.answered) {
      await this.i.followUp({ ...body, flags: ephemeral ? MessageFlags.Ephemeral : undefined });
    } else {
      this.answered = true;
      await this.i.reply({ ...body, flags: ephemeral ? MessageFlags.Ephemeral : undefined });
    }
    this.answered = true;
  }

  /** Shows a modal: only as the first answer of a command or a button (Discord allows no modal after a defer). */
  async modal(m: ModalComponentData): Promise<void> {
    if (this.i.isModalSubmit() || this.answered || this.deferring)
      throw new Error("a modal can only be the first answer of a command or a button");
    this.answered = true;
    await this.i.showModal(m);
  }

  /** Replace the clicked message (buttons) or the command's reply. */
  async update(p: Payload): Promise<void> {
    // content null clears a notice left by the previous render (an absent key would keep it).
    const body = { ...p, content: p.content ?? null, allowedMentions: p.allowed_mentions ?? { parse: [] } };
    if (!this.i.isButton()) return this.reply(p);
    if (this.deferring) {
      await this.deferring;
      await this.i.editReply(body as InteractionUpdateOptions);
    } else if (this.answered) {
      await this.i.editReply(body as InteractionUpdateOptions);
    } else {
      this.answered = true;
      await this.i.update(body as InteractionUpdateOptions);
    }
    this.answered = true;
  }
}
