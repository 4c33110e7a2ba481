import { ApplicationCommandOptionType } from "discord.js";
import { UserError } from "../src/core/errors.ts";
import type { Command } from "../src/discord/command.ts";
import { METRIC_NAMES, renderLeaderboard } from "../src/render/leaderboard.ts";
import { leaderboard, METRICS, type Metric, PERIODS, type Period } from "../src/services/leaderboard.ts";

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
  async execute(i, { deps, respond }) {
    if (!i.guildId) throw new UserError("Leaderboards belong to a server: run `/leaderboard` in one.");
    const period = (i.options.getString("period") ?? "week") as Period;
    const metric = (i.options.getString("metric") ?? "points") as Metric;
    if (!PERIODS.includes(period) || !METRICS.includes(metric))
      throw new UserError("Pick a period and a metric from the list.");
    const board = leaderboard(deps, { guildId: i.guildId, userId: i.user.id, period, metric });
    await respond.reply(renderLeaderboard(board), { ephemeral: false });
  },
} satisfies Command;
