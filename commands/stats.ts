import { ApplicationCommandOptionType } from "discord.js";
import type { Command } from "../src/discord/command.ts";
import { statsReply } from "../src/render/stats.ts";
import { getStats } from "../src/services/stats.ts";

export default {
  data: {
    name: "stats",
    description: "Your study statistics with charts (or another member's)",
    options: [
      {
        type: ApplicationCommandOptionType.User,
        name: "member",
        description: "Whose stats (default: yours)",
      },
    ],
  },
  async execute(i, { deps, respond, t }) {
    const target = i.options.getUser("member") ?? i.user;
    const stats = await getStats(deps, { viewerId: i.user.id, targetId: target.id, guildId: i.guildId });
    const onChartError = (err: unknown) => deps.log.error({ err }, "stats chart failed");
    const title = t("stats.chartTitle", { name: target.displayName });
    await respond.reply(await statsReply(stats, title, onChartError, t));
  },
} satisfies Command;
