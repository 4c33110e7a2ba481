import {
  ApplicationCommandOptionType,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  InteractionContextType,
  PermissionFlagsBits,
} from "discord.js";
import { UserError } from "../src/core/errors.ts";
import { PARTY_LIMITS } from "../src/core/party-rules.ts";
import type { PartyMode } from "../src/core/party-scoring.ts";
import type { Command, Ctx } from "../src/discord/command.ts";
import { canManageServer, type NamedPermission } from "../src/discord/guards.ts";
import type { T } from "../src/i18n/translate.ts";
import { clip, LIMITS } from "../src/render/limits.ts";
import { PARTY_PREFIX, parsePartyId } from "../src/render/party-ids.ts";
import { modeLine, renderAnswerOutcome, renderJoinNote, renderLobby } from "../src/render/party-view.ts";
import { postTranslator } from "../src/render/post-language.ts";
import { answerRound } from "../src/services/party/answers.ts";
import {
  beginParty,
  joinLobby,
  partyDeckChoices,
  startParty,
  stopParty,
} from "../src/services/party/lobby.ts";

/** What the bot needs where a party plays: a new public thread of a text channel, or the thread it ran in. */
const IN_CHANNEL: readonly NamedPermission[] = [
  [PermissionFlagsBits.ViewChannel, "View Channel"],
  [PermissionFlagsBits.CreatePublicThreads, "Create Public Threads"],
  [PermissionFlagsBits.SendMessagesInThreads, "Send Messages in Threads"],
  [PermissionFlagsBits.EmbedLinks, "Embed Links"],
];
const IN_THREAD: readonly NamedPermission[] = [
  [PermissionFlagsBits.ViewChannel, "View Channel"],
  [PermissionFlagsBits.SendMessagesInThreads, "Send Messages in Threads"],
  [PermissionFlagsBits.EmbedLinks, "Embed Links"],
];

function checkBotCanPlay(i: ChatInputCommandInteraction, inThread: boolean, t: T): void {
  const needs = inThread ? IN_THREAD : IN_CHANNEL;
  const missing = needs.filter(([bit]) => !i.appPermissions?.has(bit)).map(([, name]) => name);
  if (missing.length) throw new UserError(t("party.missing", { permissions: missing.join(", ") }));
}

async function execute(i: ChatInputCommandInteraction, ctx: Ctx) {
  if (!i.inGuild()) return; // unreachable: the inServer guard refused it (this narrows the type)
  const sub = i.options.getSubcommand();
  const channel = i.channel;
  const inThread = channel?.isThread() ?? false;
  if (sub === "start") {
    if (channel && !inThread && !channel.isTextBased()) throw new UserError(ctx.t("party.notText"));
    checkBotCanPlay(i, inThread, ctx.t);
    const { party, threadId } = await startParty(ctx.party, {
      guildId: i.guildId,
      channelId: i.channelId,
      inThread,
      hostId: i.user.id,
      deckId: i.options.getString("deck", true),
      cards: i.options.getInteger("cards"),
      seconds: i.options.getInteger("seconds"),
      mode: (i.options.getString("mode") as PartyMode | null) ?? null,
    });
    await ctx.respond.reply({
      content: ctx.t("party.opened", {
        thread: `<#${threadId}>`,
        cards: party.cards,
        seconds: party.seconds,
        mode: modeLine(party.mode, ctx.t),
      }),
      embeds: [],
      components: [],
    });
  } else if (sub === "stop") {
    const r = await stopParty(ctx.party, {
      channelId: i.channelId,
      userId: i.user.id,
      canManage: canManageServer(i),
    });
    await ctx.respond.reply({
      content: r.podium ? ctx.t("party.stopped") : ctx.t("party.stoppedEarly"),
      embeds: [],
    });
  } else throw new UserError(ctx.t("errors.unknownSubcommand", { command: "party" }));
}

async function onPartyButton(i: ButtonInteraction, ctx: Ctx) {
  const a = parsePartyId(i.customId);
  if (!a) throw new UserError(ctx.t("errors.olderButton"));
  if (a.action === "join") {
    const r = await joinLobby(ctx.party, a.partyId, i.user.id);
    // The lobby is public, in the server's language; a note is the member's, in theirs.
    if (r.view && r.note === null)
      await ctx.respond.update(renderLobby(r.view, postTranslator({ locale: null }, i.guildLocale)));
    else await ctx.respond.reply(renderJoinNote(r.note ?? "over", ctx.t), { ephemeral: true });
    return;
  }
  if (a.action === "start") {
    const view = await beginParty(ctx.party, a.partyId, i.user.id);
    await ctx.respond.update(renderLobby(view, postTranslator({ locale: null }, i.guildLocale)));
    return;
  }
  if (a.action !== "answer") return;
  const r = await answerRound(ctx.party, {
    partyId: a.partyId,
    round: a.round,
    userId: i.user.id,
    choice: a.choice,
  });
  await ctx.respond.reply(renderAnswerOutcome(r, ctx.t), { ephemeral: true });
}

export default {
  data: {
    name: "party",
    description: "A live review party: the group answers together, and every answer is a review",
    contexts: [InteractionContextType.Guild],
    options: [
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: "start",
        description: "Open a party in a new thread of this channel (or in this thread)",
        options: [
          {
            type: ApplicationCommandOptionType.String,
            name: "deck",
            description: "One of the server's decks",
            required: true,
            autocomplete: true,
          },
          {
            type: ApplicationCommandOptionType.Integer,
            name: "cards",
            description: `Questions to play (default ${PARTY_LIMITS.cards.default})`,
            min_value: PARTY_LIMITS.cards.min,
            max_value: PARTY_LIMITS.cards.max,
          },
          {
            type: ApplicationCommandOptionType.Integer,
            name: "seconds",
            description: `Seconds per question (default ${PARTY_LIMITS.seconds.default})`,
            min_value: PARTY_LIMITS.seconds.min,
            max_value: PARTY_LIMITS.seconds.max,
          },
          {
            type: ApplicationCommandOptionType.String,
            name: "mode",
            description:
              "race: the first right answer scores most (default); everyone: each right answer the same",
            choices: [
              { name: "race", value: "race" },
              { name: "everyone", value: "everyone" },
            ],
          },
        ],
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: "stop",
        description: "Stop the party going here (its host, or Manage Server)",
      },
    ],
  },
  guards: { inServer: "guards.inServer.party" },
  execute,
  async autocomplete(i, { deps }) {
    if (!i.inGuild()) return;
    const q = String(i.options.getFocused());
    await i.respond(
      (await partyDeckChoices(deps.db, i.guildId, q)).map((d) => ({
        name: clip(`${d.name} (${d.id})`, LIMITS.choiceName),
        value: d.id,
      })),
    );
  },
  buttons: { [PARTY_PREFIX]: onPartyButton },
} satisfies Command;
