/** The /help message: what the bot does and every command, in one embed, in the member's language. */
import { PARTY_POINTS } from "../core/party-scoring.ts";
import { POINTS } from "../core/points.ts";
import { english, type T } from "../i18n/translate.ts";
import { COLORS } from "./components.ts";
import { NO_PINGS } from "./limits.ts";

/** How leaderboard points are earned (core/points.ts, core/party-scoring.ts): what /help shows, as README does. */
export function pointsRules(t: T = english): string {
  return [
    t("help.points.perReview", { count: POINTS.perReview, seconds: POINTS.minReviewMs / 1000 }),
    t("help.points.quiz", { points: POINTS.quizCorrect }),
    t("help.points.streak", { points: POINTS.streakBonus, days: POINTS.streakFrom }),
    t("help.points.party", {
      first: PARTY_POINTS.raceFirst,
      step: PARTY_POINTS.raceStep,
      floor: PARTY_POINTS.raceFloor,
      everyone: PARTY_POINTS.everyone,
    }),
    t("help.points.redo"),
  ].join("\n");
}

export function helpText(t: T = english): string {
  return [
    t("help.intro"),
    "",
    t("help.studying"),
    t("help.deckList"),
    t("help.subscribe"),
    t("help.study"),
    "",
    t("help.limits"),
    "",
    t("help.ownDecks"),
    t("help.import"),
    t("help.export"),
    t("help.cardAdd"),
    t("help.editReport"),
    "",
    t("help.board"),
    t("help.leaderboard"),
    t("help.stats"),
    t("help.streakDay"),
    pointsRules(t),
    "",
    t("help.quiz"),
    t("help.quizPost"),
    t("help.reminders"),
    t("help.quizStatus"),
    "",
    t("help.party"),
    t("help.partyStart"),
  ].join("\n");
}

export function renderHelp(t: T = english) {
  return {
    embeds: [{ color: COLORS.info, title: t("help.title"), description: helpText(t) }],
    allowed_mentions: NO_PINGS,
  };
}
