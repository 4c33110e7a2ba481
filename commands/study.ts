import { ApplicationCommandOptionType, type ButtonInteraction, ButtonStyle } from "discord.js";
import { snowflakeFrom36, snowflakeTo36 } from "../src/core/custom-id.ts";
import { UserError } from "../src/core/errors.ts";
import { studiesAnyDeck } from "../src/db/study-queries.ts";
import { idsOnMessage, ownView } from "../src/discord/clicked-view.ts";
import type { Command, Ctx } from "../src/discord/command.ts";
import { button, COLORS, row } from "../src/render/components.ts";
import { subscribedLine } from "../src/render/deck-lines.ts";
import { clip, LIMITS, NO_PINGS } from "../src/render/limits.ts";
import { plural } from "../src/render/plural.ts";
import { parseStudyId, STUDY_PREFIX } from "../src/render/study-ids.ts";
import { renderStudy } from "../src/render/study-view.ts";
import { findVisibleDeck, isSubscribed, listDecks, searchDecks, subscribe } from "../src/services/decks.ts";
import {
  assertOwner,
  doneView,
  NOT_YOUR_REVIEW,
  nextView,
  rate,
  type Session,
  showAnswer,
} from "../src/services/study.ts";

/** Subscribe buttons of a deck offer: `sub:<owner36>:<deckId>`. The offer is its owner's alone, as a study message. */
export const SUBSCRIBE_PREFIX = "sub";
const NOT_YOUR_OFFER = "This deck offer is someone else's. Run `/study` to get your own.";
const OLDER_BUTTON = "This button is from an older version of the bot. Run `/study` again.";

/** Opens a review session (used by /study and by the daily post's "Start my review"). */
export async function startSession(
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
async function subscribeOffer(ctx: Ctx, userId: string, guildId: string | null, only: string | null) {
  const decks = (await listDecks(ctx.deps, userId, guildId)).filter((d) => !only || d.id === only);
  if (decks.length === 0) throw new UserError("No decks are available in this server yet.");
  const shown = decks.slice(0, LIMITS.actionRows * LIMITS.buttonsPerRow);
  const lines = shown.map(
    (d) =>
      `**${d.name}** (\`${d.id}\`) — ${plural(d.total, "card")}${d.description ? `\n${d.description}` : ""}`,
  );
  const buttons = shown.map((d) =>
    button(
      `${SUBSCRIBE_PREFIX}:${snowflakeTo36(userId)}:${d.id}`,
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
  if (!parsed) throw new UserError(OLDER_BUTTON);
  assertOwner(parsed.session, i.user.id);
  const seen = ownView(i, NOT_YOUR_REVIEW);
  const { deps } = ctx;
  if (parsed.action === "stop") return ctx.respond.update(renderStudy(doneView(deps, parsed.session, true)));
  // The bot's own ids carry the instant it showed the card. Any other id's shown-at is the client's word: the
  // earliest instant the server knows the card was on screen is this version of the message's creation.
  const shownAt = seen.onMessage
    ? parsed.shownAt
    : Math.max(parsed.shownAt, deps.clock.now().getTime() - seen.ageMs);
  // Any other id may only name the card this message shows (a stale click, or another grade of it): else a crafted
  // id would show or rate a card the bot never picked (one not due: a point per click, without end).
  const onScreen = seen.onMessage || showsCard(i, parsed.cardId);
  const view =
    parsed.action === "show"
      ? showAnswer(deps, parsed.session, parsed.cardId, parsed.version, shownAt, onScreen)
      : rate(deps, parsed.session, parsed.cardId, parsed.version, parsed.grade, shownAt, onScreen).view;
  await ctx.respond.update(renderStudy(view));
}

/** Whether a button on the clicked message (as Discord stores it) is for card `cardId`. */
function showsCard(i: ButtonInteraction, cardId: number): boolean {
  return idsOnMessage(i).some((id) => {
    const p = parseStudyId(id, i.guildId);
    return p !== null && p.action !== "stop" && p.cardId === cardId;
  });
}

async function onSubscribeButton(i: ButtonInteraction, ctx: Ctx) {
  const [, owner36, deckId] = i.customId.split(":");
  const owner = snowflakeFrom36(owner36);
  if (!owner || !deckId) throw new UserError(OLDER_BUTTON);
  if (owner !== i.user.id) throw new UserError(NOT_YOUR_OFFER);
  ownView(i, NOT_YOUR_OFFER);
  const { deck } = await subscribe(ctx.deps, i.user.id, i.guildId, deckId);
  const view = await startSession(ctx, i.user.id, i.guildId, null, "study");
  await ctx.respond.update({ ...view, content: subscribedLine(deck.name, true) });
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
    await ctx.respond.reply(await startSession(ctx, i.user.id, i.guildId, deck, "study"), {
      ephemeral: true,
    });
  },
  async autocomplete(i, { deps }) {
    const q = String(i.options.getFocused());
    await i.respond(
      (await searchDecks(deps.db, i.user.id, i.guildId, q)).map((d) => ({
        name: clip(`${d.name} (${d.id})`, LIMITS.choiceName),
        value: d.id,
      })),
    );
  },
  buttons: { [STUDY_PREFIX]: onStudyButton, [SUBSCRIBE_PREFIX]: onSubscribeButton },
} satisfies Command;
