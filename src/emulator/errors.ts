/** Discord's JSON error: `{ message, code, errors? }` with an HTTP status. */
export class DiscordHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly errors?: FormErrors,
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    return this.errors === undefined
      ? { message: this.message, code: this.code }
      : { message: this.message, code: this.code, errors: this.errors };
  }
}

/** Nested `{ field: { 0: { sub: { _errors: [{ code, message }] } } } }` as Discord sends for 50035. */
export interface FormErrors {
  [key: string]: FormErrors | Array<{ code: string; message: string }>;
}

export interface FieldProblem {
  path: Array<string | number>;
  code: string;
  message: string;
}

export function invalidFormBody(problems: FieldProblem[]): DiscordHttpError {
  const errors: FormErrors = {};
  for (const p of problems) {
    let node = errors;
    for (const key of p.path) {
      const k = String(key);
      const next = node[k];
      if (next === undefined || Array.isArray(next)) node[k] = {};
      node = node[k] as FormErrors;
    }
    const existing = node._errors;
    const list = Array.isArray(existing) ? existing : [];
    list.push({ code: p.code, message: p.message });
    node._errors = list;
  }
  return new DiscordHttpError(400, 50035, "Invalid Form Body", errors);
}

export const Errors = {
  notFound: () => new DiscordHttpError(404, 0, "404: Not Found"),
  unauthorized: () => new DiscordHttpError(401, 0, "401: Unauthorized"),
  unknownApplication: () => new DiscordHttpError(404, 10002, "Unknown Application"),
  unknownChannel: () => new DiscordHttpError(404, 10003, "Unknown Channel"),
  unknownGuild: () => new DiscordHttpError(404, 10004, "Unknown Guild"),
  unknownMessage: () => new DiscordHttpError(404, 10008, "Unknown Message"),
  unknownMember: () => new DiscordHttpError(404, 10007, "Unknown Member"),
  unknownUser: () => new DiscordHttpError(404, 10013, "Unknown User"),
  unknownWebhook: () => new DiscordHttpError(404, 10015, "Unknown Webhook"),
  unknownCommand: () => new DiscordHttpError(404, 10063, "Unknown application command"),
  unknownInteraction: () => new DiscordHttpError(404, 10062, "Unknown interaction"),
  alreadyAcknowledged: () => new DiscordHttpError(400, 40060, "Interaction has already been acknowledged."),
  missingAccess: () => new DiscordHttpError(403, 50001, "Missing Access"),
  missingPermissions: () => new DiscordHttpError(403, 50013, "Missing Permissions"),
  emptyMessage: () => new DiscordHttpError(400, 50006, "Cannot send an empty message"),
  cannotEditOthers: () => new DiscordHttpError(403, 50005, "Cannot edit a message authored by another user"),
  badRequest: (message: string) => new DiscordHttpError(400, 0, message),
};
