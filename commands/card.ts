import {
  ApplicationCommandOptionType,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type ModalSubmitInteraction,
} from "discord.js";
import { UserError } from "../src/core/errors.ts";
import type { Command, Ctx } from "../src/discord/command.ts";
import { canManageServer } from "../src/discord/guards.ts";
import { CARD_PREFIX, parseCardId } from "../src/render/card-ids.ts";
import {
  addForm,
  cardAddedText,
  cardEditedText,
  cardReportedText,
  deckChoices,
  editForm,
  renderReports,
  reportForm,
} from "../src/render/card-view.ts";
import { NO_PINGS } from "../src/render/limits.ts";
import { addCard, deckToAddTo } from "../src/services/card-add.ts";
import { cardToEdit, cardToReport, dismiss, reportCard, saveEdit } from "../src/services/card-fix.ts";
import { searchManageableDecks } from "../src/services/deck-import.ts";

const OLDER = "This button is from an older version of the bot.";

const who = (i: ChatInputCommandInteraction | ButtonInteraction | ModalSubmitInteraction) => ({
  userId: i.user.id,
  guildId: i.guildId,
  canManageServer: canManageServer(i),
});

async function execute(i: ChatInputCommandInteraction, ctx: Ctx) {
  if (i.options.getSubcommand() !== "add") throw new UserError("Unknown /card subcommand.");
  // Refused before the form opens, so nobody writes a card for a deck they cannot change.
  const deck = await deckToAddTo(ctx.deps, who(i), i.options.getString("deck", true));
  await ctx.respond.modal(addForm(deck, ctx.t));
}

/** Edit and Report (the answer view, `/deck reports`), Dismiss (`/deck reports`). */
async function onCardButton(i: ButtonInteraction, ctx: Ctx) {
  const a = parseCardId(i.customId);
  if (!a) throw new UserError(OLDER);
  if (a.action === "edit")
    await ctx.respond.modal(editForm(await cardToEdit(ctx.deps, who(i), a.cardId), ctx.t));
  else if (a.action === "report")
    await ctx.respond.modal(reportForm(await cardToReport(ctx.deps, who(i), a.cardId), ctx.t));
  else if (a.action === "dismiss")
    await ctx.respond.update(renderReports(await dismiss(ctx.deps, who(i), a.reportId, ctx.t), ctx.t));
  else throw new UserError(OLDER);
}

async function onCardForm(i: ModalSubmitInteraction, ctx: Ctx) {
  const a = parseCardId(i.customId);
  if (!a) throw new UserError("This form is from an older version of the bot.");
  const field = (id: string) => i.fields.getTextInputValue(id) ?? "";
  let content: string;
  if (a.action === "add-form")
    content = cardAddedText(
      await addCard(ctx.deps, who(i), {
        deckId: a.deckId,
        front: field("front"),
        back: field("back"),
        tags: field("tags"),
      }),
      ctx.t,
    );
  else if (a.action === "edit-form")
    content = cardEditedText(
      await saveEdit(ctx.deps, who(i), a.cardId, {
        front: field("front"),
        back: field("back"),
        tags: field("tags"),
      }),
      ctx.t,
    );
  else if (a.action === "report-form")
    content = cardReportedText(await reportCard(ctx.deps, who(i), a.cardId, field("text")), ctx.t);
  else throw new UserError("This form is from an older version of the bot.");
  await ctx.respond.reply(
    { content, embeds: [], components: [], allowed_mentions: NO_PINGS },
    { ephemeral: true },
  );
}

export default {
  data: {
    name: "card",
    description: "Write a card in Discord",
    options: [
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: "add",
        description: "Add a card to one of your decks (a server deck: Manage Server)",
        options: [
          {
            type: ApplicationCommandOptionType.String,
            name: "deck",
            description: "A deck you may change",
            required: true,
            autocomplete: true,
          },
        ],
      },
    ],
  },
  execute,
  async autocomplete(i, { deps }) {
    const q = String(i.options.getFocused());
    await i.respond(
      deckChoices(await searchManageableDecks(deps.db, i.user.id, i.guildId, canManageServer(i), q)),
    );
  },
  buttons: { [CARD_PREFIX]: onCardButton },
  modals: { [CARD_PREFIX]: onCardForm },
} satisfies Command;
