/** /channels/{id}[/messages[/{id}]] with Discord's permission and existence checks. */
import type { EmulatorContext } from "./context.ts";
import { DiscordHttpError, Errors } from "./errors.ts";
import { noContent, ok, type RestRequest, type Route, type UploadedFile } from "./http.ts";
import { createMessage, deleteMessage, editMessage } from "./messages.ts";
import { apiChannel, apiMessage } from "./serialize.ts";
import type { ChannelState } from "./state.ts";
import type { StoredMessage } from "./types.ts";

export function checkUploadSize(ctx: EmulatorContext, files: UploadedFile[]): void {
  const total = files.reduce((n, f) => n + f.data.length, 0);
  if (total > ctx.attachmentSizeLimit) throw new DiscordHttpError(413, 40005, "Request entity too large");
}

function channelFor(ctx: EmulatorContext, req: RestRequest): ChannelState {
  const channel = ctx.state.liveChannel(req.params.channel ?? "");
  if (!channel) throw Errors.unknownChannel();
  if (!ctx.state.botAccess(channel).view) throw Errors.missingAccess();
  return channel;
}

/** A message the bot can address through channel routes (ephemeral ones exist only for their interaction). */
function visibleMessage(ctx: EmulatorContext, channel: ChannelState, id: string): StoredMessage {
  const m = ctx.state.messagesById.get(id);
  if (!m || m.channel_id !== channel.id || m.deleted || m.visibleTo !== "everyone")
    throw Errors.unknownMessage();
  return m;
}

export function channelRoutes(ctx: EmulatorContext): Route[] {
  const { state } = ctx;
  return [
    {
      method: "GET",
      pattern: "/channels/:channel",
      auth: true,
      handle: (req) => ok(apiChannel(state, channelFor(ctx, req))),
    },
    {
      method: "GET",
      pattern: "/channels/:channel/messages",
      auth: true,
      handle: (req) => {
        const channel = channelFor(ctx, req);
        const limit = Math.min(100, Number(req.query.get("limit") ?? 50));
        const list = (state.messagesByChannel.get(channel.id) ?? []).filter(
          (m) => !m.deleted && m.visibleTo === "everyone",
        );
        return ok(
          list
            .slice(-limit)
            .reverse()
            .map((m) => apiMessage(state, m)),
        );
      },
    },
    {
      method: "POST",
      pattern: "/channels/:channel/messages",
      auth: true,
      handle: (req) => {
        const channel = channelFor(ctx, req);
        if (!state.botAccess(channel).send) throw Errors.missingPermissions();
        // A message unarchives an archived thread, as on Discord; a locked one refuses it.
        if (channel.thread?.locked) throw new DiscordHttpError(400, 50083, "Thread is archived");
        if (channel.thread?.archived) {
          channel.thread.archived = false;
          ctx.gateway.dispatchGuildEvent(channel.guildId, "THREAD_UPDATE", apiChannel(state, channel));
        }
        checkUploadSize(ctx, req.files);
        const m = createMessage({
          state,
          baseUrl: ctx.baseUrl(),
          channel,
          authorId: state.botUser.id,
          body: req.body,
          files: req.files,
        });
        state.changed();
        return ok(apiMessage(state, m));
      },
    },
    {
      method: "GET",
      pattern: "/channels/:channel/messages/:message",
      auth: true,
      handle: (req) => {
        const channel = channelFor(ctx, req);
        return ok(apiMessage(state, visibleMessage(ctx, channel, req.params.message ?? "")));
      },
    },
    {
      method: "PATCH",
      pattern: "/channels/:channel/messages/:message",
      auth: true,
      handle: (req) => {
        const channel = channelFor(ctx, req);
        const m = visibleMessage(ctx, channel, req.params.message ?? "");
        if (m.author.id !== state.botUser.id) throw Errors.cannotEditOthers();
        checkUploadSize(ctx, req.files);
        editMessage(state, ctx.baseUrl(), m, req.body, req.files);
        state.changed();
        return ok(apiMessage(state, m));
      },
    },
    {
      method: "DELETE",
      pattern: "/channels/:channel/messages/:message",
      auth: true,
      handle: (req) => {
        const channel = channelFor(ctx, req);
        deleteMessage(state, visibleMessage(ctx, channel, req.params.message ?? ""));
        state.changed();
        return noContent();
      },
    },
  ];
}
