/**
 * Who Discord would actually notify for a message, under its allowed_mentions rules:
 * - allowed_mentions absent → parse users, roles and @everyone, and ping the replied-to author;
 * - present → only what `parse` names, plus the explicit `users` / `roles` lists (which whitelist mentions
 *   that are in the content; they never ping someone not mentioned), and the replied user only if
 *   `replied_user: true`;
 * - `@everyone` / `@here` pings every member (when parsed and the author may mention everyone);
 * - `<@&role>` pings members with that role (when the role is mentionable or the author may mention everyone);
 * - `<@id>` / `<@!id>` pings that member. Embeds never ping. The author is never pinged.
 */
import type { FieldProblem } from "./errors.ts";
import { Perm, resolvePermissions } from "./permissions.ts";
import type { EmulatorState, GuildState } from "./state.ts";
import type { Json } from "./types.ts";

export interface MentionContext {
  state: EmulatorState;
  guild: GuildState | undefined;
  authorId: string;
  content: string;
  allowedMentions: Json | undefined;
  /** Author of the message being replied to, if this is a reply. */
  repliedUserId: string | undefined;
}

export function computePings(ctx: MentionContext): string[] {
  const { guild, state } = ctx;
  if (!guild) return [];
  const am = ctx.allowedMentions;
  const parse = new Set<string>(
    am === undefined || am === null ? ["users", "roles", "everyone"] : (am.parse ?? []),
  );
  const allowedUsers = new Set<string>(am?.users ?? []);
  const allowedRoles = new Set<string>(am?.roles ?? []);
  const repliedUser = am === undefined || am === null ? true : am.replied_user === true;
  const mayMentionEveryone = Boolean(
    resolvePermissions(state.memberPermissions(guild, ctx.authorId)) & Perm.MentionEveryone,
  );

  const pinged = new Set<string>();
  const content = ctx.content;

  if (parse.has("everyone") && mayMentionEveryone && /@(everyone|here)/.test(content)) {
    for (const id of guild.members.keys()) pinged.add(id);
  }
  for (const match of content.matchAll(/<@!?(\d+)>/g)) {
    const id = match[1] ?? "";
    if ((parse.has("users") || allowedUsers.has(id)) && guild.members.has(id)) pinged.add(id);
  }
  for (const match of content.matchAll(/<@&(\d+)>/g)) {
    const roleId = match[1] ?? "";
    const role = guild.roles.get(roleId);
    if (!role || !(parse.has("roles") || allowedRoles.has(roleId))) continue;
    if (!role.mentionable && !mayMentionEveryone) continue;
    for (const member of guild.members.values()) if (member.roles.includes(roleId)) pinged.add(member.userId);
  }
  if (repliedUser && ctx.repliedUserId && guild.members.has(ctx.repliedUserId)) pinged.add(ctx.repliedUserId);

  pinged.delete(ctx.authorId);
  return [...pinged].sort();
}

/** Discord's own checks on allowed_mentions (400 50035 when they fail). */
export function validateAllowedMentions(am: Json, path: Array<string | number>): FieldProblem[] {
  if (am === undefined || am === null) return [];
  const problems: FieldProblem[] = [];
  const parse: unknown = am.parse ?? [];
  if (!Array.isArray(parse) || parse.some((p) => !["users", "roles", "everyone"].includes(p))) {
    problems.push({
      path: [...path, "parse"],
      code: "BASE_TYPE_CHOICES",
      message: "Value must be one of users, roles, everyone.",
    });
  }
  const p = Array.isArray(parse) ? parse : [];
  if (p.includes("users") && Array.isArray(am.users) && am.users.length > 0) {
    problems.push({
      path: [...path, "parse"],
      code: "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
      message: 'parse:["users"] and users: [ids...] are mutually exclusive.',
    });
  }
  if (p.includes("roles") && Array.isArray(am.roles) && am.roles.length > 0) {
    problems.push({
      path: [...path, "parse"],
      code: "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
      message: 'parse:["roles"] and roles: [ids...] are mutually exclusive.',
    });
  }
  for (const key of ["users", "roles"] as const) {
    if (Array.isArray(am[key]) && am[key].length > 100) {
      problems.push({
        path: [...path, key],
        code: "BASE_TYPE_MAX_LENGTH",
        message: "Must be 100 or fewer in length.",
      });
    }
  }
  return problems;
}
