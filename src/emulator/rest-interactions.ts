/**
 * Interaction callbacks (POST /interactions/{id}/{token}/callback) and the interaction webhook
 * (/webhooks/{app}/{token}[/messages/{id|@original}]): deadline, double-ack, token expiry, follow-ups.
 */
import type { EmulatorContext } from "./context.ts";
import { DiscordHttpError, Errors, invalidFormBody } from "./errors.ts";
import { noContent, ok, type RestRequest, type RestResponse, type Route } from "./http.ts";
import { createMessage, deleteMessage, editMessage } from "./messages.ts";
import { checkUploadSize } from "./rest-channels.ts";
import { apiMessage } from "./serialize.ts";
import type { InteractionRecord, StoredMessage } from "./types.ts";
import {
  MessageFlag,
  validateAutocompleteChoices,
  validateMessageBody,
  validateModal,
} from "./validate-message.ts";

export const CallbackType = {
  ChannelMessageWithSource: 4,
  DeferredChannelMessageWithSource: 5,
  DeferredMessageUpdate: 6,
  UpdateMessage: 7,
  AutocompleteResult: 8,
  Modal: 9,
} as const;

function invalidType(): DiscordHttpError {
  return invalidFormBody([
    {
      path: ["type"],
      code: "INTERACTION_RESPONSE_TYPE_INVALID",
      message: "Invalid interaction response type for this interaction",
    },
  ]);
}

function markAnswered(rec: InteractionRecord, message: StoredMessage | undefined): void {
  if (rec.answeredAt !== undefined) return;
  rec.answeredAt = Date.now();
  rec.answerMessageId = message?.id;
}

export function interactionRoutes(ctx: EmulatorContext): Route[] {
  const { state } = ctx;

  const channelOf = (rec: InteractionRecord) => {
    const channel = state.liveChannel(rec.channelId);
    if (!channel) throw Errors.unknownChannel();
    return channel;
  };

  const callback = (req: RestRequest): RestResponse => {
    const rec = state.interactionsById.get(req.params.id ?? "");
    if (!rec || rec.token !== req.params.token) throw Errors.unknownInteraction();
    const type = Number(req.body?.type);
    const attempt = { at: Date.now(), type, status: 0, code: undefined as number | undefined };
    rec.callbacks.push(attempt);
    try {
      if (rec.acknowledged) throw Errors.alreadyAcknowledged();
      if (Date.now() - rec.dispatchedAt > ctx.firstResponseDeadlineMs) throw Errors.unknownInteraction();
      checkUploadSize(ctx, req.files);
      const message = respond(rec, type, req);
      attempt.status = 200;
      rec.acknowledged = true;
      rec.firstCallbackAt = attempt.at;
      rec.firstCallbackType = type;
      state.changed();
      if (req.query.get("with_response") !== "true") return noContent();
      return ok({
        interaction: {
          id: rec.id,
          type: rec.type,
          ...(message
            ? {
                response_message_id: message.id,
                response_message_loading: (message.flags & MessageFlag.Loading) !== 0,
                response_message_ephemeral: message.ephemeral,
              }
            : {}),
        },
        resource: { type, ...(message ? { message: apiMessage(state, message) } : {}) },
      });
    } catch (error) {
      if (error instanceof DiscordHttpError) {
        attempt.status = error.status;
        attempt.code = error.code;
      }
      throw error;
    }
  };

  /** Applies one accepted callback; returns the message it produced or touched. */
  const respond = (rec: InteractionRecord, type: number, req: RestRequest): StoredMessage | undefined => {
    const data = req.body?.data;
    const isAutocomplete = rec.type === 4;
    const source = rec.sourceMessageId ? state.messagesById.get(rec.sourceMessageId) : undefined;
    switch (type) {
      case CallbackType.ChannelMessageWithSource:
      case CallbackType.DeferredChannelMessageWithSource: {
        if (isAutocomplete) throw invalidType();
        const deferred = type === CallbackType.DeferredChannelMessageWithSource;
        if (!deferred) {
          const problems = validateMessageBody(data ?? {}, ["data"]);
          if (problems.length > 0) throw invalidFormBody(problems);
        }
        const ephemeral = ((data?.flags ?? 0) & MessageFlag.Ephemeral) !== 0;
        const message = createMessage({
          state,
          baseUrl: ctx.baseUrl(),
          channel: channelOf(rec),
          authorId: state.botUser.id,
          body: deferred ? { flags: data?.flags } : (data ?? {}),
          files: deferred ? [] : req.files,
          interactionId: rec.id,
          visibleTo: ephemeral ? rec.userId : undefined,
          loading: deferred,
          validated: true,
        });
        rec.originalMessageId = message.id;
        rec.ephemeral = ephemeral;
        rec.deferred = deferred;
        if (!deferred) markAnswered(rec, message);
        return message;
      }
      case CallbackType.DeferredMessageUpdate:
      case CallbackType.UpdateMessage: {
        if (!source) throw invalidType();
        if (source.deleted) throw Errors.unknownMessage();
        rec.originalMessageId = source.id;
        rec.ephemeral = source.ephemeral;
        if (type === CallbackType.DeferredMessageUpdate) {
          rec.deferred = true;
          return source;
        }
        editMessage(state, ctx.baseUrl(), source, data ?? {}, req.files, ["data"]);
        markAnswered(rec, source);
        return source;
      }
      case CallbackType.AutocompleteResult: {
        if (!isAutocomplete) throw invalidType();
        const problems = validateAutocompleteChoices(data);
        if (problems.length > 0) throw invalidFormBody(problems);
        rec.autocompleteChoices = data.choices;
        markAnswered(rec, undefined);
        return undefined;
      }
      case CallbackType.Modal: {
        if (isAutocomplete || rec.type === 5) throw invalidType();
        const problems = validateModal(data);
        if (problems.length > 0) throw invalidFormBody(problems);
        rec.modal = { custom_id: data.custom_id, title: data.title, components: data.components };
        markAnswered(rec, undefined);
        return undefined;
      }
      default:
        throw invalidType();
    }
  };

  /** The live interaction behind a webhook token, refusing unknown, expired or unacknowledged ones. */
  const byToken = (req: RestRequest): InteractionRecord => {
    const rec = state.interactionsByToken.get(req.params.token ?? "");
    if (!rec || req.params.app !== state.applicationId) throw Errors.unknownWebhook();
    if (state.now() - rec.createdAtEmu > ctx.interactionTokenTtlMs) throw Errors.unknownWebhook();
    if (!rec.acknowledged) throw Errors.unknownWebhook();
    return rec;
  };

  const target = (rec: InteractionRecord, id: string): StoredMessage => {
    const mid = id === "@original" ? rec.originalMessageId : id;
    const m = mid ? state.messagesById.get(mid) : undefined;
    const belongs = m && (m.id === rec.originalMessageId || rec.followUpIds.includes(m.id));
    if (!m || !belongs || m.deleted) throw Errors.unknownMessage();
    return m;
  };

  return [
    { method: "POST", pattern: "/interactions/:id/:token/callback", auth: false, handle: callback },
    {
      method: "POST",
      pattern: "/webhooks/:app/:token",
      auth: false,
      handle: (req) => {
        const rec = byToken(req);
        checkUploadSize(ctx, req.files);
        const ephemeral = ((req.body?.flags ?? 0) & MessageFlag.Ephemeral) !== 0;
        const message = createMessage({
          state,
          baseUrl: ctx.baseUrl(),
          channel: channelOf(rec),
          authorId: state.botUser.id,
          body: req.body,
          files: req.files,
          interactionId: rec.id,
          visibleTo: ephemeral ? rec.userId : undefined,
        });
        rec.followUpIds.push(message.id);
        markAnswered(rec, message);
        state.changed();
        return req.query.get("wait") === "false" ? noContent() : ok(apiMessage(state, message));
      },
    },
    {
      method: "GET",
      pattern: "/webhooks/:app/:token/messages/:message",
      auth: false,
      handle: (req) => ok(apiMessage(state, target(byToken(req), req.params.message ?? ""))),
    },
    {
      method: "PATCH",
      pattern: "/webhooks/:app/:token/messages/:message",
      auth: false,
      handle: (req) => {
        const rec = byToken(req);
        const m = target(rec, req.params.message ?? "");
        checkUploadSize(ctx, req.files);
        editMessage(state, ctx.baseUrl(), m, req.body, req.files);
        markAnswered(rec, m);
        state.changed();
        return ok(apiMessage(state, m));
      },
    },
    {
      method: "DELETE",
      pattern: "/webhooks/:app/:token/messages/:message",
      auth: false,
      handle: (req) => {
        deleteMessage(state, target(byToken(req), req.params.message ?? ""));
        state.changed();
        return noContent();
      },
    },
  ];
}
