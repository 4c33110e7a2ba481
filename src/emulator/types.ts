/** Public shapes of the emulator's state. Raw Discord JSON (embeds, components, commands) stays `Json`. */

// biome-ignore lint/suspicious/noExplicitAny: raw Discord JSON as sent by the bot
export type Json = any;

export interface UserHandle {
  readonly id: string;
  readonly name: string;
  readonly bot: boolean;
}

export interface GuildHandle {
  readonly id: string;
  readonly name: string;
}

export interface ChannelHandle {
  readonly id: string;
  readonly guildId: string;
  readonly name: string;
}

export interface RoleHandle {
  readonly id: string;
  readonly guildId: string;
  readonly name: string;
}

export interface StoredAttachment {
  id: string;
  filename: string;
  content_type: string | undefined;
  size: number;
  url: string;
  description?: string | undefined;
  width?: number | undefined;
  height?: number | undefined;
  /** The uploaded bytes: decode them in tests (e.g. check a PNG). */
  data: Buffer;
}

/** One earlier version of a message, pushed to `history` each time the message is edited. */
export interface MessageVersion {
  content: string;
  embeds: Json[];
  components: Json[];
  attachments: StoredAttachment[];
  flags: number;
  /** Emulator-clock ms when this version stopped being current. */
  replacedAt: number;
}

/**
 * A message as the emulator stores it. Objects are live: an edit mutates the object and pushes the
 * previous version onto `history`.
 */
export interface StoredMessage {
  id: string;
  channel_id: string;
  guild_id: string | undefined;
  author: UserHandle;
  content: string;
  embeds: Json[];
  components: Json[];
  attachments: StoredAttachment[];
  /** Discord message flags: 64 = ephemeral, 128 = loading ("thinking…"), 32768 = components v2. */
  flags: number;
  ephemeral: boolean;
  /** "everyone", or the one user id who can see this ephemeral interaction response. */
  visibleTo: "everyone" | string;
  /** The interaction whose response (original or follow-up) this message is. */
  interactionId: string | undefined;
  deleted: boolean;
  /** User ids Discord would actually notify for this message under its allowed_mentions. */
  pings: string[];
  /** `allowed_mentions` as sent (undefined = absent = parse everything). */
  allowed_mentions: Json | undefined;
  message_reference: Json | undefined;
  /** Emulator-clock ms. */
  timestamp: number;
  edited_timestamp: number | undefined;
  history: MessageVersion[];
}

export interface InteractionCallbackRecord {
  /** Real ms (Date.now()). */
  at: number;
  type: number;
  status: number;
  code?: number | undefined;
}

export interface ModalRecord {
  custom_id: string;
  title: string;
  components: Json[];
}

export type InteractionKind = "command" | "component" | "autocomplete" | "modal";

/** Every interaction the emulator dispatched, with what the bot did about it. */
export interface InteractionRecord {
  id: string;
  token: string;
  /** Discord interaction type: 2 command, 3 component, 4 autocomplete, 5 modal submit. */
  type: number;
  kind: InteractionKind;
  userId: string;
  guildId: string;
  channelId: string;
  /** Gateway session(s) it was sent to. */
  sessionIds: string[];
  /** "deck subscribe" for commands/autocomplete; undefined otherwise. */
  commandName: string | undefined;
  customId: string | undefined;
  /** The message a component was clicked on. */
  sourceMessageId: string | undefined;
  /** The exact INTERACTION_CREATE `d` payload that went over the gateway. */
  payload: Json;
  /** Real ms when the INTERACTION_CREATE frame was sent. */
  dispatchedAt: number;
  /** Real ms of the first *accepted* callback; undefined if none yet. */
  firstCallbackAt: number | undefined;
  firstCallbackType: number | undefined;
  /** Every callback attempt, accepted or rejected. */
  callbacks: InteractionCallbackRecord[];
  acknowledged: boolean;
  deferred: boolean;
  ephemeral: boolean;
  /** The @original message id (reply, loading message, or the updated component message). */
  originalMessageId: string | undefined;
  followUpIds: string[];
  /** Real ms when the bot produced a visible answer (see README: what counts as answered). */
  answeredAt: number | undefined;
  /** The message whose send/edit counted as the answer (undefined for autocomplete and modals). */
  answerMessageId: string | undefined;
  autocompleteChoices: Array<{ name: string; value: string | number }> | undefined;
  modal: ModalRecord | undefined;
  /** Emulator-clock ms when the interaction was created (token lives 15 minutes from here). */
  createdAtEmu: number;
}

export interface Rejection {
  method: string;
  path: string;
  status: number;
  code: number;
  message: string;
  /** The error body the emulator answered with. */
  body: Json;
  /** The request body that was refused (parsed JSON or payload_json), if any. */
  request: Json;
  at: number;
}

export interface RegisteredCommand {
  id: string;
  application_id: string;
  guild_id?: string;
  name: string;
  description: string;
  type: number;
  options: Json[];
  version: string;
  default_member_permissions: string | null;
  [key: string]: Json;
}
