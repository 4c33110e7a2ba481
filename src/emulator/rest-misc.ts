/** Gateway discovery, the bot's user and application, guild look-ups. */
import type { EmulatorContext } from "./context.ts";
import { Errors } from "./errors.ts";
import { ok, type RestRequest, type Route } from "./http.ts";
import { apiChannel, apiGuildCreate, apiMember, apiRole, apiUser } from "./serialize.ts";
import { recommendedShards } from "./shards.ts";
import type { GuildState } from "./state.ts";

export function miscRoutes(ctx: EmulatorContext): Route[] {
  const { state } = ctx;
  const gatewayUrl = () => `${ctx.baseUrl().replace(/^http/, "ws")}/gateway`;
  const application = () => ({
    id: state.applicationId,
    name: state.botUser.username,
    icon: null,
    description: "",
    summary: "",
    bot_public: false,
    bot_require_code_grant: false,
    verify_key: "0".repeat(64),
    flags: 0,
    owner: { id: "0", username: "owner", discriminator: "0", avatar: null, global_name: "owner" },
    team: null,
    bot: apiUser(state.botUser),
    approximate_guild_count: state.guilds.size,
    install_params: { scopes: ["bot", "applications.commands"], permissions: "0" },
    integration_types_config: { "0": {} },
  });
  const guildOf = (req: RestRequest): GuildState => {
    const guild = state.guilds.get(req.params.guild ?? "");
    if (!guild) throw Errors.unknownGuild();
    return guild;
  };

  return [
    {
      method: "GET",
      pattern: "/gateway/bot",
      auth: true,
      handle: () =>
        ok({
          url: gatewayUrl(),
          shards: recommendedShards(state.guilds.size),
          session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 },
        }),
    },
    { method: "GET", pattern: "/gateway", auth: false, handle: () => ok({ url: gatewayUrl() }) },
    { method: "GET", pattern: "/users/@me", auth: true, handle: () => ok(apiUser(state.botUser)) },
    {
      method: "GET",
      pattern: "/users/:user",
      auth: true,
      handle: (req) => {
        const user = state.users.get(req.params.user ?? "");
        if (!user) throw Errors.unknownUser();
        return ok(apiUser(user));
      },
    },
    { method: "GET", pattern: "/applications/@me", auth: true, handle: () => ok(application()) },
    { method: "GET", pattern: "/oauth2/applications/@me", auth: true, handle: () => ok(application()) },
    {
      method: "GET",
      pattern: "/guilds/:guild",
      auth: true,
      handle: (req) => {
        const {
          members: _m,
          channels: _c,
          threads: _t,
          presences: _p,
          voice_states: _v,
          ...rest
        } = apiGuildCreate(state, guildOf(req));
        return ok(rest);
      },
    },
    {
      method: "GET",
      pattern: "/guilds/:guild/channels",
      auth: true,
      handle: (req) => ok(state.guildChannels(guildOf(req)).map((c) => apiChannel(state, c))),
    },
    {
      method: "GET",
      pattern: "/guilds/:guild/roles",
      auth: true,
      handle: (req) => ok([...guildOf(req).roles.values()].map(apiRole)),
    },
    {
      method: "GET",
      pattern: "/guilds/:guild/members/:user",
      auth: true,
      handle: (req) => {
        const member = guildOf(req).members.get(req.params.user ?? "");
        if (!member) throw Errors.unknownMember();
        return ok(apiMember(state, member));
      },
    },
  ];
}
