/** The `/settings memory` replies: a fit's outcome, the weights in use, a reset, in the member's language. */
import { english, type T } from "../i18n/translate.ts";
import type { MemoryView, OptimizeResult } from "../services/memory/optimize.ts";
import { COLORS } from "./components.ts";
import { NO_PINGS } from "./limits.ts";

const loss = (x: number, t: T) =>
  x.toLocaleString(t.intl, { minimumFractionDigits: 3, maximumFractionDigits: 3 });
const pct = (x: number, t: T) =>
  x.toLocaleString(t.intl, { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 });
const date = (ms: number) => `<t:${Math.floor(ms / 1000)}:D>`;
const reviews = (count: number, t: T) => t("study.reviews", { count });

/** What `/settings memory optimize` found. */
export function renderOptimize(r: OptimizeResult, t: T = english) {
  if (r.kind === "claimed-elsewhere") return { content: t("memory.busy"), allowed_mentions: NO_PINGS };
  if (r.kind === "failed")
    return { content: t("memory.failed", { reason: r.reason.slice(0, 200) }), allowed_mentions: NO_PINGS };
  if (r.kind === "not-yet") {
    const more = t("memory.moreReviews", { count: r.needed - r.longTerm });
    return {
      content: t("memory.notYet", {
        more,
        needed: r.needed,
        have: r.longTerm,
        reviews: reviews(r.reviews, t),
      }),
      allowed_mentions: NO_PINGS,
    };
  }
  const before = t(r.hadOwn ? "memory.yourBefore" : "memory.defaults");
  const content = t(r.applied ? "memory.applied" : "memory.notApplied", {
    reviews: reviews(r.reviews, t),
    before,
  });
  return {
    content,
    embeds: [
      {
        color: r.applied ? COLORS.done : COLORS.info,
        title: t("memory.fitTitle"),
        fields: [
          {
            name: t("memory.logLoss"),
            value: `${loss(r.before.logLoss, t)} → **${loss(r.after.logLoss, t)}**`,
            inline: true,
          },
          {
            name: t("memory.rmse"),
            value: `${pct(r.before.rmseBins, t)} → **${pct(r.after.rmseBins, t)}**`,
            inline: true,
          },
          { name: t("memory.reviewsUsed"), value: r.reviews.toLocaleString(t.intl), inline: true },
        ],
        footer: { text: t("memory.footer") },
      },
    ],
    allowed_mentions: NO_PINGS,
  };
}

/** `/settings memory show` / `reset` / `monthly`: the weights in use, the latest fit, the monthly re-fit. */
export function renderMemory(v: MemoryView, note: string | null = null, t: T = english) {
  const from = reviews(v.weightsReviews ?? 0, t);
  const source =
    v.weights === null
      ? t("memory.defaults")
      : v.weightsAt === null
        ? t("memory.fittedFrom", { reviews: from })
        : t("memory.fittedFromOn", { reviews: from, date: date(v.weightsAt) });
  const last = v.lastFit;
  const fields = [
    { name: t("memory.weightsInUse"), value: source, inline: false },
    { name: t("memory.monthly"), value: t(v.refit ? "settings.on" : "settings.off"), inline: true },
  ];
  if (last)
    fields.push({
      name: t("memory.latest"),
      value: t("memory.latestValue", {
        date: date(last.at),
        reviews: reviews(last.reviews, t),
        before: loss(last.before.logLoss, t),
        after: loss(last.after.logLoss, t),
        outcome: t(last.applied ? "memory.outcomeApplied" : "memory.outcomeNotApplied"),
      }),
      inline: false,
    });
  if (v.weights !== null)
    fields.push({
      name: t("memory.weights"),
      value: `\`${v.weights.map((w) => w.toFixed(4)).join(" ")}\``,
      inline: false,
    });
  return {
    content: note ?? t("memory.yourModel"),
    embeds: [{ color: COLORS.info, fields }],
    allowed_mentions: NO_PINGS,
  };
}
