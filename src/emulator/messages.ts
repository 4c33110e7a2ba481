/** Creating and editing stored messages from a bot's request body + uploaded files. */
import { Errors, invalidFormBody } from "./errors.ts";
import type { UploadedFile } from "./http.ts";
import { computePings } from "./mentions.ts";
import type { ChannelState, EmulatorState } from "./state.ts";
import type { Json, StoredAttachment, StoredMessage } from "./types.ts";
import { MessageFlag, validateMessageBody } from "./validate-message.ts";

/** Width/height from a PNG's IHDR chunk, so `attachment.width` looks like Discord's. */
function pngSize(data: Buffer): { width: number; height: number } | undefined {
  const sig = "89504e470d0a1a0a";
  if (data.length < 24 || data.subarray(0, 8).toString("hex") !== sig) return undefined;
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}

export function storeAttachment(
  state: EmulatorState,
  baseUrl: string,
  channelId: string,
  file: { filename: string; contentType: string | undefined; data: Buffer; description?: string | undefined },
): StoredAttachment {
  const id = state.ids.next();
  const size = pngSize(file.data);
  const att: StoredAttachment = {
    id,
    filename: file.filename,
    content_type: file.contentType,
    size: file.data.length,
    url: `${baseUrl}/attachments/${channelId}/${id}/${encodeURIComponent(file.filename)}`,
    description: file.description,
    width: size?.width,
    height: size?.height,
    data: file.data,
  };
  state.attachments.set(id, att);
  return att;
}

/**
 * Resolves the attachments a body asks for: `attachments: [{ id: "0" }]` refers to `files[0]`; an existing
 * attachment's snowflake keeps it (edits). Without an `attachments` array: existing ones stay, all files are added.
 */
function resolveAttachments(
  state: EmulatorState,
  baseUrl: string,
  channelId: string,
  body: Json,
  files: UploadedFile[],
  existing: StoredAttachment[],
): StoredAttachment[] {
  const byIndex = new Map(files.map((f) => [String(f.index), f]));
  const listed: Json[] | undefined = Array.isArray(body?.attachments) ? body.attachments : undefined;
  if (!listed) {
    return [...existing, ...files.map((f) => storeAttachment(state, baseUrl, channelId, f))];
  }
  const out: StoredAttachment[] = [];
  for (const entry of listed) {
    const id = String(entry?.id);
    const file = byIndex.get(id);
    if (file) {
      out.push(
        storeAttachment(state, baseUrl, channelId, {
          ...file,
          filename: typeof entry.filename === "string" ? entry.filename : file.filename,
          description: entry.description,
        }),
      );
      byIndex.delete(id);
      continue;
    }
    const kept = existing.find((a) => a.id === id);
    if (kept) out.push(kept);
  }
  return out;
}

function isEmpty(m: Pick<StoredMessage, "content" | "embeds" | "attachments" | "components">): boolean {
  return (
    m.content.trim() === "" &&
    m.embeds.length === 0 &&
    m.attachments.length === 0 &&
    m.components.length === 0
  );
}

export interface CreateMessageInput {
  state: EmulatorState;
  baseUrl: string;
  channel: ChannelState;
  authorId: string;
  body: Json;
  files: UploadedFile[];
  interactionId?: string | undefined;
  /** Ephemeral interaction responses are visible to one user. */
  visibleTo?: string | undefined;
  /** A deferred ("thinking…") message: may be empty, pings computed when first edited. */
  loading?: boolean;
  /** Skip field validation (already done by the caller, e.g. for a callback body). */
  validated?: boolean;
}

export function createMessage(input: CreateMessageInput): StoredMessage {
  const { state, channel, body } = input;
  if (!input.validated) {
    const problems = validateMessageBody(body ?? {});
    if (problems.length > 0) throw invalidFormBody(problems);
  }
  const flagsIn = typeof body?.flags === "number" ? body.flags : 0;
  const ephemeral = input.visibleTo !== undefined;
  const flags =
    (flagsIn & (MessageFlag.ComponentsV2 | MessageFlag.SuppressNotifications | 4)) |
    (ephemeral ? MessageFlag.Ephemeral : 0) |
    (input.loading ? MessageFlag.Loading : 0);
  const author = state.users.get(input.authorId) ?? state.botUser;
  const reference = body?.message_reference;
  const referenced = reference?.message_id ? state.messagesById.get(String(reference.message_id)) : undefined;
  if (reference?.message_id && !referenced && reference.fail_if_not_exists !== false) {
    throw invalidFormBody([
      { path: ["message_reference"], code: "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", message: "Unknown message" },
    ]);
  }
  const message: StoredMessage = {
    id: state.ids.next(),
    channel_id: channel.id,
    guild_id: channel.guildId,
    author: state.handle(author),
    content: typeof body?.content === "string" ? body.content : "",
    embeds: Array.isArray(body?.embeds) ? body.embeds : [],
    components: Array.isArray(body?.components) ? body.components : [],
    attachments: resolveAttachments(state, input.baseUrl, channel.id, body, input.files, []),
    flags,
    ephemeral,
    visibleTo: input.visibleTo ?? "everyone",
    interactionId: input.interactionId,
    deleted: false,
    pings: [],
    allowed_mentions: body?.allowed_mentions ?? undefined,
    message_reference: referenced
      ? {
          message_id: referenced.id,
          channel_id: referenced.channel_id,
          guild_id: referenced.guild_id,
          type: 0,
        }
      : undefined,
    timestamp: Date.now(),
    edited_timestamp: undefined,
    history: [],
  };
  if (!input.loading && isEmpty(message)) throw Errors.emptyMessage();
  if (!input.loading) message.pings = pingsFor(state, message, referenced?.author.id);
  state.storeMessage(message);
  return message;
}

function pingsFor(state: EmulatorState, m: StoredMessage, repliedUserId: string | undefined): string[] {
  if (m.flags & MessageFlag.SuppressNotifications) return [];
  const pings = computePings({
    state,
    guild: m.guild_id ? state.guilds.get(m.guild_id) : undefined,
    authorId: m.author.id,
    content: m.content,
    allowedMentions: m.allowed_mentions,
    repliedUserId,
  });
  // An ephemeral message can only ever reach the one user who sees it.
  return m.visibleTo === "everyone" ? pings : pings.filter((id) => id === m.visibleTo);
}

/** Applies an edit (PATCH body) in place, keeping the previous version in `history`. */
export function editMessage(
  state: EmulatorState,
  baseUrl: string,
  m: StoredMessage,
  body: Json,
  files: UploadedFile[],
  /** Where the body sits in the request, for error paths (["data"] inside an interaction callback). */
  errorPath: Array<string | number> = [],
): void {
  const problems = validateMessageBody(body ?? {}, errorPath);
  if (problems.length > 0) throw invalidFormBody(problems);
  const next = {
    content: body?.content !== undefined ? (typeof body.content === "string" ? body.content : "") : m.content,
    embeds: body?.embeds !== undefined ? (Array.isArray(body.embeds) ? body.embeds : []) : m.embeds,
    components:
      body?.components !== undefined ? (Array.isArray(body.components) ? body.components : []) : m.components,
    attachments:
      body?.attachments !== undefined || files.length > 0
        ? resolveAttachments(state, baseUrl, m.channel_id, body, files, m.attachments)
        : m.attachments,
  };
  if (isEmpty(next)) throw Errors.emptyMessage();
  const wasLoading = (m.flags & MessageFlag.Loading) !== 0;
  m.history.push({
    content: m.content,
    embeds: m.embeds,
    components: m.components,
    attachments: m.attachments,
    flags: m.flags,
    replacedAt: state.now(),
  });
  Object.assign(m, next);
  let flags = m.flags & ~MessageFlag.Loading;
  if (typeof body?.flags === "number") {
    flags = (flags & ~(MessageFlag.ComponentsV2 | 4)) | (body.flags & (MessageFlag.ComponentsV2 | 4));
  }
  m.flags = flags;
  if (body?.allowed_mentions !== undefined) m.allowed_mentions = body.allowed_mentions ?? undefined;
  m.edited_timestamp = wasLoading ? undefined : Date.now();
  // Edits never notify anyone, except the first edit of a deferred ("thinking…") response, which is its send.
  if (wasLoading) m.pings = pingsFor(state, m, undefined);
  state.emit("messageUpdate", m);
}

export function deleteMessage(state: EmulatorState, m: StoredMessage): void {
  m.deleted = true;
  state.emit("messageDelete", m);
}
