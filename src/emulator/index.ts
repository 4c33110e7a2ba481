export type {
  ActAs,
  AutocompleteInput,
  ClickInput,
  InteractionResult,
  RunCommandInput,
  SelectInput,
  SubmitModalInput,
} from "./acting.ts";
export { DiscordEmulator, type EmulatorOptions, type SessionInfo } from "./driver.ts";
export type { AttachmentInput, OptionValue } from "./interactions.ts";
export { ALL_PERMISSIONS, Perm } from "./permissions.ts";
export type { MessageRateLimit, RateLimited } from "./rate-limits.ts";
export type { EmulatorEvents } from "./state.ts";
export type {
  ChannelHandle,
  GuildHandle,
  InteractionCallbackRecord,
  InteractionRecord,
  Json,
  MessageVersion,
  ModalRecord,
  RegisteredCommand,
  Rejection,
  RoleHandle,
  StoredAttachment,
  StoredMessage,
  UserHandle,
} from "./types.ts";
export { MessageFlag } from "./validate-message.ts";
