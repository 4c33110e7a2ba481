/**
 * The leaderboard message. Names are user mentions (`<@id>`) in the message content: Discord clients resolve
 * them to display names for everyone in the server without the bot needing the privileged members intent, and
 * `allowed_mentions: { parse: [] }` makes sure nobody is pinged. The board is plain content (not an embed)
 * because clients resolve mentions in content reliably, in embeds only for members they have cached.
 */
import { MEDALS } from "../core/ranking.ts";
import { english, type T } from "../i18n/translate.ts";
import type { BoardEntry, Leaderboard, Metric } from "../services/leaderboard.ts";
import { ACCURACY_MIN_REVIEWS } from "../services/leaderboard.ts";
import { clip, LIMITS, NO_PINGS } from "./limits.ts";

/** The metrics' English names: the `/leaderboard metric:` choices (the board's own heading is translated). */
export const METRIC_NAMES: Record<Metric, string> = {
  reviews: english("leaderboard.metric.reviews"),
  points: english("leaderboard.metric.points"),
  streak: english("leaderboard.metric.streak"),
  accuracy: english("leaderboard.metric.accuracy"),
};

function periodName(b: Leaderboard, t: T): string {
  if (b.metric === "streak")
    return t(b.period === "all" ? "leaderboard.period.streakLongest" : "leaderboard.period.streakCurrent");
  return t(`leaderboard.period.${b.period}`, { zone: b.zone });
}

/** A whole number in the language's digits (1,234 · 1.234 · 1234). */
const num = (n: number, t: T) => n.toLocaleString(t.intl);

export function figure(metric: Metric, e: Pick<BoardEntry, "score" | "reviews">, t: T = english): string {
  switch (metric) {
    case "reviews":
      return t("leaderboard.figure.reviews", { count: e.score, n: num(e.score, t) });
    case "points":
      return t("leaderboard.figure.points", { count: e.score, n: num(e.score, t) });
    case "streak":
      return t("leaderboard.figure.days", { count: e.score, n: num(e.score, t) });
    case "accuracy": {
      // The score is per mille: one decimal of a percent, exact.
      const percent = new Intl.NumberFormat(t.intl, {
        style: "percent",
        minimumFractionDigits: 1,
        maximumFractionDigits: 1,
      }).format(e.score / 1000);
      const reviews = t("leaderboard.figure.reviews", { count: e.reviews, n: num(e.reviews, t) });
      return t("leaderboard.figure.accuracy", { percent, reviews });
    }
  }
}

function line(b: Leaderboard, e: BoardEntry, t: T): string {
  const badge = MEDALS[e.rank] ?? `\`#${num(e.rank, t)}\``;
  return `${badge} <@${e.userId}> — ${figure(b.metric, e, t)}`;
}

/** The asker's standing. The board is public: it names whose standing it is (a mention, which pings nobody). */
function myLine(b: Leaderboard, t: T): string {
  const me = b.me;
  const who = `<@${b.userId}>`;
  switch (me.kind) {
    case "ranked":
      return t("leaderboard.rank", {
        who,
        rank: num(me.entry.rank, t),
        ranked: num(b.ranked, t),
        figure: figure(b.metric, me.entry, t),
      });
    case "hidden":
      return t("leaderboard.hidden", { who });
    case "too-few":
      return t("leaderboard.tooFew", { who, min: ACCURACY_MIN_REVIEWS, reviews: num(me.reviews, t) });
    case "none":
      return t(b.metric === "streak" ? "leaderboard.noStreak" : "leaderboard.notYet", { who });
  }
}

/** The board in `t`'s language: the asker's, whose command it answers (public, like every reply to it). */
export function renderLeaderboard(b: Leaderboard, t: T = english) {
  const head = t("leaderboard.head", {
    metric: t(`leaderboard.metric.${b.metric}`),
    period: periodName(b, t),
  });
  const body =
    b.top.length > 0
      ? b.top.map((e) => line(b, e, t)).join("\n")
      : b.metric === "accuracy"
        ? t("leaderboard.emptyAccuracy", { min: ACCURACY_MIN_REVIEWS })
        : t("leaderboard.empty");
  const notes: string[] = [];
  if (b.metric === "accuracy") notes.push(t("leaderboard.accuracyNote", { min: ACCURACY_MIN_REVIEWS }));
  if (b.metric === "points") notes.push(t("leaderboard.pointsNote"));
  if (b.period !== "all" && b.metric !== "streak") notes.push(t("leaderboard.daysNote"));
  const content = [head, body, "", myLine(b, t), ...notes].join("\n");
  return { content: clip(content, LIMITS.content), embeds: [], components: [], allowed_mentions: NO_PINGS };
}
