/**
 * The leaderboard in each language: plurals by the catalog, numbers and percentages by the language's Intl (German
 * and Spanish put a no-break space before the percent sign).
 */
import { describe, expect, it } from "vitest";
import { english, translator } from "../../src/i18n/translate.ts";
import { figure, renderLeaderboard } from "../../src/render/leaderboard.ts";
import type { Leaderboard } from "../../src/services/leaderboard.ts";

const de = translator("de");
const es = translator("es");

function board(over: Partial<Leaderboard>): Leaderboard {
  return {
    period: "week",
    metric: "points",
    top: [],
    ranked: 0,
    userId: "u",
    me: { kind: "none" },
    window: null,
    zone: "Europe/Berlin",
    ...over,
  };
}

describe("GIVEN a leaderboard figure", () => {
  it("THEN English keeps its words and groups thousands", () => {
    expect(figure("points", { score: 1, reviews: 1 })).toBe("1 pt");
    expect(figure("points", { score: 1234, reviews: 1 })).toBe("1,234 pts");
    expect(figure("accuracy", { score: 750, reviews: 20 })).toBe("75.0% · 20 reviews");
    expect(figure("streak", { score: 1, reviews: 1 }, english)).toBe("1 day");
  });

  it("THEN German and Spanish use their own plurals, digits and percent signs", () => {
    expect(figure("reviews", { score: 1, reviews: 1 }, de)).toBe("1 Wiederholung");
    expect(figure("reviews", { score: 1234, reviews: 1 }, de)).toBe("1.234 Wiederholungen");
    expect(figure("accuracy", { score: 875, reviews: 40 }, de)).toBe("87,5\u00a0% · 40 Wiederholungen");
    expect(figure("streak", { score: 3, reviews: 3 }, es)).toBe("3 días");
    expect(figure("points", { score: 12345, reviews: 1 }, es)).toBe("12.345 ptos");
    expect(figure("accuracy", { score: 1000, reviews: 20 }, es)).toBe("100,0\u00a0% · 20 repasos");
  });
});

describe("GIVEN a whole board", () => {
  it("THEN a German one is German from heading to notes", () => {
    const b = board({
      metric: "accuracy",
      period: "today",
      top: [{ rank: 1, userId: "a", score: 900, reviews: 1200 }],
      ranked: 1,
      me: { kind: "too-few", reviews: 7 },
    });
    expect(renderLeaderboard(b, de).content.split("\n")).toEqual([
      "## 🏆 Genauigkeit · heute (Europe/Berlin)",
      "🥇 <@a> — 90,0\u00a0% · 1.200 Wiederholungen",
      "",
      "<@u> braucht 20 Wiederholungen in diesem Zeitraum, um nach Genauigkeit gewertet zu werden (hat 7).",
      "-# Genauigkeit = Wiederholungen, die nicht mit Nochmal bewertet wurden; gewertet ab 20 Wiederholungen im Zeitraum.",
      "-# Tage beginnen um 04:00 Serverzeit; Woche und Monat sind gleitend (heute und die Tage davor).",
    ]);
  });

  it("THEN a streak board names current and longest streaks in Spanish, and a hidden member is told so", () => {
    expect(renderLeaderboard(board({ metric: "streak", period: "all" }), es).content).toContain(
      "## 🏆 Racha · la más larga\n",
    );
    const hidden = renderLeaderboard(board({ metric: "streak", me: { kind: "hidden" } }), es).content;
    expect(hidden).toContain("## 🏆 Racha · actual\n");
    expect(hidden).toContain("<@u> está oculto en las clasificaciones");
  });
});
