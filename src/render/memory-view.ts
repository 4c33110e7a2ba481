/** The `/settings memory` replies: a fit's outcome, the weights in use, a reset. */
import type { MemoryView, OptimizeResult } from "../services/memory/optimize.ts";
import { COLORS } from "./components.ts";
import { NO_PINGS } from "./limits.ts";
import { plural } from "./plural.ts";

const loss = (x: number) => x.toFixed(3);
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const date = (ms: number) => `<t:${Math.floor(ms / 1000)}:D>`;

/** What `/settings memory optimize` found. */
export function renderOptimize(r: OptimizeResult) {
  if (r.kind === "claimed-elsewhere")
    return {
      content: "A fit of your memory model is running already. Try again in a minute.",
      allowed_mentions: NO_PINGS,
    };
  if (r.kind === "failed")
    return {
      content: `The fit could not run on your history (${r.reason.slice(0, 200)}). Nothing changed: try again after more reviews.`,
      allowed_mentions: NO_PINGS,
    };
  if (r.kind === "not-yet") {
    const more = r.needed - r.longTerm;
    return {
      content: `Not yet: ${plural(more, "more review")} first. A fit learns from reviews on a later day than the card's review before: it needs ${r.needed}, you have ${r.longTerm} (of ${plural(r.reviews, "review")}). Nothing changed.`,
      allowed_mentions: NO_PINGS,
    };
  }
  const before = r.hadOwn ? "your weights before" : "FSRS's defaults";
  const content = r.applied
    ? `Your memory model is fitted to you, from ${plural(r.reviews, "review")}: it predicts your own history better than ${before}, so every interval from your next card on uses it.`
    : `I fitted a model from ${plural(r.reviews, "review")}, but it does not predict your history better than ${before}, so you keep them. Try again after more reviews.`;
  return {
    content,
    embeds: [
      {
        color: r.applied ? COLORS.done : COLORS.info,
        title: "How well each predicts your reviews (lower is better)",
        fields: [
          {
            name: "Log loss",
            value: `${loss(r.before.logLoss)} → **${loss(r.after.logLoss)}**`,
            inline: true,
          },
          {
            name: "RMSE (bins)",
            value: `${pct(r.before.rmseBins)} → **${pct(r.after.rmseBins)}**`,
            inline: true,
          },
          { name: "Reviews used", value: String(r.reviews), inline: true },
        ],
        footer: { text: "fsrs-rs, FSRS's own optimizer · /stats shows the calibration" },
      },
    ],
    allowed_mentions: NO_PINGS,
  };
}

/** `/settings memory show` / `reset` / `monthly`: the weights in use, the latest fit, the monthly re-fit. */
export function renderMemory(v: MemoryView, note: string | null = null) {
  const source =
    v.weights === null
      ? "FSRS's defaults"
      : `fitted to you from ${plural(v.weightsReviews ?? 0, "review")}${v.weightsAt === null ? "" : ` on ${date(v.weightsAt)}`}`;
  const last = v.lastFit;
  const fields = [
    { name: "Weights in use", value: source, inline: false },
    { name: "Monthly re-fit", value: v.refit ? "on" : "off", inline: true },
  ];
  if (last)
    fields.push({
      name: "Latest fit",
      value: `${date(last.at)}, ${plural(last.reviews, "review")}: log loss ${loss(last.before.logLoss)} → ${loss(last.after.logLoss)}, ${last.applied ? "applied" : "not applied (no better)"}`,
      inline: false,
    });
  if (v.weights !== null)
    fields.push({
      name: "Weights",
      value: `\`${v.weights.map((w) => w.toFixed(4)).join(" ")}\``,
      inline: false,
    });
  return {
    content: note ?? "Your memory model:",
    embeds: [{ color: COLORS.info, fields }],
    allowed_mentions: NO_PINGS,
  };
}
