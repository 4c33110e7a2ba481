import { type APIButtonComponent, type APIEmbed, ButtonStyle } from "discord.js";
import { CONFIDENCE_LEVELS } from "../core/rating-styles.ts";
import { formatInterval, GRADE_NAMES, GRADES } from "../core/scheduling.ts";
import type { CardView, DoneView, StudyOpening, StudyView, SubscribeOffer } from "../services/study.ts";
import { cardIds } from "./card-ids.ts";
import { withCardImage } from "./card-image.ts";
import { cardText } from "./card-text.ts";
import { button, COLORS, type MessagePayload, row } from "./components.ts";
import { subscribedLine } from "./deck-lines.ts";
import { clip, LIMITS, NO_PINGS } from "./limits.ts";
import { plural } from "./plural.ts";
import { practiceOfferId } from "./practice-view.ts";
import { studyIds, subscribeId } from "./study-ids.ts";

export function renderStudy(view: StudyView): MessagePayload {
  return view.kind === "card" ? renderCard(view) : renderDone(view);
}

/** `/study`'s first message: the subscribe offer, or the first study view. */
export function renderStudyOpening(view: StudyOpening): MessagePayload {
  return view.kind === "offer" ? renderOffer(view) : renderStudy(view);
}

/** After a Subscribe click: the opening, under the line saying what was subscribed. */
export function renderSubscribedOpening(r: { deckName: string; opening: StudyOpening }): MessagePayload {
  return { ...renderStudyOpening(r.opening), content: subscribedLine(r.deckName, true) };
}

/** The server's decks (or the one asked for), each with a Subscribe button, as many as fit in a message. */
function renderOffer(v: SubscribeOffer): MessagePayload {
  const shown = v.decks.slice(0, LIMITS.actionRows * LIMITS.buttonsPerRow);
  const lines = shown.map(
    (d) =>
      `**${d.name}** (\`${d.id}\`) — ${plural(d.total, "card")}${d.description ? `\n${d.description}` : ""}`,
  );
  const buttons = shown.map((d) =>
    button(
      subscribeId(v.userId, d.id),
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
        title: v.only ? "Subscribe to study this deck" : "Pick a deck to study",
        description: clip(lines.join("\n\n"), LIMITS.embedDescription),
      },
    ],
    components: rows,
    allowed_mentions: NO_PINGS,
  };
}

export function progressLine(due: number, newLeft: number): string {
  return `${due} due · ${newLeft} new left today`;
}

function renderCard(v: CardView): MessagePayload {
  const half = Math.floor((LIMITS.embedDescription - 40) / 2);
  const front = cardText(v.front, v.back === null ? LIMITS.embedDescription : half);
  const description = v.back === null ? front : `${front}\n\n**Answer**\n${cardText(v.back, half)}`;
  const embed: APIEmbed = {
    color: COLORS.study,
    author: {
      name: clip(
        `${v.deckName}${v.isNew ? " · new card" : ""}${v.leech ? " · 🩸 leech" : ""}`,
        LIMITS.embedTitle,
      ),
    },
    description,
    footer: { text: progressLine(v.due, v.newLeft) },
  };
  const ids = studyIds(v.session);
  const intervals = v.intervals;
  const buttons: APIButtonComponent[] =
    intervals === null
      ? [button(ids.show(v.cardId, v.version, v.shownAt), "Show answer", ButtonStyle.Primary)]
      : v.ratingStyle === "confidence"
        ? CONFIDENCE_LEVELS.map(({ level, words, grade }) =>
            button(
              ids.rate(v.cardId, v.version, v.shownAt, grade, level),
              `${level}${words ? ` ${words}` : ""} · ${formatInterval(intervals[grade])}`,
              level <= 2 ? ButtonStyle.Danger : level === 4 ? ButtonStyle.Success : ButtonStyle.Secondary,
            ),
          )
        : GRADES.map((g) =>
            button(
              ids.rate(v.cardId, v.version, v.shownAt, g),
              `${GRADE_NAMES[g]} · ${formatInterval(intervals[g])}`,
              g === 1 ? ButtonStyle.Danger : g === 3 ? ButtonStyle.Success : ButtonStyle.Secondary,
            ),
          );
  const stop = button(ids.stop(), "Stop", ButtonStyle.Secondary);
  // The answer side can set the card aside; the question side carries the Undo of the rating just made.
  const aside =
    intervals === null
      ? undoButton(v)
      : [
          button(ids.hold("bury", v.cardId, v.version, v.shownAt), "Bury", ButtonStyle.Secondary),
          button(ids.hold("suspend", v.cardId, v.version, v.shownAt), "Suspend", ButtonStyle.Secondary),
          ...(v.fix === "edit"
            ? [button(cardIds.edit(v.cardId), "Edit", ButtonStyle.Secondary)]
            : v.fix === "report"
              ? [button(cardIds.report(v.cardId), "Report", ButtonStyle.Secondary)]
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

function renderDone(v: DoneView): MessagePayload {
  const lines: string[] = [];
  if (v.reviewed > 0)
    lines.push(
      `Cards reviewed: **${v.reviewed}** (Again: ${v.again})`,
      `Time spent: ${formatDuration(v.durationMs)}`,
    );
  else lines.push(v.stoppedEarly ? "No cards reviewed in this session." : "Nothing to review right now.");
  if (v.due > 0) lines.push(`${plural(v.due, "card")} still due: run \`/study\` to go on.`);
  // The limit is named once it is used up; before that the cards still due are what /study goes on with.
  const limited = v.heldBack > 0 && v.reviewsLeft === 0;
  if (limited) lines.push(reviewLimitLine(v));
  const line = newCardsLine(v);
  if (line) lines.push(line);
  // Held-back cards are overdue: the limit's line says when they come.
  if (v.due === 0 && v.nextDue && !limited) lines.push(`Next card due ${discordTime(v.nextDue)}.`);
  else if (v.due === 0 && v.newCards.unseen === 0)
    lines.push("Your decks here have no cards to study yet: see `/deck list`.");
  return {
    content: v.notice ?? undefined,
    embeds: [
      {
        color: COLORS.done,
        title: v.stoppedEarly ? "Session stopped" : v.reviewed > 0 ? "All done for now 🎉" : "All caught up",
        description: lines.join("\n"),
      },
    ],
    components: v.undo || v.misses > 0 ? [row([...undoButton(v), ...redoButton(v)])] : [],
    allowed_mentions: NO_PINGS,
    attachments: [], // the last card's image goes with it
  };
}

/** Re-do today's misses (render/practice-view.ts), when the member rated cards Again today. */
function redoButton(v: DoneView): APIButtonComponent[] {
  if (v.misses === 0) return [];
  return [
    button(practiceOfferId(v.session.userId), `Re-do today's misses (${v.misses})`, ButtonStyle.Primary),
  ];
}

/** The Undo of the rating just made, when the view offers one. */
function undoButton(v: CardView | DoneView): APIButtonComponent[] {
  return v.undo
    ? [button(studyIds(v.session).undo(v.undo.cardId, v.undo.reps), "↩ Undo", ButtonStyle.Secondary)]
    : [];
}

/** The review limit held due cards back: how many, until when, and where to raise it. */
function reviewLimitLine(v: DoneView): string {
  const wait = `${plural(v.heldBack, "more due card")} ${v.heldBack === 1 ? "waits" : "wait"}`;
  if (v.reviewLimit === 0)
    return `Reviews are off (your limit is 0 a day): ${wait}. Turn them on with \`/settings reviews\`.`;
  return `You did today's ${plural(v.reviewLimit, "review")} (your daily limit): ${wait}. Reviews again ${discordTime(v.resetsAt)}, or raise the limit with \`/settings reviews\`.`;
}

/** Which new-card limit stopped the session, and when it lifts; or what is left of today's new cards on Stop. */
function newCardsLine(v: DoneView): string | null {
  const { unseen, leftToday, perDay } = v.newCards;
  const resetsAt = v.resetsAt;
  if (unseen === 0) return null;
  const wait = (n: number, what: string) => `${plural(n, what)} ${n === 1 ? "waits" : "wait"}`;
  if (leftToday === 0 && perDay === 0)
    return `New cards are off (your limit is 0 a day): ${wait(unseen, "new card")}. Turn them on with \`/settings newcards\`.`;
  if (leftToday === 0)
    return `You started today's ${plural(perDay, "new card")} (your daily limit): ${wait(unseen, "more new card")}. New cards again ${discordTime(resetsAt)}.`;
  return v.stoppedEarly ? `${plural(Math.min(leftToday, unseen), "new card")} left today.` : null;
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}
