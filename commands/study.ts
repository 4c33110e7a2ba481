import { ApplicationCommandOptionType, type ButtonInteraction, ButtonStyle } from "discord.js";
import { UserError } from "../src/core/errors.ts";
import { studiesAnyDeck } from "../src/db/study-queries.ts";
import type { Command, Ctx } from "../src/discord/command.ts";
import { clip, LIMITS, NO_PINGS } from "../src/render/limits.ts";
import { parseStudyId, STUDY_PREFIX } from "../src/render/study-ids.ts";
import { button, COLORS, renderStudy, row } from "../src/render/study-view.ts";
import { findVisibleDeck, isSubscribed, listDecks, searchDecks, subscribe } from "../src/services/decks.ts";
import { assertOwner, doneView, nextView, rate, type Session, showAnswer } from "../src/services/study.ts";

export const SUBSCRIBE_PREFIX = "sub";

/** Opens a review session (used by /study and by the daily post's "Start my review"). */
export function startSession(
  ctx: Ctx,
  userId: string,
  guildId: string | null,
  deckId: string | null,
  source: Session["source"],
) {
  const { deps } = ctx;
  if (deckId) {
    const deck = findVisibleDeck(deps.db, userId, guildId, deckId);
    if (!deck) throw new UserError(`There is no deck \`${deckId.slice(0, 40)}\` here. See \`/deck list\`.`);
    if (!isSubscribed(deps.db, userId, deck.id)) return subscribeOffer(ctx, userId, guildId, deck.id);
  } else if (!studiesAnyDeck(deps.db, { userId, guildId, deckId: null })) {
    return subscribeOffer(ctx, userId, guildId, null);
  }
  const session: Session = { userId, guildId, deckId, source, startedAt: deps.clock.now().getTime() };
  return renderStudy(nextView(deps, session));
}

/** A member with no subscription is offered the server's decks, each with a Subscribe button. */
function subscribeOffer(ctx: Ctx, userId: string, guildId: string | null, only: string | null) {
  const decks = listDecks(ctx.deps, userId, guildId).filter((d) => !only || d.id === only);
  if (decks.length === 0) throw new UserError("No decks are available in this server yet.");
  const shown = decks.slice(0, LIMITS.actionRows * LIMITS.buttonsPerRow);
  const lines = shown.map(
    (d) => `**${d.name}** (\`${d.id}\`) — ${d.total} cards${d.description ? `\n${d.description}` : ""}`,
  );
  const buttons = shown.map((d) =>
    button(
      `${SUBSCRIBE_PREFIX}:${d.id}`,
      clip(`Subscribe: ${d.name}`, LIMITS.buttonLabel),
      ButtonStyle.Primary,
    ),
  );
  const rows = [];
  for (let k = 0; k < buttons.length; k += LIMITS.buttonsPerRow)
    rows.push(row(buttons.slice(k, k + LIMITS.buttonsPerRow)));
  return {
    embeds: [
      {
        color: COLORS.info,
        title: only ? "Subscribe to study this deck" : "Pick a deck to study",
        description: clip(lines.join("\n\n"), LIMITS.embedDescription),
      },
    ],
    components: rows,
    allowed_mentions: NO_PINGS,
  };
}

async function onStudyButton(i: ButtonInteraction, ctx: Ctx) {
  const parsed = parseStudyId(i.customId, i.guildId);
  if (!parsed) throw new UserError("This button is from an older version of the bot. Run `/study` again.");
  assertOwner(parsed.session, i.user.id);
  const { deps } = ctx;
  const view =
    parsed.action === "stop"
      ? doneView(deps, parsed.session, true)
      : parsed.action === "show"
        ? showAnswer(deps, parsed.session, parsed.cardId, parsed.version, parsed.shownAt)
        : rate(deps, parsed.session, parsed.cardId, parsed.version, parsed.grade, parsed.shownAt).view;
  await ctx.respond.update(renderStudy(view));
}

async function onSubscribeButton(i: ButtonInteraction, ctx: Ctx) {
  const deckId = i.customId.split(":")[1] ?? "";
  subscribe(ctx.deps, i.user.id, i.guildId, deckId);
  const view = startSession(ctx, i.user.id, i.guildId, null, "study");
  await ctx.respond.update({ ...view, content: `Subscribed to \`${deckId}\`.` });
}

export default {
  data: {
    name: "study",
    description: "Review your due cards privately, one at a time",
    options: [
      {
        type: ApplicationCommandOptionType.String,
        name: "deck",
        description: "Only this deck (default: all your decks)",
        required: false,
        autocomplete: true,
      },
    ],
  },
  async execute(i, ctx) {
    const deck = i.options.getString("deck");
    await ctx.respond.reply(startSession(ctx, i.user.id, i.guildId, deck, "study"), { ephemeral: true });
  },
  async autocomplete(i, { deps }) {
    const q = String(i.options.getFocused());
    await i.respond(
      searchDecks(deps.db, i.user.id, i.guildId, q).map((d) => ({
        name: clip(`${d.name} (${d.id})`, LIMITS.choiceName),
        value: d.id,
      })),
    );
  },
  buttons: { [STUDY_PREFIX]: onStudyButton, [SUBSCRIBE_PREFIX]: onSubscribeButton },
} satisfies Command;
