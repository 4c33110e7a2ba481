import { type APIButtonComponent, type APIEmbed, ButtonStyle } from "discord.js";
import { CONFIDENCE_LEVELS } from "../core/rating-styles.ts";
import { formatInterval, GRADES } from "../core/scheduling.ts";
import { english, type T } from "../i18n/translate.ts";
import type { CardView, DoneView, StudyOpening, StudyView, SubscribeOffer } from "../services/study.ts";
import { cardIds } from "./card-ids.ts";
import { withCardImage } from "./card-image.ts";
import { cardText } from "./card-text.ts";
import { button, COLORS, type MessagePayload, row } from "./components.ts";
import { subscribedLine } from "./deck-lines.ts";
import { clip, LIMITS, NO_PINGS } from "./limits.ts";
import { practiceOfferId } from "./practice-view.ts";
import { studyIds, subscribeId } from "./study-ids.ts";

export function renderStudy(view: StudyView, t: T = english): MessagePayload {
  return view.kind === "card" ? renderCard(view, t) : renderDone(view, t);
}

/** `/study`'s first message: the subscribe offer, or the first study view. */
export function renderStudyOpening(view: StudyOpening, t: T = english): MessagePayload {
  return view.kind === "offer" ? renderOffer(view, t) : renderStudy(view, t);
}

/** After a Subscribe click: the opening, under the line saying what was subscribed. */
export function renderSubscribedOpening(
  r: { deckName: string; opening: StudyOpening },
  t: T = english,
): MessagePayload {
  return { ...renderStudyOpening(r.opening, t), content: subscribedLine(r.deckName, true, t) };
}

/** The server's decks (or the one asked for), each with a Subscribe button, as many as fit in a message. */
function renderOffer(v: SubscribeOffer, t: T): MessagePayload {
  const shown = v.decks.slice(0, LIMITS.actionRows * LIMITS.buttonsPerRow);
  const lines = shown.map(
    (d) =>
      `**${d.name}** (\`${d.id}\`) — ${t("common.cards", { count: d.total })}${d.description ? `\n${d.description}` : ""}`,
  );
  const buttons = shown.map((d) =>
    button(
      subscribeId(v.userId, d.id),
      clip(t("study.subscribeButton", { name: d.name }), LIMITS.buttonLabel),
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
        title: v.only ? t("study.offerOne") : t("study.offerAll"),
        description: clip(lines.join("\n\n"), LIMITS.embedDescription),
      },
    ],
    components: rows,
    allowed_mentions: NO_PINGS,
  };
}

export function progressLine(due: number, newLeft: number, t: T = english): string {
  return t("study.progress", { due, newLeft });
}

function renderCard(v: CardView, t: T): MessagePayload {
  const half = Math.floor((LIMITS.embedDescription - 40) / 2);
  const front = cardText(v.front, v.back === null ? LIMITS.embedDescription : half);
  const description = v.back === null ? front : `${front}\n\n${t("study.answer")}\n${cardText(v.back, half)}`;
  const embed: APIEmbed = {
    color: COLORS.study,
    author: {
      name: clip(
        `${v.deckName}${v.isNew ? ` · ${t("study.newCard")}` : ""}${v.leech ? ` · ${t("study.leech")}` : ""}`,
        LIMITS.embedTitle,
      ),
    },
    description,
    footer: { text: progressLine(v.due, v.newLeft, t) },
  };
  const ids = studyIds(v.session);
  const intervals = v.intervals;
  const buttons: APIButtonComponent[] =
    intervals === null
      ? [button(ids.show(v.cardId, v.version, v.shownAt), t("study.showAnswer"), ButtonStyle.Primary)]
      : v.ratingStyle === "confidence"
        ? CONFIDENCE_LEVELS.map(({ level, words, grade }) =>
            button(
              ids.rate(v.cardId, v.version, v.shownAt, grade, level),
              `${level}${words ? ` ${confidenceWords(level, t)}` : ""} · ${formatInterval(intervals[grade])}`,
              level <= 2 ? ButtonStyle.Danger : level === 4 ? ButtonStyle.Success : ButtonStyle.Secondary,
            ),
          )
        : GRADES.map((g) =>
            button(
              ids.rate(v.cardId, v.version, v.shownAt, g),
              `${t(`study.grade.${g}`)} · ${formatInterval(intervals[g])}`,
              g === 1 ? ButtonStyle.Danger : g === 3 ? ButtonStyle.Success : ButtonStyle.Secondary,
            ),
          );
  const stop = button(ids.stop(), t("study.stop"), ButtonStyle.Secondary);
  // The answer side can set the card aside; the question side carries the Undo of the rating just made.
  const aside =
    intervals === null
      ? undoButton(v, t)
      : [
          button(ids.hold("bury", v.cardId, v.version, v.shownAt), t("study.bury"), ButtonStyle.Secondary),
          button(
            ids.hold("suspend", v.cardId, v.version, v.shownAt),
            t("study.suspend"),
            ButtonStyle.Secondary,
          ),
          ...(v.fix === "edit"
            ? [button(cardIds.edit(v.cardId), t("study.edit"), ButtonStyle.Secondary)]
            : v.fix === "report"
              ? [button(cardIds.report(v.cardId), t("study.report"), ButtonStyle.Secondary)]
              : []),
        ];
  const pictured = withCardImage(embed, v.image);
  return {
    content: v.notice ?? undefined,
    embeds: [pictured.embed],
    components: [row(buttons), row([...aside, stop])],
    allowed_mentions: NO_PINGS,
    files: pictured.files,
    attachments: pictured.attachments,
  };
}

const discordTime = (d: Date) => `<t:${Math.floor(d.getTime() / 1000)}:R>`;

function renderDone(v: DoneView, t: T): MessagePayload {
  const lines: string[] = [];
  if (v.reviewed > 0)
    lines.push(
      t("study.reviewed", { count: v.reviewed, again: v.again }),
      t("study.timeSpent", { time: formatDuration(v.durationMs) }),
    );
  else lines.push(v.stoppedEarly ? t("study.noneThisSession") : t("study.nothingToReview"));
  if (v.due > 0) lines.push(t("study.stillDue", { count: v.due }));
  // The limit is named once it is used up; before that the cards still due are what /study goes on with.
  const limited = v.heldBack > 0 && v.reviewsLeft === 0;
  if (limited) lines.push(reviewLimitLine(v, t));
  const line = newCardsLine(v, t);
  if (line) lines.push(line);
  // Held-back cards are overdue: the limit's line says when they come.
  if (v.due === 0 && v.nextDue && !limited) lines.push(t("study.nextDue", { when: discordTime(v.nextDue) }));
  else if (v.due === 0 && v.newCards.unseen === 0) lines.push(t("study.noCardsYet"));
  return {
    content: v.notice ?? undefined,
    embeds: [
      {
        color: COLORS.done,
        title: v.stoppedEarly
          ? t("study.titleStopped")
          : v.reviewed > 0
            ? t("study.titleDone")
            : t("study.titleCaughtUp"),
        description: lines.join("\n"),
      },
    ],
    components: v.undo || v.misses > 0 ? [row([...undoButton(v, t), ...redoButton(v, t)])] : [],
    allowed_mentions: NO_PINGS,
    attachments: [], // the last card's image goes with it
  };
}

/** Re-do today's misses (render/practice-view.ts), when the member rated cards Again today. */
function redoButton(v: DoneView, t: T): APIButtonComponent[] {
  if (v.misses === 0) return [];
  return [
    button(practiceOfferId(v.session.userId), t("study.redo", { count: v.misses }), ButtonStyle.Primary),
  ];
}

/** The Undo of the rating just made, when the view offers one. */
function undoButton(v: CardView | DoneView, t: T): APIButtonComponent[] {
  return v.undo
    ? [button(studyIds(v.session).undo(v.undo.cardId, v.undo.reps), t("study.undo"), ButtonStyle.Secondary)]
    : [];
}

/** A confidence level's words (levels 1 and 5 have them), in the member's language. */
function confidenceWords(level: number, t: T): string {
  return level === 1 ? t("study.confidence.1") : level === 5 ? t("study.confidence.5") : "";
}

/** The review limit held due cards back: how many, until when, and where to raise it. */
function reviewLimitLine(v: DoneView, t: T): string {
  const wait = t("study.moreDueWait", { count: v.heldBack });
  if (v.reviewLimit === 0) return t("study.reviewsOff", { wait });
  return t("study.reviewsDone", {
    reviews: t("study.reviews", { count: v.reviewLimit }),
    wait,
    when: discordTime(v.resetsAt),
  });
}

/** Which new-card limit stopped the session, and when it lifts; or what is left of today's new cards on Stop. */
function newCardsLine(v: DoneView, t: T): string | null {
  const { unseen, leftToday, perDay } = v.newCards;
  if (unseen === 0) return null;
  if (leftToday === 0 && perDay === 0)
    return t("study.newOff", { wait: t("study.newWait", { count: unseen }) });
  if (leftToday === 0)
    return t("study.newDone", {
      cards: t("study.newCards", { count: perDay }),
      wait: t("study.moreNewWait", { count: unseen }),
      when: discordTime(v.resetsAt),
    });
  return v.stoppedEarly
    ? t("study.newLeft", { cards: t("study.newCards", { count: Math.min(leftToday, unseen) }) })
    : null;
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}
