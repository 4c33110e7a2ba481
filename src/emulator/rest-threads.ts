/**
 * Public threads, as Discord serves them: started in a text channel (`POST /channels/{id}/threads`) or from one of
 * its messages (`POST /channels/{id}/messages/{id}/threads`, the thread taking the message's id), archived or
 * renamed (`PATCH /channels/{id}`), deleted (`DELETE /channels/{id}`), listed (`GET /guilds/{id}/threads/active`). Starting one needs the bot's
 * CREATE_PUBLIC_THREADS in the channel; each change dispatches THREAD_CREATE / THREAD_UPDATE / THREAD_DELETE.
 */
import type { EmulatorContext } from "./context.ts";
import { DiscordHttpError, Errors, type FieldProblem, invalidFormBody } from "./errors.ts";
import { ok, type RestRequest, type Route } from "./http.ts";
import { apiChannel } from "./serialize.ts";
import type { ChannelState } from "./state.ts";
import type { Json } from "./types.ts";

const ARCHIVE_MINUTES = [60, 1440, 4320, 10080];
const PUBLIC_THREAD = 11;

function liveChannelFor(ctx: EmulatorContext, req: RestRequest): ChannelState {
  const channel = ctx.state.liveChannel(req.params.channel ?? "");
  if (!channel) throw Errors.unknownChannel();
  if (!ctx.state.botAccess(channel).view) throw Errors.missingAccess();
  return channel;
}

/** The thread's name and archive duration from a create body, checked as Discord checks them. */
function threadBody(body: Json): { name: string; minutes: number } {
  const problems: FieldProblem[] = [];
  const name = typeof body?.name === "string" ? body.name.trim() : "";
  if (name.length < 1 || name.length > 100)
    problems.push({
      path: ["name"],
      code: "BASE_TYPE_BAD_LENGTH",
      message: "Must be between 1 and 100 in length.",
    });
  const minutes = body?.auto_archive_duration ?? 4320;
  if (!ARCHIVE_MINUTES.includes(minutes))
    problems.push({
      path: ["auto_archive_duration"],
      code: "BASE_TYPE_CHOICES",
      message: "Value must be one of (60, 1440, 4320, 10080).",
    });
  if (body?.type !== undefined && body.type !== PUBLIC_THREAD)
    problems.push({
      path: ["type"],
      code: "BASE_TYPE_CHOICES",
      message: "Only public threads (11) are emulated.",
    });
  if (problems.length > 0) throw invalidFormBody(problems);
  return { name, minutes };
}

function startThread(ctx: EmulatorContext, parent: ChannelState, body: Json, id?: string): Json {
  if (parent.thread || (parent.type !== 0 && parent.type !== 5))
    throw new DiscordHttpError(400, 50024, "Cannot execute action on this channel type");
  if (!ctx.state.botAccess(parent).threads) throw Errors.missingPermissions();
  const { name, minutes } = threadBody(body);
  const thread = ctx.state.addThread(parent, name, ctx.state.botUser.id, minutes, id);
  const payload = apiChannel(ctx.state, thread);
  ctx.gateway.dispatchGuildEvent(thread.guildId, "THREAD_CREATE", { ...payload, newly_created: true });
  ctx.state.changed();
  return payload;
}

export function threadRoutes(ctx: EmulatorContext): Route[] {
  const { state } = ctx;
  return [
    {
      method: "GET",
      pattern: "/guilds/:guild/threads/active",
      auth: true,
      handle: (req) => {
        const guild = state.guilds.get(req.params.guild ?? "");
        if (!guild) throw Errors.unknownGuild();
        const threads = state.guildThreads(guild).filter((t) => !t.thread?.archived);
        return ok({ threads: threads.map((t) => apiChannel(state, t)), members: [] });
      },
    },
    {
      method: "POST",
      pattern: "/channels/:channel/threads",
      auth: true,
      handle: (req) => ok(startThread(ctx, liveChannelFor(ctx, req), req.body)),
    },
    {
      method: "POST",
      pattern: "/channels/:channel/messages/:message/threads",
      auth: true,
      handle: (req) => {
        const parent = liveChannelFor(ctx, req);
        const m = state.messagesById.get(req.params.message ?? "");
        if (!m || m.channel_id !== parent.id || m.deleted || m.visibleTo !== "everyone")
          throw Errors.unknownMessage();
        if (state.channels.has(m.id))
          throw new DiscordHttpError(400, 160004, "A thread has already been created for this message");
        return ok(startThread(ctx, parent, req.body, m.id));
      },
    },
    {
      method: "PATCH",
      pattern: "/channels/:channel",
      auth: true,
      handle: (req) => {
        const channel = liveChannelFor(ctx, req);
        const t = channel.thread;
        if (!t) throw Errors.missingPermissions(); // the bot manages no channel here, only its own threads
        if (t.ownerId !== state.botUser.id) throw Errors.missingPermissions();
        const body = req.body ?? {};
        if (typeof body.name === "string") channel.name = threadBody({ name: body.name }).name;
        if (typeof body.archived === "boolean") t.archived = body.archived;
        if (typeof body.locked === "boolean") t.locked = body.locked;
        const payload = apiChannel(state, channel);
        ctx.gateway.dispatchGuildEvent(channel.guildId, "THREAD_UPDATE", payload);
        state.changed();
        return ok(payload);
      },
    },
    {
      method: "DELETE",
      pattern: "/channels/:channel",
      auth: true,
      handle: (req) => {
        const channel = liveChannelFor(ctx, req);
        if (!channel.thread || channel.thread.ownerId !== state.botUser.id) throw Errors.missingPermissions();
        const payload = apiChannel(state, channel);
        channel.deleted = true;
        const { id, guild_id, parent_id, type } = payload;
        ctx.gateway.dispatchGuildEvent(channel.guildId, "THREAD_DELETE", { id, guild_id, parent_id, type });
        state.changed();
        return ok(payload);
      },
    },
  ];
}
