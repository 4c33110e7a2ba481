import { ApplicationCommandOptionType, type ButtonInteraction } from "discord.js";
import { snowflakeFrom36 } from "../src/core/custom-id.ts";
import { UserError } from "../src/core/errors.ts";
import { idsOnMessage, ownView } from "../src/discord/clicked-view.ts";
import type { Command, Ctx } from "../src/discord/command.ts";
import { canManageServer } from "../src/discord/guards.ts";
import { clip, LIMITS } from "../src/render/limits.ts";
import { PRACTICE_PREFIX, parsePracticeId, renderPractice } from "../src/render/practice-view.ts";
import { parseStudyId, STUDY_PREFIX, SUBSCRIBE_PREFIX } from "../src/render/study-ids.ts";
import { renderStudy, renderStudyOpening, renderSubscribedOpening } from "../src/render/study-view.ts";
import { fixKind } from "../src/services/card-fix.ts";
import { searchDecks } from "../src/services/decks.ts";
import { practiceAnswer, practiceShow, practiceStop, startPractice } from "../src/services/practice.ts";
import {
  assertOwner,
  openStudy,
  rate,
  showAnswer,
  stopSession,
  subscribeAndStudy,
} from "../src/services/study.ts";
import { setAside } from "../src/services/study-holds.ts";
import { undoRating } from "../src/services/study-undo.ts";

async function onStudyButton(i: ButtonInteraction, ctx: Ctx) {
  const parsed = parseStudyId(i.customId, i.guildId);
  if (!parsed) throw new UserError(ctx.t("errors.olderButtonStudy"));
  const notYours = ctx.t("errors.notYourReview");
  assertOwner(parsed.session, i.user.id, notYours);
  const seen = ownView(i, notYours);
  const { deps } = ctx;
  if (parsed.action === "stop")
    return ctx.respond.update(renderStudy(await stopSession(deps, parsed.session), ctx.t));
  if (parsed.action === "undo")
    return ctx.respond.update(renderStudy(await undoRating(deps, parsed.session, parsed), ctx.t));
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
      ? await showAnswer(deps, parsed.session, parsed.cardId, parsed.version, shownAt, onScreen)
      : parsed.action === "rate"
        ? (await rate(deps, parsed.session, parsed.cardId, parsed.version, parsed.grade, shownAt, onScreen))
            .view
        : await setAside(deps, parsed.session, parsed.cardId, parsed.version, parsed.action, onScreen);
  // The answer side offers Edit (whoever may change the deck) or Report: read on Show answer only.
  if (parsed.action === "show" && view.kind === "card" && view.intervals !== null)
    view.fix = await fixKind(
      deps,
      { userId: i.user.id, guildId: i.guildId, canManageServer: canManageServer(i) },
      view.cardId,
    );
  await ctx.respond.update(renderStudy(view, ctx.t));
}

/** Whether a button on the clicked message (as Discord stores it) is for card `cardId`. */
function showsCard(i: ButtonInteraction, cardId: number): boolean {
  return idsOnMessage(i).some((id) => {
    const p = parseStudyId(id, i.guildId);
    return p !== null && "version" in p && p.cardId === cardId;
  });
}

/** Re-do today's misses: the offer on a summary, and the round's buttons; the round is its owner's alone. */
async function onPracticeButton(i: ButtonInteraction, ctx: Ctx) {
  const parsed = parsePracticeId(i.customId, i.guildId);
  if (!parsed) throw new UserError(ctx.t("errors.olderButtonStudy"));
  const owner = parsed.action === "start" ? parsed.userId : parsed.round.userId;
  const notYours = ctx.t("errors.notYourReview");
  if (owner !== i.user.id) throw new UserError(notYours);
  ownView(i, notYours);
  const { deps } = ctx;
  const view =
    parsed.action === "start"
      ? await startPractice(deps, i.user.id, i.guildId)
      : parsed.action === "stop"
        ? await practiceStop(deps, parsed.round)
        : parsed.action === "show"
          ? await practiceShow(deps, parsed.round, parsed.cardId, parsed.answers, parsed.shownAt)
          : await practiceAnswer(
              deps,
              parsed.round,
              parsed.cardId,
              parsed.answers,
              parsed.rating,
              parsed.shownAt,
            );
  await ctx.respond.update(renderPractice(view, ctx.t));
}

async function onSubscribeButton(i: ButtonInteraction, ctx: Ctx) {
  const [, owner36, deckId] = i.customId.split(":");
  const owner = snowflakeFrom36(owner36);
  if (!owner || !deckId) throw new UserError(ctx.t("errors.olderButtonStudy"));
  const notYours = ctx.t("errors.notYourOffer");
  if (owner !== i.user.id) throw new UserError(notYours);
  ownView(i, notYours);
  await ctx.respond.update(
    renderSubscribedOpening(await subscribeAndStudy(ctx.deps, i.user.id, i.guildId, deckId), ctx.t),
  );
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
    const view = await openStudy(ctx.deps, i.user.id, i.guildId, deck, "study");
    await ctx.respond.reply(renderStudyOpening(view, ctx.t), { ephemeral: true });
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
  buttons: {
    [STUDY_PREFIX]: onStudyButton,
    [SUBSCRIBE_PREFIX]: onSubscribeButton,
    [PRACTICE_PREFIX]: onPracticeButton,
  },
} satisfies Command;
