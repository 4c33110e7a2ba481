/**
 * Building INTERACTION_CREATE payloads with everything discord.js needs, and mapping a test's plain
 * `options` object onto the registered command definition (so option types are right).
 */
import { storeAttachment } from "./messages.ts";
import {
  apiAttachment,
  apiChannel,
  apiMember,
  apiMemberBase,
  apiRole,
  apiUser,
  channelPermissions,
} from "./serialize.ts";
import type { ChannelState, EmulatorState, GuildState, UserState } from "./state.ts";
import type { ChannelHandle, Json, RegisteredCommand, RoleHandle, UserHandle } from "./types.ts";
import { OptionType } from "./validate-commands.ts";

/** An attachment option value: the file a user would pick. */
export interface AttachmentInput {
  name: string;
  contentType?: string;
  data: Buffer;
}

export type OptionValue =
  | string
  | number
  | boolean
  | UserHandle
  | ChannelHandle
  | RoleHandle
  | AttachmentInput;

export interface InteractionContext {
  state: EmulatorState;
  baseUrl: string;
  attachmentSizeLimit: number;
}

export function basePayload(
  ctx: InteractionContext,
  args: {
    id: string;
    token: string;
    type: number;
    user: UserState;
    guild: GuildState;
    channel: ChannelState;
    data: Json;
  },
): Json {
  const { state } = ctx;
  const { guild, channel, user } = args;
  const member = guild.members.get(user.id);
  if (!member) throw new Error(`User ${user.username} (${user.id}) is not a member of guild ${guild.name}`);
  const userPerms = channelPermissions(state, guild, channel, user.id).toString();
  return {
    id: args.id,
    application_id: state.applicationId,
    type: args.type,
    data: args.data,
    guild_id: guild.id,
    guild: { id: guild.id, locale: guild.locale, features: [] },
    channel_id: channel.id,
    channel: { ...apiChannel(state, channel), permissions: userPerms },
    member: { ...apiMember(state, member), user: apiUser(user), permissions: userPerms },
    token: args.token,
    version: 1,
    app_permissions: channelPermissions(state, guild, channel, state.botUser.id).toString(),
    locale: user.locale ?? "en-US",
    guild_locale: guild.locale,
    entitlements: [],
    authorizing_integration_owners: { "0": guild.id },
    context: 0,
    attachment_size_limit: ctx.attachmentSizeLimit,
  };
}

/** Finds a registered chat-input command: guild commands of the channel's guild first, then global. */
export function findCommand(state: EmulatorState, guildId: string, name: string): RegisteredCommand {
  const pick = (list: RegisteredCommand[]) => list.find((c) => c.name === name && c.type === 1);
  const found = pick(state.guildCommands.get(guildId) ?? []) ?? pick(state.globalCommands);
  if (!found) {
    const known = [...(state.guildCommands.get(guildId) ?? []), ...state.globalCommands].map(
      (c) => `/${c.name}`,
    );
    throw new Error(`Command /${name} is not registered (registered: ${known.join(", ") || "none"})`);
  }
  return found;
}

interface Resolved {
  users?: Record<string, Json>;
  members?: Record<string, Json>;
  roles?: Record<string, Json>;
  channels?: Record<string, Json>;
  attachments?: Record<string, Json>;
}

function put(resolved: Resolved, key: keyof Resolved, id: string, value: Json): void {
  const bucket = resolved[key] ?? {};
  bucket[id] = value;
  resolved[key] = bucket;
}

export interface BuiltCommandData {
  data: Json;
  /** "deck subscribe" as typed. */
  fullName: string;
}

/**
 * Turns `command: "deck subscribe", options: { deck: "pytorch" }` into Discord's nested `data.options`, typed
 * by the definition. With `focused`, builds an autocomplete payload (the focused value stays a string).
 */
export function buildCommandData(
  ctx: InteractionContext,
  guild: GuildState,
  channel: ChannelState,
  command: string,
  options: Record<string, OptionValue | undefined>,
  focused?: string,
): BuiltCommandData {
  const [name, ...path] = command.trim().split(/\s+/);
  const def = findCommand(ctx.state, guild.id, name ?? "");
  const resolved: Resolved = {};
  let level: Json[] = def.options ?? [];
  const chain: Json[] = [];
  for (const part of path) {
    const sub = level.find(
      (o) => (o.type === OptionType.Subcommand || o.type === OptionType.SubcommandGroup) && o.name === part,
    );
    if (!sub) {
      const subs = level.filter((o) => o.type <= 2).map((o) => o.name);
      throw new Error(
        `/${def.name} has no sub-command "${part}" here (available: ${subs.join(", ") || "none"})`,
      );
    }
    chain.push(sub);
    level = sub.options ?? [];
  }
  if (level.some((o) => o.type === OptionType.Subcommand || o.type === OptionType.SubcommandGroup)) {
    const subs = level.map((o) => o.name).join(", ");
    throw new Error(`/${command} needs a sub-command (one of: ${subs})`);
  }
  for (const key of Object.keys(options)) {
    if (!level.some((o) => o.name === key)) {
      throw new Error(
        `/${command} has no option "${key}" (options: ${level.map((o) => o.name).join(", ") || "none"})`,
      );
    }
  }
  if (focused !== undefined && !level.some((o) => o.name === focused && o.autocomplete)) {
    throw new Error(`/${command} option "${focused}" is not registered with autocomplete: true`);
  }
  const leafOptions: Json[] = [];
  for (const opt of level) {
    const value = options[opt.name];
    if (value === undefined) {
      if (opt.required && focused === undefined)
        throw new Error(`/${command}: required option "${opt.name}" is missing`);
      continue;
    }
    if (opt.name === focused) {
      leafOptions.push({ name: opt.name, type: opt.type, value: String(value), focused: true });
      continue;
    }
    leafOptions.push({
      name: opt.name,
      type: opt.type,
      value: convert(ctx, guild, channel, command, opt, value, resolved),
    });
  }
  let nested: Json[] = leafOptions;
  for (let i = chain.length - 1; i >= 0; i--) {
    const sub = chain[i];
    nested = [{ name: sub.name, type: sub.type, options: nested }];
  }
  const data: Json = { id: def.id, name: def.name, type: 1, options: nested };
  if (def.guild_id) data.guild_id = def.guild_id;
  if (Object.keys(resolved).length > 0) data.resolved = resolved;
  return { data, fullName: [def.name, ...path].join(" ") };
}

function convert(
  ctx: InteractionContext,
  guild: GuildState,
  channel: ChannelState,
  command: string,
  opt: Json,
  value: OptionValue,
  resolved: Resolved,
): string | number | boolean {
  const { state } = ctx;
  const fail = (why: string): never => {
    throw new Error(`/${command} option "${opt.name}": ${why} (got ${JSON.stringify(value)})`);
  };
  const idOf = (v: OptionValue): string =>
    typeof v === "object" && v !== null && "id" in v
      ? v.id
      : typeof v === "string"
        ? v
        : fail("expected a handle or id");
  switch (opt.type) {
    case OptionType.String: {
      if (typeof value !== "string") fail("expected a string");
      const s = value as string;
      if (opt.min_length !== undefined && s.length < opt.min_length)
        fail(`shorter than min_length ${opt.min_length}`);
      if (opt.max_length !== undefined && s.length > opt.max_length)
        fail(`longer than max_length ${opt.max_length}`);
      checkChoice(opt, s, fail);
      return s;
    }
    case OptionType.Integer:
    case OptionType.Number: {
      const n = typeof value === "string" ? Number(value) : value;
      if (typeof n !== "number" || Number.isNaN(n)) return fail("expected a number");
      if (opt.type === OptionType.Integer && !Number.isInteger(n)) fail("expected an integer");
      if (opt.min_value !== undefined && n < opt.min_value) fail(`below min_value ${opt.min_value}`);
      if (opt.max_value !== undefined && n > opt.max_value) fail(`above max_value ${opt.max_value}`);
      checkChoice(opt, n, fail);
      return n;
    }
    case OptionType.Boolean:
      if (typeof value !== "boolean") fail("expected a boolean");
      return value as boolean;
    case OptionType.User:
    case OptionType.Mentionable: {
      const id = idOf(value);
      const user = state.users.get(id);
      if (user) {
        put(resolved, "users", id, apiUser(user));
        const member = guild.members.get(id);
        if (member) {
          put(resolved, "members", id, {
            ...apiMemberBase(member),
            permissions: channelPermissions(state, guild, channel, id).toString(),
          });
        }
        return id;
      }
      const role = guild.roles.get(id);
      if (role && opt.type === OptionType.Mentionable) {
        put(resolved, "roles", id, apiRole(role));
        return id;
      }
      return fail("unknown user");
    }
    case OptionType.Role: {
      const key = idOf(value);
      const role = guild.roles.get(key) ?? [...guild.roles.values()].find((r) => r.name === key);
      if (!role) return fail("unknown role in this guild");
      put(resolved, "roles", role.id, apiRole(role));
      return role.id;
    }
    case OptionType.Channel: {
      const key = idOf(value);
      const target =
        state.liveChannel(key) ?? state.guildChannels(guild).find((c) => c.name === key.replace(/^#/, ""));
      if (!target || target.guildId !== guild.id) return fail("unknown channel in this guild");
      if (Array.isArray(opt.channel_types) && !opt.channel_types.includes(target.type))
        fail("channel type not allowed");
      const { permission_overwrites: _o, position: _p, ...rest } = apiChannel(state, target);
      put(resolved, "channels", target.id, {
        ...rest,
        permissions: channelPermissions(state, guild, target, state.botUser.id).toString(),
      });
      return target.id;
    }
    case OptionType.Attachment: {
      if (typeof value !== "object" || value === null || !("data" in value) || !Buffer.isBuffer(value.data)) {
        return fail("expected { name, contentType?, data: Buffer }");
      }
      const file = value as AttachmentInput;
      if (file.data.length > ctx.attachmentSizeLimit)
        fail(`larger than attachment_size_limit ${ctx.attachmentSizeLimit}`);
      const att = storeAttachment(state, ctx.baseUrl, channel.id, {
        filename: file.name,
        contentType: file.contentType,
        data: file.data,
      });
      put(resolved, "attachments", att.id, { ...apiAttachment(att), ephemeral: true });
      return att.id;
    }
    default:
      return fail(`unsupported option type ${opt.type}`);
  }
}

function checkChoice(opt: Json, value: string | number, fail: (why: string) => never): void {
  if (!Array.isArray(opt.choices) || opt.choices.length === 0) return;
  if (!opt.choices.some((c: Json) => c.value === value)) {
    fail(
      `not one of the registered choices (${opt.choices.map((c: Json) => JSON.stringify(c.value)).join(", ")})`,
    );
  }
}

/** Finds a component in a message's (possibly nested) components. */
export function findComponent(components: Json[], match: (c: Json) => boolean): Json | undefined {
  for (const c of components) {
    if (match(c)) return c;
    const inner = [
      ...(Array.isArray(c?.components) ? c.components : []),
      ...(c?.accessory ? [c.accessory] : []),
    ];
    const found = findComponent(inner, match);
    if (found) return found;
  }
  return undefined;
}

export function allComponents(components: Json[]): Json[] {
  const out: Json[] = [];
  findComponent(components, (c) => {
    out.push(c);
    return false;
  });
  return out;
}
