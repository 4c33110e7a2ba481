/** The /stats message: an embed with the figures and the chart PNG as its image. */
import type { APIEmbed } from "discord.js";
import type { Retention, Stats } from "../services/stats.ts";
import { statsPng } from "./chart.ts";
import { NO_PINGS } from "./limits.ts";

export const STATS_PNG = "stats.png";
const COLOR = 0x57f287;

function pct(r: Retention): string {
  return r.reviews === 0 ? "—" : `${((100 * r.passed) / r.reviews).toFixed(1)}% (${r.reviews})`;
}

function duration(ms: number): string {
  if (ms <= 0) return "0 min";
  if (ms < 60_000) return "<1 min";
  const min = Math.round(ms / 60_000);
  return min < 60 ? `${min} min` : `${Math.floor(min / 60)} h ${min % 60} min`;
}

const days = (n: number) => `${n} day${n === 1 ? "" : "s"}`;

export function statsEmbed(s: Stats, withImage: boolean): APIEmbed {
  return {
    color: COLOR,
    title: "📊 Study stats",
    description: `<@${s.userId}> · days start at 04:00 ${s.zone}`,
    fields: [
      {
        name: "Reviews",
        value: `Today **${s.reviews.today}**\n7 days **${s.reviews.week}**\n30 days **${s.reviews.month}**`,
        inline: true,
      },
      {
        name: "True retention",
        value: `7 days **${pct(s.retention.week)}**\n30 days **${pct(s.retention.month)}**`,
        inline: true,
      },
      {
        name: "Due",
        value: `Today **${s.due.today}**\nTomorrow **${s.due.tomorrow}**\nNext 7 days **${s.due.week}**`,
        inline: true,
      },
      {
        name: "Cards",
        value: `New **${s.cards.new}**\nLearning **${s.cards.learning}**\nYoung **${s.cards.young}**\nMature **${s.cards.mature}**`,
        inline: true,
      },
      {
        name: "Streak",
        value: `Current **${days(s.streak.current)}**\nLongest **${days(s.streak.longest)}**`,
        inline: true,
      },
      {
        name: "Studied",
        value: `Decks **${s.decks}**\nToday **${duration(s.timeMs.today)}**\n30 days **${duration(s.timeMs.month)}**`,
        inline: true,
      },
    ],
    footer: {
      text: "True retention: reviews of cards in the Review state not rated Again · young: interval under 21 days",
    },
    ...(withImage ? { image: { url: `attachment://${STATS_PNG}` } } : {}),
  };
}

export function renderStats(s: Stats, png: Buffer | null) {
  return {
    embeds: [statsEmbed(s, png !== null)],
    components: [],
    allowed_mentions: NO_PINGS,
    ...(png ? { files: [{ attachment: png, name: STATS_PNG }] } : {}),
  };
}

/** The /stats reply with its chart; without it (`onChartError` told) when the picture fails: the figures still help. */
export async function statsReply(s: Stats, title: string, onChartError: (err: unknown) => void) {
  let png: Buffer | null = null;
  try {
    png = await statsPng(s, title);
  } catch (err) {
    onChartError(err);
  }
  return renderStats(s, png);
}
