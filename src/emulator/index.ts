export {
  type ActAs,
  type AutocompleteInput,
  type ClickInput,
  DiscordEmulator,
  type EmulatorOptions,
  type InteractionResult,
  type RunCommandInput,
  type SelectInput,
  type SessionInfo,
  type SubmitModalInput,
} from "./driver.ts";
export type { AttachmentInput, OptionValue } from "./interactions.ts";
export { ALL_PERMISSIONS, Perm } from "./permissions.ts";
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
