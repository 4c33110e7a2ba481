/**
 * The leaderboard message. Names are user mentions (`<@id>`) in the message content: Discord clients resolve
 * them to display names for everyone in the server without the bot needing the privileged members intent, and
 * `allowed_mentions: { parse: [] }` makes sure nobody is pinged. The board is plain content (not an embed)
 * because clients resolve mentions in content reliably, in embeds only for members they have cached.
 */
import { MEDALS } from "../core/ranking.ts";
import type { BoardEntry, Leaderboard, Metric, Period } from "../services/leaderboard.ts";
import { ACCURACY_MIN_REVIEWS } from "../services/leaderboard.ts";
import { clip, LIMITS, NO_PINGS } from "./limits.ts";

export const METRIC_NAMES: Record<Metric, string> = {
  reviews: "Reviews",
  points: "Points",
  streak: "Streak",
  accuracy: "Accuracy",
};

function periodName(b: Leaderboard): string {
  if (b.metric === "streak") return b.period === "all" ? "longest ever" : "current";
  const names: Record<Period, string> = {
    today: `today (${b.zone})`,
    week: "last 7 days",
    month: "last 30 days",
    all: "all time",
  };
  return names[b.period];
}

export function figure(metric: Metric, e: Pick<BoardEntry, "score" | "reviews">): string {
  switch (metric) {
    case "reviews":
      return `${e.score} review${e.score === 1 ? "" : "s"}`;
    case "points":
      return `${e.score} pt${e.score === 1 ? "" : "s"}`;
    case "streak":
      return `${e.score} day${e.score === 1 ? "" : "s"}`;
    case "accuracy":
      return `${(e.score / 10).toFixed(1)}% · ${e.reviews} reviews`;
  }
}

function line(b: Leaderboard, e: BoardEntry): string {
  const badge = MEDALS[e.rank] ?? `\`#${e.rank}\``;
  return `${badge} <@${e.userId}> — ${figure(b.metric, e)}`;
}

/** The asker's standing. The board is public: it names whose standing it is (a mention, which pings nobody). */
function myLine(b: Leaderboard): string {
  const me = b.me;
  const who = `<@${b.userId}>`;
  switch (me.kind) {
    case "ranked":
      return `${who}'s rank: **#${me.entry.rank}** of ${b.ranked} · ${figure(b.metric, me.entry)}`;
    case "hidden":
      return `${who} is hidden from leaderboards — \`/settings leaderboard visible:True\` to appear.`;
    case "too-few":
      return `${who} needs ${ACCURACY_MIN_REVIEWS} reviews in this period to be ranked by accuracy (has ${me.reviews}).`;
    case "none":
      return b.metric === "streak"
        ? `${who} has no streak running — review a card today to start one.`
        : `${who} is not on this board yet — \`/study\` to join in.`;
  }
}

export function renderLeaderboard(b: Leaderboard) {
  const head = `## 🏆 ${METRIC_NAMES[b.metric]} · ${periodName(b)}`;
  const body =
    b.top.length > 0
      ? b.top.map((e) => line(b, e)).join("\n")
      : b.metric === "accuracy"
        ? `_Nobody has ${ACCURACY_MIN_REVIEWS} reviews in this period yet._`
        : "_Nobody is on this board yet._ Study with `/study` to be the first.";
  const notes: string[] = [];
  if (b.metric === "accuracy")
    notes.push(
      `-# Accuracy = reviews not rated Again; ranked from ${ACCURACY_MIN_REVIEWS} reviews in the period.`,
    );
  if (b.metric === "points") notes.push("-# How points are earned: `/help`.");
  if (b.period !== "all" && b.metric !== "streak")
    notes.push("-# Days start at 04:00 server time; week and month are rolling (today and the days before).");
  const content = [head, body, "", myLine(b), ...notes].join("\n");
  return { content: clip(content, LIMITS.content), embeds: [], components: [], allowed_mentions: NO_PINGS };
}
