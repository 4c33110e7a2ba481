/** Permission bits the emulator reasons about (a subset of Discord's). */
export const Perm = {
  CreateInstantInvite: 1n << 0n,
  Administrator: 1n << 3n,
  ManageChannels: 1n << 4n,
  ManageGuild: 1n << 5n,
  AddReactions: 1n << 6n,
  ViewChannel: 1n << 10n,
  SendMessages: 1n << 11n,
  ManageMessages: 1n << 13n,
  EmbedLinks: 1n << 14n,
  AttachFiles: 1n << 15n,
  ReadMessageHistory: 1n << 16n,
  MentionEveryone: 1n << 17n,
  UseExternalEmojis: 1n << 18n,
  ChangeNickname: 1n << 26n,
  ManageRoles: 1n << 28n,
  UseApplicationCommands: 1n << 31n,
  CreatePublicThreads: 1n << 35n,
  SendMessagesInThreads: 1n << 38n,
} as const;

/** Every permission bit Discord currently defines (what ADMINISTRATOR resolves to in payloads). */
export const ALL_PERMISSIONS = (1n << 53n) - 1n;

/** What @everyone may do in a fresh guild. */
export const EVERYONE_DEFAULT =
  Perm.CreateInstantInvite |
  Perm.AddReactions |
  Perm.ViewChannel |
  Perm.SendMessages |
  Perm.EmbedLinks |
  Perm.AttachFiles |
  Perm.ReadMessageHistory |
  Perm.UseExternalEmojis |
  Perm.ChangeNickname |
  Perm.UseApplicationCommands |
  Perm.CreatePublicThreads |
  Perm.SendMessagesInThreads;

/** The bot's managed role. It can mention @everyone on purpose: the emulator must show what a careless bot would ping. */
export const BOT_ROLE_DEFAULT = EVERYONE_DEFAULT | Perm.MentionEveryone | Perm.ManageMessages;

export function resolvePermissions(bits: bigint): bigint {
  return bits & Perm.Administrator ? ALL_PERMISSIONS : bits;
}
