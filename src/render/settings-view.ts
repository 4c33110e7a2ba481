/** The /settings reply: what changed (one line), then every setting as it now stands. */

import { english, type T } from "../i18n/translate.ts";
import type { SettingsView } from "../services/settings.ts";
import { COLORS } from "./components.ts";
import { shownName } from "./deck-view.ts";
import { clip, LIMITS, NO_PINGS } from "./limits.ts";

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

const onOff = (b: boolean, t: T) => t(b ? "settings.on" : "settings.off");
const newCards = (count: number, t: T) => t("study.newCards", { count });

function note(change: SettingsChange, v: SettingsView, t: T): string {
  const s = v.settings;
  switch (change) {
    case "reminders":
      return t(s.reminders ? "settings.remindersOn" : "settings.remindersOff");
    case "leaderboard":
      return t(s.leaderboardVisible ? "settings.visibleOn" : "settings.visibleOff");
    case "timezone":
      return t("settings.timezone", { zone: v.zone.name });
    case "newcards": {
      if (v.deckChange) return deckNote(v.deckChange, s.newPerDay, t);
      const ownLimits = v.deckNewCards.length > 0;
      return s.newPerDay === 0
        ? t(ownLimits ? "settings.newNoneOutside" : "settings.newNone")
        : t(ownLimits ? "settings.newUpToOutside" : "settings.newUpTo", { cards: newCards(s.newPerDay, t) });
    }
    case "reviews":
      return s.reviewLimit === 0
        ? t("settings.reviewsNone")
        : t("settings.reviewsUpTo", { reviews: t("study.reviews", { count: s.reviewLimit }) });
    case "scheduling":
      return schedulingNote(v, t);
    case "rating":
      return t(s.ratingStyle === "confidence" ? "settings.ratingConfidence" : "settings.ratingAnki");
    case "leeches":
      return s.leechThreshold === 0
        ? t("settings.leechesNone")
        : t(s.leechAction === "suspend" ? "settings.leechesSuspend" : "settings.leechesTag", {
            n: s.leechThreshold,
          });
    case "show":
      return t("settings.show");
  }
}

/** A deck's own new-card limit was set or cleared. */
function deckNote(d: { name: string; perDay: number | null }, global: number, t: T): string {
  const name = `**${shownName(d.name)}**`;
  if (d.perDay === null) return t("settings.deckShares", { name, cards: newCards(global, t) });
  return d.perDay === 0
    ? t("settings.deckNone", { name })
    : t("settings.deckOwn", { name, cards: newCards(d.perDay, t) });
}

/** The global new-card limit and, after it, each deck's own. */
function newCardsValue(v: SettingsView, t: T): string {
  const own = v.deckNewCards.map((d) => `${shownName(d.name)}: ${num(d.perDay, t)}`);
  const global = num(v.settings.newPerDay, t);
  return own.length === 0 ? global : `${global} (${own.join(", ")})`;
}

const num = (n: number, t: T) => n.toLocaleString(t.intl);
const pct = (r: number, t: T) => r.toLocaleString(t.intl, { style: "percent", maximumFractionDigits: 0 });
const perDay = (n: number, t: T) => n.toLocaleString(t.intl, { maximumFractionDigits: n < 10 ? 1 : 0 });

/** What the new scheduling means: for a retention change, the workload at the member's current cards. */
function schedulingNote(v: SettingsView, t: T): string {
  const s = v.settings;
  const w = v.workload;
  if (!w) return t("settings.scheduling");
  const retention = pct(s.retention, t);
  if (w.cards === 0) return t("settings.retentionNoCards", { retention });
  return t("settings.retentionWorkload", {
    retention,
    after: perDay(w.after, t),
    before: perDay(w.before, t),
    cards: t("common.cards", { count: w.cards }),
  });
}

export function renderSettings(change: SettingsChange, v: SettingsView, t: T = english) {
  const s = v.settings;
  // Without one of their own, the member's days follow the server's zone: name it.
  const zone = v.zone.own
    ? v.zone.name
    : t(v.zone.server ? "settings.zoneServer" : "settings.zoneDefault", { zone: v.zone.name });
  const field = (name: string, value: string) => ({ name, value, inline: true });
  return {
    content: note(change, v, t),
    embeds: [
      {
        color: COLORS.info,
        fields: [
          field(t("settings.field.newCards"), clip(newCardsValue(v, t), LIMITS.embedFieldValue)),
          field(t("settings.field.reviews"), num(s.reviewLimit, t)),
          field(t("settings.field.timezone"), zone),
          field(t("settings.field.reminders"), onOff(s.reminders, t)),
          field(t("settings.field.leaderboard"), onOff(s.leaderboardVisible, t)),
          field(t("settings.field.retention"), pct(s.retention, t)),
          field(t("settings.field.maxInterval"), t("common.days", { count: s.maxInterval })),
          field(t("settings.field.learningSteps"), s.learningSteps),
          field(t("settings.field.relearningSteps"), s.relearningSteps),
          field(
            t("settings.field.rating"),
            t(s.ratingStyle === "confidence" ? "settings.ratingValueConfidence" : "settings.ratingValueAnki"),
          ),
          field(
            t("settings.field.leeches"),
            s.leechThreshold === 0
              ? t("settings.off")
              : t(s.leechAction === "suspend" ? "settings.leechValueSuspend" : "settings.leechValueTag", {
                  n: s.leechThreshold,
                }),
          ),
        ],
      },
    ],
    allowed_mentions: NO_PINGS,
  };
}
