/** /applications/{app}/commands and /applications/{app}/guilds/{guild}/commands. */
import type { EmulatorContext } from "./context.ts";
import { Errors, invalidFormBody } from "./errors.ts";
import { noContent, ok, type RestRequest, type Route } from "./http.ts";
import type { Json, RegisteredCommand } from "./types.ts";
import { validateCommand, validateCommandList } from "./validate-commands.ts";

export function commandRoutes(ctx: EmulatorContext): Route[] {
  const { state } = ctx;

  const scope = (req: RestRequest): { list: RegisteredCommand[]; guildId: string | undefined } => {
    if (req.params.app !== state.applicationId) throw Errors.unknownApplication();
    const guildId = req.params.guild;
    if (guildId === undefined) return { list: state.globalCommands, guildId };
    if (!state.guilds.has(guildId)) throw Errors.missingAccess();
    let list = state.guildCommands.get(guildId);
    if (!list) {
      list = [];
      state.guildCommands.set(guildId, list);
    }
    return { list, guildId };
  };

  const build = (
    raw: Json,
    guildId: string | undefined,
    previous: RegisteredCommand | undefined,
  ): RegisteredCommand => {
    const type = raw.type ?? 1;
    return {
      ...raw,
      id: previous?.id ?? state.ids.next(),
      application_id: state.applicationId,
      ...(guildId ? { guild_id: guildId } : {}),
      name: raw.name,
      name_localizations: raw.name_localizations ?? null,
      description: type === 1 ? raw.description : "",
      description_localizations: raw.description_localizations ?? null,
      type,
      options: raw.options ?? [],
      default_member_permissions: raw.default_member_permissions ?? null,
      dm_permission: raw.dm_permission ?? true,
      contexts: raw.contexts ?? null,
      integration_types: raw.integration_types ?? [0],
      nsfw: raw.nsfw ?? false,
      version: state.ids.next(),
    };
  };

  const find = (list: RegisteredCommand[], raw: Json) =>
    list.find((c) => c.name === raw?.name && c.type === (raw?.type ?? 1));

  const routes = (prefix: string): Route[] => [
    {
      method: "GET",
      pattern: `${prefix}/commands`,
      auth: true,
      handle: (req) => ok(scope(req).list),
    },
    {
      method: "PUT",
      pattern: `${prefix}/commands`,
      auth: true,
      handle: (req) => {
        const { list, guildId } = scope(req);
        const problems = validateCommandList(req.body);
        if (problems.length > 0) throw invalidFormBody(problems);
        const next = (req.body as Json[]).map((raw) => build(raw, guildId, find(list, raw)));
        list.splice(0, list.length, ...next);
        state.changed();
        return ok(next);
      },
    },
    {
      method: "POST",
      pattern: `${prefix}/commands`,
      auth: true,
      handle: (req) => {
        const { list, guildId } = scope(req);
        const problems = validateCommand(req.body, []);
        if (problems.length > 0) throw invalidFormBody(problems);
        const previous = find(list, req.body);
        const cmd = build(req.body, guildId, previous);
        if (previous) list.splice(list.indexOf(previous), 1, cmd);
        else list.push(cmd);
        state.changed();
        return { status: previous ? 200 : 201, body: cmd };
      },
    },
    {
      method: "GET",
      pattern: `${prefix}/commands/:command`,
      auth: true,
      handle: (req) => {
        const cmd = scope(req).list.find((c) => c.id === req.params.command);
        if (!cmd) throw Errors.unknownCommand();
        return ok(cmd);
      },
    },
    {
      method: "PATCH",
      pattern: `${prefix}/commands/:command`,
      auth: true,
      handle: (req) => {
        const { list, guildId } = scope(req);
        const index = list.findIndex((c) => c.id === req.params.command);
        const current = list[index];
        if (!current) throw Errors.unknownCommand();
        const merged = { ...current, ...req.body };
        const problems = validateCommand(merged, []);
        if (problems.length > 0) throw invalidFormBody(problems);
        const cmd = build(merged, guildId, current);
        list.splice(index, 1, cmd);
        state.changed();
        return ok(cmd);
      },
    },
    {
      method: "DELETE",
      pattern: `${prefix}/commands/:command`,
      auth: true,
      handle: (req) => {
        const { list } = scope(req);
        const index = list.findIndex((c) => c.id === req.params.command);
        if (index < 0) throw Errors.unknownCommand();
        list.splice(index, 1);
        state.changed();
        return noContent();
      },
    },
  ];

  return [...routes("/applications/:app"), ...routes("/applications/:app/guilds/:guild")];
}
