import type { Command } from "../src/discord/command.ts";
import { renderHelp } from "../src/render/help.ts";

export default {
  data: { name: "help", description: "What this bot does and how to use it" },
  async execute(_i, { respond, t }) {
    await respond.reply(renderHelp(t));
  },
} satisfies Command;
