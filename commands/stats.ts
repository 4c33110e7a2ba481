import { ApplicationCommandOptionType } from "discord.js";
import type { Command } from "../src/discord/command.ts";
import { statsPng } from "../src/render/chart.ts";
import { renderStats } from "../src/render/stats.ts";
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
  async execute(i, { deps, respond }) {
    const target = i.options.getUser("member") ?? i.user;
    const stats = getStats(deps, { viewerId: i.user.id, targetId: target.id, guildId: i.guildId });
    let png: Buffer | null = null;
    try {
      png = await statsPng(stats, `Study stats · ${target.displayName}`);
    } catch (err) {
      // The figures are still worth sending without the picture.
      deps.log.error({ err }, "stats chart failed");
    }
    await respond.reply(renderStats(stats, png));
  },
} satisfies Command;
