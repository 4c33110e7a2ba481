import {
  ApplicationCommandOptionType,
  type ButtonInteraction,
  ChannelType,
  type ChatInputCommandInteraction,
  InteractionContextType,
  PermissionFlagsBits,
} from "discord.js";
import { UserError } from "../src/core/errors.ts";
import { idsOnMessage } from "../src/discord/clicked-view.ts";
import type { Command, Ctx } from "../src/discord/command.ts";
import { POST_PERMISSIONS } from "../src/discord/guards.ts";
import { choiceOption } from "../src/discord/options.ts";
import { LANGUAGE_NAMES, LOCALES } from "../src/i18n/locales.ts";
import { postTranslator } from "../src/render/post-language.ts";
import { isQuizPostComponent, parseQuizId, QUIZ_PREFIX } from "../src/render/quiz-ids.ts";
import {
  renderAnswerFeedback,
  renderPaused,
  renderPost,
  renderPostedNow,
  renderResumed,
  renderSetupDone,
  renderStatus,
} from "../src/render/quiz-view.ts";
import { renderStudyOpening } from "../src/render/study-view.ts";
import { timezoneChoices } from "../src/render/timezone-choices.ts";
import { answerQuiz } from "../src/services/quiz/answers.ts";
import { pauseQuiz, quizStatus, resumeQuiz, setupQuiz } from "../src/services/quiz/config.ts";
import { postToday } from "../src/services/quiz/tick.ts";
import { openStudy } from "../src/services/study.ts";

const LANGUAGE_CHOICES = ["server", ...LOCALES] as const;

async function execute(i: ChatInputCommandInteraction, ctx: Ctx) {
  if (!i.inGuild()) return; // unreachable: the inServer guard refused it (this narrows the type)
  const { deps, respond } = ctx;
  const { guildId } = i;
  const sub = i.options.getSubcommand();
  if (sub === "status") await respond.reply(renderStatus(await quizStatus(deps, guildId), guildId, ctx.t));
  else if (sub === "setup") {
    const language = choiceOption(i, "language", LANGUAGE_CHOICES);
    const input = {
      channelId: i.options.getChannel("channel", true).id,
      time: i.options.getString("time", true),
      timezone: i.options.getString("timezone", true),
      // Not given: as set before; "server": Discord's language of the server.
      ...(language !== null && { language: language === "server" ? null : language }),
    };
    await respond.reply(renderSetupDone(await setupQuiz(deps, guildId, input), ctx.t));
  } else if (sub === "pause") await respond.reply(renderPaused(await pauseQuiz(deps, guildId), ctx.t));
  else if (sub === "resume") await respond.reply(renderResumed(await resumeQuiz(deps, guildId), ctx.t));
  else if (sub === "now")
    await respond.reply(renderPostedNow(await postToday(deps, ctx.transport, guildId), guildId, ctx.t));
  else throw new UserError(ctx.t("errors.unknownSubcommand", { command: "quiz" }));
}

async function onQuizButton(i: ButtonInteraction, ctx: Ctx) {
  const a = parseQuizId(i.customId);
  if (!a) throw new UserError(ctx.t("errors.olderButton"));
  if (a.action === "review") {
    const view = await openStudy(ctx.deps, i.user.id, i.guildId, null, "daily");
    await ctx.respond.reply(renderStudyOpening(view, ctx.t), { ephemeral: true });
    return;
  }
  // The answer edits the clicked message into the post's view: a crafted id naming another post (sent against
  // today's post, or yesterday's) would replace that message. The clicked message must be the post's own.
  if (!idsOnMessage(i).some((id) => isQuizPostComponent(id, a.postId)))
    throw new UserError(ctx.t("quiz.notThisPost"));
  const r = await answerQuiz(ctx.deps, {
    postId: a.postId,
    guildId: i.guildId,
    userId: i.user.id,
    choice: a.choice,
  });
  // The public post: new tally (or, on a closed post the bot could not edit, its answer).
  // The post is the server's, in its language; the feedback is the member's, in theirs.
  if (r.view) await ctx.respond.update(renderPost(r.view, { t: postTranslator(r.view, i.guildLocale) }));
  await ctx.respond.reply(renderAnswerFeedback(r, ctx.t), { ephemeral: true });
}

export default {
  data: {
    name: "quiz",
    description: "The server's daily quiz: a morning post with due counts and a question of the day",
    default_member_permissions: String(PermissionFlagsBits.ManageGuild),
    contexts: [InteractionContextType.Guild],
    options: [
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: "setup",
        description: "Where and when the daily quiz posts (Manage Server)",
        options: [
          {
            type: ApplicationCommandOptionType.Channel,
            name: "channel",
            description: "The channel to post in",
            required: true,
            channel_types: [ChannelType.GuildText, ChannelType.GuildAnnouncement],
          },
          {
            type: ApplicationCommandOptionType.String,
            name: "time",
            description: "Local time of day, 24-hour HH:MM, e.g. 09:00",
            required: true,
            min_length: 3,
            max_length: 5,
          },
          {
            type: ApplicationCommandOptionType.String,
            name: "timezone",
            description: "IANA timezone, e.g. Europe/Berlin (also the server's study-day timezone)",
            required: true,
            autocomplete: true,
          },
          {
            type: ApplicationCommandOptionType.String,
            name: "language",
            description: "The posts' language (default: the server's language in Discord)",
            choices: [
              { name: "The server's language (Discord)", value: "server" },
              ...LOCALES.map((l) => ({ name: LANGUAGE_NAMES[l], value: l })),
            ],
          },
        ],
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: "status",
        description: "How the daily quiz is set up",
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: "pause",
        description: "Stop posting (Manage Server)",
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: "resume",
        description: "Post again (Manage Server)",
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: "now",
        description: "Post today's quiz now; it counts as today's (Manage Server)",
      },
    ],
  },
  guards: {
    inServer: "guards.inServer.quiz",
    // Hidden from members by default_member_permissions; this is the run-time check behind it.
    manageServer: {
      message: "guards.manageServer.quiz",
      subcommands: ["setup", "pause", "resume", "now"],
    },
    botCanPostIn: { option: "channel", needs: POST_PERMISSIONS },
  },
  execute,
  async autocomplete(i) {
    await i.respond(timezoneChoices(String(i.options.getFocused())));
  },
  buttons: { [QUIZ_PREFIX]: onQuizButton },
} satisfies Command;
