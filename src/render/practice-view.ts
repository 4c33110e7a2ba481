import { type APIButtonComponent, ButtonStyle } from "discord.js";
import { b36, encodeId, fromB36, snowflakeFrom36, snowflakeTo36 } from "../core/custom-id.ts";
import { english, type T } from "../i18n/translate.ts";
import type { PracticeRound, PracticeView } from "../services/practice.ts";
import { withCardImage } from "./card-image.ts";
import { cardText } from "./card-text.ts";
import { button, COLORS, type MessagePayload, row } from "./components.ts";
import { clip, LIMITS, NO_PINGS } from "./limits.ts";

/**
 * Re-do buttons: `pr:<action>:<owner36>:<start36>[:card36:answers36:shownOffset36[:rating]]`; the offer on a
 * summary is `pr:s:<owner36>`. The guild comes from the interaction, as for study buttons.
 */
export const PRACTICE_PREFIX = "pr";

export const practiceOfferId = (userId: string) => encodeId(PRACTICE_PREFIX, "s", snowflakeTo36(userId));

export type PracticeAction =
  | { action: "start"; userId: string }
  | { action: "stop"; round: PracticeRound }
  | { action: "show"; round: PracticeRound; cardId: number; answers: number; shownAt: number }
  | {
      action: "answer";
      round: PracticeRound;
      cardId: number;
      answers: number;
      shownAt: number;
      rating: 1 | 3;
    };

export function parsePracticeId(customId: string, guildId: string | null): PracticeAction | null {
  const p = customId.split(":");
  if (p[0] !== PRACTICE_PREFIX) return null;
  const userId = snowflakeFrom36(p[2]);
  if (!userId) return null;
  if (p[1] === "s" && p.length === 3) return { action: "start", userId };
  const start = fromB36(p[3]);
  if (start === null) return null;
  const round = { userId, guildId, startedAt: start };
  if (p[1] === "x" && p.length === 4) return { action: "stop", round };
  const cardId = fromB36(p[4]);
  const answers = fromB36(p[5]);
  const offset = fromB36(p[6]);
  if (cardId === null || answers === null || offset === null) return null;
  const shownAt = start + offset;
  if (p[1] === "a" && p.length === 7) return { action: "show", round, cardId, answers, shownAt };
  if (p[1] === "r" && p.length === 8 && (p[7] === "1" || p[7] === "3"))
    return { action: "answer", round, cardId, answers, shownAt, rating: p[7] === "1" ? 1 : 3 };
  return null;
}

export function renderPractice(v: PracticeView, t: T = english): MessagePayload {
  const r = v.round;
  const base = [PRACTICE_PREFIX, "", snowflakeTo36(r.userId), b36(r.startedAt)];
  const id = (action: string, ...rest: string[]) => {
    const parts = [...base, ...rest];
    parts[1] = action;
    return encodeId(...parts);
  };
  const stop = button(id("x"), t("study.stop"), ButtonStyle.Secondary);
  if (v.kind === "practice-done")
    return {
      content: v.notice ?? undefined,
      embeds: [
        {
          color: COLORS.done,
          title: v.stopped ? t("practice.titleStopped") : t("practice.titleDone"),
          description: v.stopped
            ? t("practice.stillToGet", { cards: t("common.cards", { count: v.left }) })
            : t("practice.noChange"),
        },
      ],
      components: [],
      allowed_mentions: NO_PINGS,
      attachments: [], // the last card's image goes with it
    };
  const half = Math.floor((LIMITS.embedDescription - 40) / 2);
  const front = cardText(v.front, v.back === null ? LIMITS.embedDescription : half);
  const card = [b36(v.cardId), b36(v.answers), b36(Math.max(0, v.shownAt - r.startedAt))];
  const buttons: APIButtonComponent[] =
    v.back === null
      ? [button(id("a", ...card), t("study.showAnswer"), ButtonStyle.Primary)]
      : [
          button(id("r", ...card, "1"), t("study.grade.1"), ButtonStyle.Danger),
          button(id("r", ...card, "3"), t("study.grade.3"), ButtonStyle.Success),
        ];
  const pictured = withCardImage(
    {
      color: COLORS.study,
      author: { name: clip(t("practice.author", { deck: v.deckName }), LIMITS.embedTitle) },
      description: v.back === null ? front : `${front}\n\n${t("study.answer")}\n${cardText(v.back, half)}`,
      footer: { text: t("practice.footer", { cards: t("common.cards", { count: v.left }) }) },
    },
    v.image,
  );
  return {
    content: v.notice ?? undefined,
    embeds: [pictured.embed],
    components: [row([...buttons, stop])],
    allowed_mentions: NO_PINGS,
    files: pictured.files,
    attachments: pictured.attachments,
  };
}
