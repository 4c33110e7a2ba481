/** The /settings reply: what changed (one line), then every setting as it now stands. */

import type { SettingsView } from "../services/settings.ts";
import { COLORS } from "./components.ts";
import { shownName } from "./deck-view.ts";
import { clip, LIMITS, NO_PINGS } from "./limits.ts";
import { plural } from "./plural.ts";

/** Which subcommand ran: `show` changes nothing. */
export type SettingsChange =
  | "show"
  | "reminders"
  | "leaderboard"
  | "timezone"
  | "newcards"
  | "reviews"
  | "scheduling"
  | "leeches"
  | "rating";

const onOff = (b: boolean) => (b ? "on" : "off");

function note(change: SettingsChange, v: SettingsView): string {
  const s = v.settings;
  switch (change) {
    case "reminders":
      return s.reminders
        ? "I will ping you in the daily post when you have cards due."
        : "No more pings from the daily post.";
    case "leaderboard":
      return s.leaderboardVisible
        ? "You appear on leaderboards again."
        : "You are hidden from leaderboards and from others' `/stats`.";
    case "timezone":
      return `Your timezone is now \`${v.zone.name}\`.`;
    case "newcards":
      if (v.deckChange) return deckNote(v.deckChange, s.newPerDay);
      return s.newPerDay === 0
        ? `You will start no new cards${v.deckNewCards.length > 0 ? " outside the decks with a limit of their own" : ""}: only reviews come up.`
        : `You will start up to ${plural(s.newPerDay, "new card")} per day${v.deckNewCards.length > 0 ? " over your decks without a limit of their own" : ""}.`;
    case "reviews":
      return s.reviewLimit === 0
        ? "You will do no reviews: due cards wait (learning cards still come up)."
        : `You will do up to ${plural(s.reviewLimit, "review")} per day; due cards beyond wait for the next day (learning cards always come up).`;
    case "scheduling":
      return schedulingNote(v);
    case "rating":
      return s.ratingStyle === "confidence"
        ? "You rate cards 1–5, how well you knew them: 1–2 relearn the card (Again), 3 is Hard, 4 Good, 5 Easy."
        : "You rate cards Again / Hard / Good / Easy.";
    case "leeches":
      return s.leechThreshold === 0
        ? "No card will be made a leech."
        : `A card you forget ${s.leechThreshold} times becomes a leech: I will tell you once, and ${s.leechAction === "suspend" ? "suspend it" : "tag it (it stays in your reviews)"}.`;
    case "show":
      return "Your settings:";
  }
}

/** A deck's own new-card limit was set or cleared. */
function deckNote(d: { name: string; perDay: number | null }, global: number): string {
  const name = `**${shownName(d.name)}**`;
  if (d.perDay === null)
    return `${name} shares your global limit again (${plural(global, "new card")} per day).`;
  return d.perDay === 0
    ? `${name} starts no new cards, whatever your global limit.`
    : `${name} starts up to ${plural(d.perDay, "new card")} per day of its own, outside your global limit.`;
}

/** The global new-card limit and, after it, each deck's own. */
function newCardsValue(v: SettingsView): string {
  const own = v.deckNewCards.map((d) => `${shownName(d.name)}: ${d.perDay}`);
  return own.length === 0 ? String(v.settings.newPerDay) : `${v.settings.newPerDay} (${own.join(", ")})`;
}

const pct = (r: number) => `${Math.round(r * 100)}%`;
const perDay = (n: number) => (n < 10 ? String(Math.round(n * 10) / 10) : String(Math.round(n)));

/** What the new scheduling means: for a retention change, the workload at the member's current cards. */
function schedulingNote(v: SettingsView): string {
  const s = v.settings;
  const w = v.workload;
  if (!w) return "Your scheduling (applies from your next rating):";
  if (w.cards === 0)
    return `Desired retention is now ${pct(s.retention)}. You have no cards in review yet, so there is no workload to estimate.`;
  return `Desired retention is now ${pct(s.retention)}: about ${perDay(w.after)} reviews a day at your current ${plural(w.cards, "card")} in review (about ${perDay(w.before)} before). Higher retention means shorter intervals, so more reviews.`;
}

export function renderSettings(change: SettingsChange, v: SettingsView) {
  const s = v.settings;
  // Without one of their own, the member's days follow the server's zone: name it.
  const zone = v.zone.own ? v.zone.name : `${v.zone.server ? "server's: " : ""}${v.zone.name} (default)`;
  return {
    content: note(change, v),
    embeds: [
      {
        color: COLORS.info,
        fields: [
          { name: "New cards per day", value: clip(newCardsValue(v), LIMITS.embedFieldValue), inline: true },
          { name: "Reviews per day", value: String(s.reviewLimit), inline: true },
          { name: "Timezone", value: zone, inline: true },
          { name: "Daily reminders", value: onOff(s.reminders), inline: true },
          { name: "On leaderboards", value: onOff(s.leaderboardVisible), inline: true },
          { name: "Desired retention", value: pct(s.retention), inline: true },
          { name: "Maximum interval", value: plural(s.maxInterval, "day"), inline: true },
          { name: "Learning steps", value: s.learningSteps, inline: true },
          { name: "Relearning steps", value: s.relearningSteps, inline: true },
          {
            name: "Rating",
            value: s.ratingStyle === "confidence" ? "confidence 1–5" : "Again / Hard / Good / Easy",
            inline: true,
          },
          {
            name: "Leeches",
            value:
              s.leechThreshold === 0
                ? "off"
                : `${s.leechAction === "suspend" ? "suspend" : "tag"} at ${s.leechThreshold} lapses`,
            inline: true,
          },
        ],
      },
    ],
    allowed_mentions: NO_PINGS,
  };
}
