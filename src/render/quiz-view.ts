import {
  type APIActionRowComponent,
  type APIButtonComponent,
  type APIEmbed,
  type APIEmbedField,
  ButtonStyle,
  escapeMarkdown,
} from "discord.js";
import { CHOICE_LETTERS, parseLocalDate } from "../core/quiz.ts";
import { localParts } from "../core/time.ts";
import type { QuizConfigRow } from "../db/quiz-configs.ts";
import { isLocale, LANGUAGE_NAMES } from "../i18n/locales.ts";
import { english, type MessageKey, type T } from "../i18n/translate.ts";
import type { AnswerResult } from "../services/quiz/answers.ts";
import type { QuizStatus } from "../services/quiz/config.ts";
import type { PostView } from "../services/quiz/post-view.ts";
import type { DeliverResult } from "../services/quiz/tick.ts";
import { cardText } from "./card-text.ts";
import { button, COLORS, row } from "./components.ts";
import { clip, LIMITS, NO_PINGS } from "./limits.ts";
import { quizIds } from "./quiz-ids.ts";

export const QUIZ_COLORS = { post: 0xfee75c, closed: 0x4f545c, right: 0x57f287, wrong: 0xed4245 } as const;

/** Budgets inside the 4096-character description (the choices are fields: they share what is left of 6000). */
const FRONT_MAX = 1500;
const DECK_NAME_MAX = 100;

export interface QuizPayload {
  content?: string;
  embeds: APIEmbed[];
  components: APIActionRowComponent<APIButtonComponent>[];
  allowed_mentions: { parse: []; users?: string[] };
}

/** A deck name inside the post's italics: none of its characters is markdown (it is a name, not card text). */
const deckNameText = (name: string) => escapeMarkdown(clip(name, DECK_NAME_MAX));

const letter = (k: number) => CHOICE_LETTERS[k] ?? "?";

/** The last date formatted per language: pure (date → text), so other processes' writes never matter to it. */
const lastQuizDate = new Map<string, { date: string; text: string }>();

/** Day formatters by language and length, made once each: building one costs more than rendering a post. */
const DAY_FORMATS = new Map<string, Intl.DateTimeFormat>();

/** A calendar day (its noon, UTC) as `intl` writes it, long ("Monday 2 March 2026") or short ("Mon 2 Mar 2026"). */
function formatDay(year: number, month: number, day: number, intl: string, length: "long" | "short"): string {
  const key = `${intl} ${length}`;
  let f = DAY_FORMATS.get(key);
  if (f === undefined) {
    f = new Intl.DateTimeFormat(intl, {
      timeZone: "UTC",
      weekday: length,
      day: "numeric",
      month: length,
      year: "numeric",
    });
    DAY_FORMATS.set(key, f);
  }
  const formatted = f.format(new Date(Date.UTC(year, month - 1, day, 12)));
  // English as the bot always wrote it: no comma after the weekday.
  return intl === "en-GB" ? formatted.replace(",", "") : formatted;
}

/** "2026-03-02" → "Monday 2 March 2026" (en), "Montag, 2. März 2026" (de), "lunes, 2 de marzo de 2026" (es). */
export function formatQuizDate(date: string, intl = "en-GB"): string {
  // A tick renders thousands of posts for the same few dates; Intl's format costs ~14 µs a call.
  const last = lastQuizDate.get(intl);
  if (last?.date === date) return last.text;
  const d = parseLocalDate(date);
  if (!d) return date;
  const text = formatDay(d.year, d.month, d.day, intl, "long");
  lastQuizDate.set(intl, { date, text });
  return text;
}

/** An instant as the wall clock shows it in `zone`: "Tue 3 Mar 2026, 09:00" (en), "Di., 3. März 2026, 09:00" (de). */
export function formatLocalTime(ms: number, zone: string, intl = "en-GB"): string {
  const p = localParts(ms, zone);
  const day = formatDay(p.year, p.month, p.day, intl, "short");
  return `${day}, ${String(p.hour).padStart(2, "0")}:${String(p.minute).padStart(2, "0")}`;
}

const relative = (ms: number) => `<t:${Math.floor(ms / 1000)}:R>`;

/** The mention line: exactly the opted-in members with cards due (their ids are the only allowed pings). */
export function mentionLine(pinged: string[], more: number, t: T = english): string | undefined {
  if (pinged.length === 0) return undefined;
  const tail = `${more > 0 ? t("quiz.andMore", { count: more }) : ""}${t("quiz.cardsDueToday")}`;
  return clip(pinged.map((id) => `<@${id}>`).join(" ") + tail, LIMITS.content);
}

/** The daily post: due summary, question of the day, one field per choice A–D, tally; closed = answer shown, buttons off. */
export function renderPost(v: PostView, opts: { ping?: boolean; t?: T } = {}): QuizPayload {
  const t = opts.t ?? english;
  const shown = v.dueCardsCapped ? `${v.dueCards.toLocaleString(t.intl)}+` : String(v.dueCards);
  const lines = [
    v.dueMembers === 0
      ? t("quiz.allCaughtUp")
      : t("quiz.dueLine", {
          members: t("quiz.members", { count: v.dueMembers }),
          cards: t("quiz.dueCards", { count: v.dueCardsCapped ? 2 : v.dueCards, shown }),
        }),
  ];
  const q = v.question;
  const buttons: APIButtonComponent[] = [];
  if (q) {
    lines.push(
      "",
      t("quiz.questionOfTheDay", { deck: deckNameText(q.deckName) }),
      cardText(q.front, FRONT_MAX),
    );
    if (v.closed) lines.push("", t("quiz.answerIs", { letter: letter(q.correctIndex) }));
    q.choices.forEach((_, k) => {
      const right = v.closed && k === q.correctIndex;
      buttons.push(
        button(
          quizIds.answer(v.postId, k),
          letter(k),
          right ? ButtonStyle.Success : ButtonStyle.Secondary,
          v.closed,
        ),
      );
    });
  } else {
    lines.push("", t("quiz.noQuestion"));
  }
  const embed: APIEmbed = {
    color: v.closed ? QUIZ_COLORS.closed : QUIZ_COLORS.post,
    title: clip(t("quiz.title", { date: formatQuizDate(v.date, t.intl) }), LIMITS.embedTitle),
    description: clip(lines.join("\n"), LIMITS.embedDescription),
  };
  if (q) {
    embed.footer = {
      text: `${v.closed ? t("quiz.closed") : ""}${t("quiz.tally", { answered: v.answered, correct: v.correct })}`,
    };
    embed.fields = choiceFields(q.choices, v.closed ? q.correctIndex : null, embedLength(embed));
  }
  const components = [
    ...(buttons.length ? [row(buttons)] : []),
    row([button(quizIds.review(v.postId), t("quiz.startReview"), ButtonStyle.Primary)]),
  ];
  return {
    content: mentionLine(v.pinged, v.pingedMore, t),
    embeds: [embed],
    components,
    // Only the first send pings; edits re-send the same text with no pings at all.
    allowed_mentions: opts.ping ? { parse: [], users: v.pinged } : NO_PINGS,
  };
}

const embedLength = (e: APIEmbed) =>
  (e.title?.length ?? 0) + (e.description?.length ?? 0) + (e.footer?.text.length ?? 0);

/**
 * Each choice as its own field, so a multi-line answer keeps its lines, bullets and code blocks. The fields share
 * what the embed's 6000 characters leave after the rest (`used`), each at most a field's 1024; a longer answer is
 * cut with the visible marker (a cut code block is closed first).
 */
export function choiceFields(
  choices: readonly string[],
  right: number | null,
  used: number,
): APIEmbedField[] {
  const names = choices.map((_, k) => (k === right ? `${letter(k)} ✅` : letter(k)));
  const room = LIMITS.embedTotal - used - names.join("").length;
  const each = Math.min(LIMITS.embedFieldValue, Math.floor(room / Math.max(1, choices.length)));
  return choices.map((text, k) => ({ name: names[k] ?? letter(k), value: cardText(text, each) }));
}

/** What only the answerer sees after a click. */
export function renderAnswerFeedback(r: AnswerResult, t: T = english): QuizPayload {
  const p = r.post;
  const choices = p.choices ?? [];
  const correctIndex = p.correctIndex ?? 0;
  const answer = choices[correctIndex]?.text ?? "";
  if (r.kind === "already")
    return {
      content: t("quiz.alreadyAnswered", {
        letter: letter(r.choice),
        verdict: r.correct ? t("quiz.verdictRight") : t("quiz.verdictWrong"),
      }),
      embeds: [],
      components: [],
      allowed_mentions: NO_PINGS,
    };
  if (r.kind === "closed")
    return {
      content: closedAnswer(letter(correctIndex), answer, t),
      embeds: [],
      components: [],
      allowed_mentions: NO_PINGS,
    };
  const head = r.correct
    ? t("quiz.pickedRight", { letter: letter(r.choice) })
    : t("quiz.pickedWrong", { letter: letter(r.choice), answer: letter(correctIndex) });
  const deck = p.deckName ?? p.deckId ?? t("quiz.thisDeck");
  const note = r.reviewed
    ? r.correct
      ? t("quiz.countedGood")
      : t("quiz.countedAgain")
    : r.subscribed
      ? ""
      : t("quiz.notStudied", { deck: deckNameText(deck) });
  const question = t("quiz.question");
  const answerHead = t("quiz.answer");
  const fixed = [head, "", question, "", answerHead, "", note].join("\n").length;
  const room = LIMITS.embedDescription - fixed;
  const front = cardText(p.front ?? "", Math.min(FRONT_MAX, Math.floor(room / 3)));
  const back = cardText(answer, room - front.length);
  return {
    ...(r.notice && { content: r.notice }),
    embeds: [
      {
        color: r.correct ? QUIZ_COLORS.right : QUIZ_COLORS.wrong,
        title: r.correct ? t("quiz.correctTitle") : t("quiz.wrongTitle"),
        description: [head, "", question, front, "", answerHead, back, "", note].join("\n").trim(),
      },
    ],
    components: [],
    allowed_mentions: NO_PINGS,
  };
}

/** A multi-line answer starts on its own line, where its bullets and code blocks read as the deck wrote them. */
function closedAnswer(letterText: string, answer: string, t: T): string {
  const head = `${t("quiz.closedAnswer", { letter: letterText })}\n`;
  return head + cardText(answer, LIMITS.content - head.length);
}

const RESULT_KEYS = {
  posted: "quiz.status.result.posted",
  claimed: "quiz.status.result.claimed",
  failed: "quiz.status.result.failed",
  skipped: "quiz.status.result.skipped",
} as const satisfies Record<string, MessageKey>;

const resultText = (status: string, t: T) =>
  status in RESULT_KEYS ? t(RESULT_KEYS[status as keyof typeof RESULT_KEYS]) : status;

/** `/quiz status`: the admin's reply, in their language. */
export function renderStatus(s: QuizStatus, guildId: string, t: T = english): QuizPayload {
  const c = s.config;
  if (!c)
    return {
      content: t("quiz.status.notSetUp"),
      embeds: [],
      components: [],
      allowed_mentions: NO_PINGS,
    };
  const fields = [
    { name: t("quiz.status.channel"), value: `<#${c.channelId}>`, inline: true },
    { name: t("quiz.status.time"), value: `${c.time} ${c.timezone}`, inline: true },
    {
      name: t("quiz.status.state"),
      value: c.paused ? t("quiz.status.paused") : t("quiz.status.active"),
      inline: true,
    },
    {
      name: t("quiz.status.nextPost"),
      value: c.paused ? t("quiz.status.noneWhilePaused") : when(c.nextRunAt, c.timezone, t),
    },
  ];
  const l = s.last;
  if (l) {
    let value = `${formatQuizDate(l.localDate, t.intl)}: ${resultText(l.status, t)}`;
    if (l.status === "posted" && l.messageId)
      value += ` — [${t("quiz.status.jump")}](https://discord.com/channels/${guildId}/${l.channelId}/${l.messageId})`;
    if (l.reason && l.status !== "posted") value += ` — ${l.reason}`;
    if (l.status === "failed" && l.attempts > 1)
      value += ` (${t("quiz.status.attempts", { count: l.attempts })})`;
    if (l.status === "posted" && l.correctIndex !== null)
      value += `\n${t("quiz.tally", { answered: l.answered, correct: l.correct })}`;
    fields.push({ name: t("quiz.status.lastPost"), value: clip(value, LIMITS.embedFieldValue) });
  }
  return {
    embeds: [{ color: COLORS.info, title: t("quiz.status.title"), fields }],
    components: [],
    allowed_mentions: NO_PINGS,
  };
}

// ── Replies of /quiz setup, pause, resume and now (the admin's, in their language) ─────────────────────

const note = (content: string): QuizPayload => ({
  content,
  embeds: [],
  components: [],
  allowed_mentions: NO_PINGS,
});
function when(at: number, zone: string, t: T): string {
  return `${formatLocalTime(at, zone, t.intl)} (${zone}) · ${relative(at)}`;
}

export function renderSetupDone(cfg: QuizConfigRow, t: T = english): QuizPayload {
  return note(
    [
      t("quiz.setup.willPost", { channel: `<#${cfg.channelId}>`, time: cfg.time, zone: cfg.timezone }),
      cfg.paused
        ? t("quiz.setup.isPaused")
        : t("quiz.setup.nextPost", { when: when(cfg.nextRunAt, cfg.timezone, t) }),
      t("quiz.setup.studyDays", { zone: cfg.timezone }),
      cfg.language !== null && isLocale(cfg.language)
        ? t("quiz.setup.language", { language: LANGUAGE_NAMES[cfg.language] })
        : t("quiz.setup.serverLanguage"),
    ].join("\n"),
  );
}

export function renderPaused(r: { changed: boolean }, t: T = english): QuizPayload {
  return note(r.changed ? t("quiz.paused") : t("quiz.alreadyPaused"));
}

export function renderResumed(
  r: { changed: boolean; next: { at: number }; timezone: string },
  t: T = english,
): QuizPayload {
  const next = when(r.next.at, r.timezone, t);
  return note(r.changed ? t("quiz.resumed", { when: next }) : t("quiz.notPaused", { when: next }));
}

export function renderPostedNow(r: DeliverResult, guildId: string, t: T = english): QuizPayload {
  return note(
    r.kind === "posted"
      ? t("quiz.postedNow", {
          link: `https://discord.com/channels/${guildId}/${r.post.channelId}/${r.messageId}`,
        })
      : t("quiz.postFailed", { channel: `<#${r.post.channelId}>`, reason: r.reason }),
  );
}
