/** The /stats message: an embed with the figures and the chart PNG as its image. */
import type { APIEmbed } from "discord.js";
import { english, type T } from "../i18n/translate.ts";
import type { Retention, Stats } from "../services/stats.ts";
import { statsPng } from "./chart.ts";
import { NO_PINGS } from "./limits.ts";

export const STATS_PNG = "stats.png";
const COLOR = 0x57f287;

function pct(r: Retention): string {
  return r.reviews === 0 ? "—" : `${((100 * r.passed) / r.reviews).toFixed(1)}% (${r.reviews})`;
}

function duration(ms: number, t: T): string {
  if (ms <= 0) return t("stats.minutes", { count: 0 });
  if (ms < 60_000) return t("stats.underAMinute");
  const min = Math.round(ms / 60_000);
  return min < 60
    ? t("stats.minutes", { count: min })
    : t("stats.hoursMinutes", { hours: Math.floor(min / 60), minutes: min % 60 });
}

export function statsEmbed(s: Stats, withImage: boolean, t: T = english): APIEmbed {
  const days = (count: number) => t("common.days", { count });
  return {
    color: COLOR,
    title: t("stats.title"),
    description: t("stats.dayStart", { user: s.userId, zone: s.zone }),
    fields: [
      { name: t("stats.reviews"), value: t("stats.reviewsValue", s.reviews), inline: true },
      {
        name: t("stats.retention"),
        value: t("stats.retentionValue", { week: pct(s.retention.week), month: pct(s.retention.month) }),
        inline: true,
      },
      { name: t("stats.due"), value: t("stats.dueValue", s.due), inline: true },
      { name: t("stats.cards"), value: t("stats.cardsValue", s.cards), inline: true },
      {
        name: t("stats.streak"),
        value: t("stats.streakValue", { current: days(s.streak.current), longest: days(s.streak.longest) }),
        inline: true,
      },
      {
        name: t("stats.studied"),
        value: t("stats.studiedValue", {
          decks: s.decks,
          today: duration(s.timeMs.today, t),
          month: duration(s.timeMs.month, t),
        }),
        inline: true,
      },
    ],
    footer: { text: t("stats.footer") },
    ...(withImage ? { image: { url: `attachment://${STATS_PNG}` } } : {}),
  };
}

export function renderStats(s: Stats, png: Buffer | null, t: T = english) {
  return {
    embeds: [statsEmbed(s, png !== null, t)],
    components: [],
    allowed_mentions: NO_PINGS,
    ...(png ? { files: [{ attachment: png, name: STATS_PNG }] } : {}),
  };
}

/** The /stats reply with its chart; without it (`onChartError` told) when the picture fails: the figures still help. */
export async function statsReply(
  s: Stats,
  title: string,
  onChartError: (err: unknown) => void,
  t: T = english,
) {
  let png: Buffer | null = null;
  try {
    png = await statsPng(s, title, t);
  } catch (err) {
    onChartError(err);
  }
  return renderStats(s, png, t);
}
