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
import { NO_PINGS } from "../src/render/limits.ts";
import { isQuizPostComponent, parseQuizId, QUIZ_PREFIX } from "../src/render/quiz-ids.ts";
import { formatLocalTime, renderAnswerFeedback, renderPost, renderStatus } from "../src/render/quiz-view.ts";
import { renderStudyOpening } from "../src/render/study-view.ts";
import { timezoneChoices } from "../src/render/timezone-choices.ts";
import {
  answerQuiz,
  pauseQuiz,
  postToday,
  quizStatus,
  resumeQuiz,
  setupQuiz,
  validateSetup,
  viewOfPost,
} from "../src/services/quiz.ts";
import { openStudy } from "../src/services/study.ts";

/** What the bot needs in the quiz channel to post the daily embed. */
const NEEDED = [
  [PermissionFlagsBits.ViewChannel, "View Channel"],
  [PermissionFlagsBits.SendMessages, "Send Messages"],
  [PermissionFlagsBits.EmbedLinks, "Embed Links"],
] as const;

const note = (content: string) => ({ content, embeds: [], components: [], allowed_mentions: NO_PINGS });
const when = (at: number, zone: string) =>
  `${formatLocalTime(at, zone)} (${zone}) · <t:${Math.floor(at / 1000)}:R>`;

function guildOf(i: ChatInputCommandInteraction): string {
  if (!i.guildId) throw new UserError("The daily quiz belongs to a server: use this command there.");
  return i.guildId;
}

/** The command is hidden from members by default_member_permissions; this is the run-time check behind it. */
function requireManager(i: ChatInputCommandInteraction): void {
  if (!i.memberPermissions?.has(PermissionFlagsBits.ManageGuild))
    throw new UserError("You need the **Manage Server** permission to change the daily quiz.");
}

/** Refuses a channel the bot cannot post the quiz in (checked on the bot's own permissions there). */
function checkChannel(i: ChatInputCommandInteraction, channelId: string): void {
  const channel = i.guild?.channels.cache.get(channelId);
  if (!channel?.isTextBased() || channel.isThread() || channel.isVoiceBased())
    throw new UserError(`I can't post the quiz in <#${channelId}>: pick a text or announcement channel.`);
  const me = i.guild?.members.me ?? i.client.user;
  const perms = channel.permissionsFor(me);
  const missing = NEEDED.filter(([bit]) => !perms?.has(bit)).map(([, name]) => name);
  if (missing.length)
    throw new UserError(
      `I can't post in <#${channelId}>: I'm missing **${missing.join(", ")}** there. ` +
        "Give me View Channel, Send Messages and Embed Links in that channel, or pick another one. Nothing was changed.",
    );
}

async function execute(i: ChatInputCommandInteraction, ctx: Ctx) {
  const { deps, respond } = ctx;
  const guildId = guildOf(i);
  const sub = i.options.getSubcommand();
  if (sub === "status") {
    await respond.reply(renderStatus(quizStatus(deps, guildId), guildId));
    return;
  }
  requireManager(i);
  if (sub === "setup") {
    const channel = i.options.getChannel("channel", true);
    const input = {
      channelId: channel.id,
      time: i.options.getString("time", true),
      timezone: i.options.getString("timezone", true),
    };
    validateSetup(input); // time, then zone: a clear message and nothing written
    checkChannel(i, channel.id);
    const cfg = setupQuiz(deps, guildId, input);
    await respond.reply(
      note(
        [
          `The daily quiz will post in <#${cfg.channelId}> every day at **${cfg.time}** ${cfg.timezone}.`,
          cfg.paused
            ? "It is paused: `/quiz resume` to start it."
            : `Next post: ${when(cfg.nextRunAt, cfg.timezone)}.`,
          `This server's study days now follow ${cfg.timezone} too.`,
        ].join("\n"),
      ),
    );
  } else if (sub === "pause") {
    const r = pauseQuiz(deps, guildId);
    await respond.reply(note(r.changed ? "The daily quiz is paused." : "The daily quiz was already paused."));
  } else if (sub === "resume") {
    const r = resumeQuiz(deps, guildId);
    const zone = quizStatus(deps, guildId).config?.timezone ?? "UTC";
    await respond.reply(
      note(
        `${r.changed ? "The daily quiz is back on." : "The daily quiz was not paused."} Next post: ${when(r.next.at, zone)}.`,
      ),
    );
  } else if (sub === "now") {
    const r = await postToday(deps, ctx.transport, guildId);
    await respond.reply(
      note(
        r.kind === "posted"
          ? `Today's quiz is posted: https://discord.com/channels/${guildId}/${r.post.channelId}/${r.messageId}`
          : `I could not post today's quiz in <#${r.post.channelId}>: ${r.reason}. I'll retry later today; \`/quiz status\` shows how it goes.`,
      ),
    );
  } else {
    throw new UserError("Unknown /quiz subcommand.");
  }
}

async function onQuizButton(i: ButtonInteraction, ctx: Ctx) {
  const a = parseQuizId(i.customId);
  if (!a) throw new UserError("This button is from an older version of the bot.");
  if (a.action === "review") {
    const view = await openStudy(ctx.deps, i.user.id, i.guildId, null, "daily");
    await ctx.respond.reply(renderStudyOpening(view), { ephemeral: true });
    return;
  }
  // The answer edits the clicked message into the post's view: a crafted id naming another post (sent against
  // today's post, or yesterday's) would replace that message. The clicked message must be the post's own.
  if (!idsOnMessage(i).some((id) => isQuizPostComponent(id, a.postId)))
    throw new UserError(
      "This answer is not on this message's quiz. Use the buttons of the quiz post itself.",
    );
  const r = answerQuiz(ctx.deps, {
    postId: a.postId,
    guildId: i.guildId,
    userId: i.user.id,
    choice: a.choice,
  });
  if (r.kind !== "already") {
    // The public post: new tally (or, on a closed post the bot could not edit, its answer).
    const view = viewOfPost(ctx.deps, a.postId);
    if (view) await ctx.respond.update(renderPost(view));
  }
  await ctx.respond.reply(renderAnswerFeedback(r), { ephemeral: true });
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
  execute,
  async autocomplete(i) {
    await i.respond(timezoneChoices(String(i.options.getFocused())));
  },
  buttons: { [QUIZ_PREFIX]: onQuizButton },
} satisfies Command;
