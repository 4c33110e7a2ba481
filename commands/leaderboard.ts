import { ApplicationCommandOptionType } from "discord.js";
import type { Command } from "../src/discord/command.ts";
import { choiceOption } from "../src/discord/options.ts";
import { METRIC_NAMES, renderLeaderboard } from "../src/render/leaderboard.ts";
import { leaderboard, METRICS, PERIODS, type Period } from "../src/services/leaderboard.ts";

const PERIOD_NAMES: Record<Period, string> = {
  today: "Today (server day)",
  week: "Last 7 days",
  month: "Last 30 days",
  all: "All time",
};

export default {
  data: {
    name: "leaderboard",
    description: "This server's study leaderboard",
    contexts: [0],
    options: [
      {
        type: ApplicationCommandOptionType.String,
        name: "period",
        description: "Which days count (default: last 7 days)",
        choices: PERIODS.map((p) => ({ name: PERIOD_NAMES[p], value: p })),
      },
      {
        type: ApplicationCommandOptionType.String,
        name: "metric",
        description: "What is ranked (default: points)",
        choices: METRICS.map((m) => ({ name: METRIC_NAMES[m], value: m })),
      },
    ],
  },
  ephemeral: false,
  guards: { inServer: "guards.inServer.leaderboard" },
  async execute(i, { deps, respond, t }) {
    if (!i.inGuild()) return; // the inServer guard has answered; this narrows guildId to a string
    const period = choiceOption(i, "period", PERIODS, "week");
    const metric = choiceOption(i, "metric", METRICS, "points");
    const board = await leaderboard(deps, { guildId: i.guildId, userId: i.user.id, period, metric });
    await respond.reply(renderLeaderboard(board, t), { ephemeral: false });
  },
} satisfies Command;
