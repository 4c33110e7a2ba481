import { existsSync, readdirSync } from "node:fs";
import { Resvg } from "@resvg/resvg-js";
import { describe, expect, it } from "vitest";
import { CHART, heatLevel, statsPng, statsSvg } from "../../src/render/chart.ts";
import type { Stats } from "../../src/services/stats.ts";
import { pngSize } from "./png.ts";

function sample(busy: boolean): Stats {
  const today = 20_500;
  const from = today - ((today + 3) % 7) - 52 * 7;
  const counts = Array.from({ length: today - from + 1 }, (_, i) => (busy ? (i * 7919) % 230 : 0));
  const forecast = Array.from({ length: 30 }, (_, k) => (busy ? 9999 - k * 300 : 0));
  return {
    userId: "1",
    zone: "UTC",
    today,
    reviews: { today: 1, week: 2, month: 3 },
    timeMs: { today: 1, month: 2 },
    retention: { week: { reviews: 0, passed: 0 }, month: { reviews: 0, passed: 0 } },
    due: { today: forecast[0] ?? 0, tomorrow: forecast[1] ?? 0, week: 7 },
    cards: { new: 0, learning: 0, young: 0, mature: 0 },
    streak: { current: 123, longest: 456 },
    decks: 1,
    heatmap: { from, counts },
    forecast,
    memory: {
      months: Array.from({ length: 12 }, (_, k) => ({
        year: 2026,
        month: k + 1,
        retention: busy ? { reviews: 100 + k, passed: 80 + k } : { reviews: 0, passed: 0 },
      })),
      calibration: busy
        ? {
            applied: true,
            defaults: Array.from({ length: 10 }, (_, k) => ({
              n: k,
              predicted: (k + 0.5) / 10,
              actual: k / 12,
            })),
            fitted: Array.from({ length: 10 }, (_, k) => ({
              n: k,
              predicted: (k + 0.5) / 10,
              actual: (k + 0.4) / 10,
            })),
          }
        : null,
    },
  };
}

/** Hosts without any font draw the chart without labels (documented); the glyph check needs one. */
const FONT_DIRS = [
  "/usr/share/fonts",
  "/usr/local/share/fonts",
  "/System/Library/Fonts",
  "C:\\Windows\\Fonts",
];
const hasSystemFont = FONT_DIRS.some((d) => existsSync(d) && readdirSync(d, { recursive: true }).length > 0);

describe("GIVEN the /stats chart", () => {
  it("THEN it is a PNG of the promised size and well under 200 KB, busy or empty", async () => {
    for (const busy of [true, false]) {
      const png = await statsPng(sample(busy), 'Study stats · <b>&amp; "quotes"');
      expect(pngSize(png)).toEqual({ width: CHART.width, height: CHART.height });
      expect(png.length).toBeLessThan(200 * 1024);
    }
  });

  it("THEN the memory panel draws both calibrations after a fit, and says how to get one before", () => {
    const fitted = statsSvg(sample(true), "t");
    expect(fitted).toContain("How well FSRS predicts you");
    expect(fitted).toContain("fitted to you (in use)");
    expect(fitted).toContain("FSRS defaults");
    // Two series of 9 non-empty bins each (bin 0 is empty), and 12 months of retention bars with their share.
    expect(fitted.match(/<polyline /g)).toHaveLength(2);
    expect(fitted.match(/<circle /g)).toHaveLength(18);
    expect(fitted).toContain(">80%<");
    const before = statsSvg(sample(false), "t");
    expect(before).toContain("/settings memory optimize");
    expect(before).not.toContain("<polyline ");
  });

  it("THEN user text is escaped in the SVG", () => {
    const svg = statsSvg(sample(false), "<script>&");
    expect(svg).toContain("&lt;script&gt;&amp;");
    expect(svg).not.toContain("<script>");
  });

  it("THEN it has an opaque background (reads the same in dark and light themes)", () => {
    const img = new Resvg(statsSvg(sample(true), "t"), { font: { loadSystemFonts: false } }).render();
    const px = img.pixels;
    const alphaAt = (x: number, y: number) => px[(y * img.width + x) * 4 + 3];
    expect(alphaAt(100, 100)).toBe(255);
    expect(alphaAt(Math.floor(CHART.width / 2), CHART.height - 5)).toBe(255);
  });

  it.skipIf(!hasSystemFont)("THEN the labels really render as glyphs with the host's fonts", () => {
    const blank = `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"><rect width="200" height="40" fill="#3b4050"/></svg>`;
    const withText = blank.replace(
      "</svg>",
      `<text x="10" y="28" font-size="20" fill="#ffffff" font-family="DejaVu Sans, Liberation Sans, Arial, sans-serif">Reviews 123</text></svg>`,
    );
    const render = (svg: string) =>
      new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" } }).render().pixels;
    const a = render(blank);
    const b = render(withText);
    let changed = 0;
    for (let i = 0; i < a.length; i += 4) if (a[i] !== b[i]) changed++;
    expect(changed).toBeGreaterThan(200);
  });

  it("THEN heat levels rise with the day's count relative to the busiest day", () => {
    expect(heatLevel(0, 50)).toBe(0);
    expect(heatLevel(1, 50)).toBe(1);
    expect(heatLevel(25, 50)).toBe(2);
    expect(heatLevel(50, 50)).toBe(4);
    expect(heatLevel(5, 0)).toBe(0);
  });
});
