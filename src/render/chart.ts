/**
 * The /stats picture: a year heatmap of reviews per day (GitHub-style, Monday-first columns), a 30-day due
 * forecast, and the memory model: predicted against actual recall (calibration) and true retention per month, drawn
 * as SVG and rasterised with @resvg/resvg-js (prebuilt binary, no canvas toolchain).
 *
 * It carries its own opaque mid-tone card background, so it reads the same in Discord's dark and light themes.
 * Text uses the host's system fonts (resvg `loadSystemFonts`); DejaVu Sans / Liberation Sans / Arial are tried in
 * that order. On a host with no fonts at all the labels are missing but the chart still reads.
 */
import { renderAsync } from "@resvg/resvg-js";
import { dayFromNumber, weekday } from "../core/streaks.ts";
import { english, type T } from "../i18n/translate.ts";
import type { Stats } from "../services/stats.ts";

export const CHART = { width: 760, height: 560 } as const;

const C = {
  card: "#3b4050",
  border: "#555b6e",
  text: "#f2f3f5",
  muted: "#b5bac1",
  empty: "#4b5163",
  levels: ["#1f6f43", "#2ea05a", "#46c46e", "#7ee787"],
  bar: "#7aa2f7",
  before: "#9aa0ae",
  barToday: "#f7b955",
  grid: "#4f5568",
} as const;

const FONT = "DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif";
/** Short month and weekday names in the member's language (Intl), made once per language. */
const NAMES = new Map<string, { months: string[]; weekdays: string[] }>();
function namesFor(t: T) {
  let n = NAMES.get(t.intl);
  if (n === undefined) {
    const month = new Intl.DateTimeFormat(t.intl, { month: "short", timeZone: "UTC" });
    const day = new Intl.DateTimeFormat(t.intl, { weekday: "short", timeZone: "UTC" });
    n = {
      months: Array.from({ length: 12 }, (_, m) => month.format(Date.UTC(2026, m, 15))),
      // 2026-01-05 is a Monday.
      weekdays: Array.from({ length: 7 }, (_, d) => day.format(Date.UTC(2026, 0, 5 + d))),
    };
    NAMES.set(t.intl, n);
  }
  return n;
}

function esc(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] ?? c);
}

const text = (
  x: number,
  y: number,
  s: string,
  o: { size?: number; fill?: string; anchor?: string; weight?: string } = {},
) =>
  `<text x="${x}" y="${y}" font-size="${o.size ?? 11}" fill="${o.fill ?? C.muted}" text-anchor="${o.anchor ?? "start"}"${o.weight ? ` font-weight="${o.weight}"` : ""}>${esc(s)}</text>`;

/** Colour level of a day's review count against the year's busiest days (0 = none). */
export function heatLevel(n: number, max: number): number {
  if (n <= 0 || max <= 0) return 0;
  return Math.min(4, Math.max(1, Math.ceil((4 * n) / max)));
}

export function statsSvg(s: Stats, title: string, t: T = english): string {
  const { months, weekdays } = namesFor(t);
  const parts: string[] = [];
  const { width, height } = CHART;
  parts.push(
    `<rect x="0.5" y="0.5" width="${width - 1}" height="${height - 1}" rx="12" fill="${C.card}" stroke="${C.border}"/>`,
  );

  // Heading.
  const total = s.heatmap.counts.reduce((a, b) => a + b, 0);
  parts.push(text(20, 28, title, { size: 15, fill: C.text, weight: "bold" }));
  parts.push(
    text(
      width - 20,
      28,
      t("chart.heading", { total, current: s.streak.current, longest: s.streak.longest }),
      {
        anchor: "end",
        size: 12,
      },
    ),
  );

  // Heatmap: columns are weeks (Monday first), rows are weekdays.
  const cell = 11;
  const step = 13;
  const x0 = 48;
  const y0 = 62;
  const max = Math.max(0, ...s.heatmap.counts);
  let lastMonth = -1;
  let lastLabelCol = -9;
  for (let i = 0; i < s.heatmap.counts.length; i++) {
    const day = s.heatmap.from + i;
    const col = Math.floor(i / 7);
    const row = weekday(day);
    const n = s.heatmap.counts[i] ?? 0;
    const level = heatLevel(n, max);
    const fill = level === 0 ? C.empty : C.levels[level - 1];
    const x = x0 + col * step;
    parts.push(
      `<rect x="${x}" y="${y0 + row * step}" width="${cell}" height="${cell}" rx="2" fill="${fill}"/>`,
    );
    if (row === 0) {
      const m = dayFromNumber(day).month - 1;
      if (m !== lastMonth && col < 52 && col - lastLabelCol >= 3) {
        parts.push(text(x, y0 - 8, months[m] ?? "", { size: 10 }));
        lastLabelCol = col;
      }
      lastMonth = m;
    }
  }
  for (const [row, name] of [
    [0, weekdays[0] ?? ""],
    [2, weekdays[2] ?? ""],
    [4, weekdays[4] ?? ""],
  ] as const)
    parts.push(text(x0 - 8, y0 + row * step + 9, name, { size: 10, anchor: "end" }));
  // Legend.
  const ly = y0 + 7 * step + 8;
  const lx = x0 + 53 * step - 5 * step - 34;
  parts.push(text(lx - 6, ly + 9, t("stats.less"), { size: 10, anchor: "end" }));
  [C.empty, ...C.levels].forEach((fill, k) => {
    parts.push(
      `<rect x="${lx + k * step}" y="${ly}" width="${cell}" height="${cell}" rx="2" fill="${fill}"/>`,
    );
  });
  parts.push(text(lx + 5 * step + 4, ly + 9, t("stats.more"), { size: 10 }));

  // Forecast: one bar per study day, today (with overdue cards) first.
  const fy = 208;
  const fh = 96;
  const fx0 = 48;
  const fw = width - fx0 - 24;
  const slot = fw / s.forecast.length;
  const fmax = Math.max(1, ...s.forecast);
  const dueTotal = s.forecast.reduce((a, b) => a + b, 0);
  parts.push(text(20, fy - 22, t("stats.dueNext30"), { size: 13, fill: C.text, weight: "bold" }));
  parts.push(
    text(
      width - 20,
      fy - 22,
      t("chart.dueHeading", { today: s.due.today, tomorrow: s.due.tomorrow, total: dueTotal }),
      {
        anchor: "end",
        size: 12,
      },
    ),
  );
  parts.push(`<line x1="${fx0}" y1="${fy + fh}" x2="${fx0 + fw}" y2="${fy + fh}" stroke="${C.grid}"/>`);
  parts.push(
    `<line x1="${fx0}" y1="${fy}" x2="${fx0 + fw}" y2="${fy}" stroke="${C.grid}" stroke-dasharray="3 3"/>`,
  );
  parts.push(text(fx0 - 6, fy + 4, String(fmax), { size: 10, anchor: "end" }));
  parts.push(text(fx0 - 6, fy + fh + 4, "0", { size: 10, anchor: "end" }));
  s.forecast.forEach((n, k) => {
    const h = n === 0 ? 0 : Math.max(2, Math.round((fh * n) / fmax));
    const x = fx0 + k * slot + slot * 0.15;
    if (h > 0)
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${fy + fh - h}" width="${(slot * 0.7).toFixed(1)}" height="${h}" rx="2" fill="${k === 0 ? C.barToday : C.bar}"/>`,
      );
    const last = s.forecast.length - 1;
    if (k === last || (k % 7 === 0 && k < last - 3))
      parts.push(
        text(
          fx0 + (k + 0.5) * slot,
          fy + fh + 16,
          k === 0 ? t("stats.today") : t("stats.inDays", { count: k }),
          {
            size: 10,
            anchor: "middle",
          },
        ),
      );
  });

  memoryPanel(parts, s, t);

  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}">${parts.join("")}</svg>`;
}

const pctLabel = (x: number) => `${Math.round(x * 100)}%`;

/**
 * The memory model's panel: left, each calibration bin's actual share recalled against its predicted recall, for
 * FSRS's defaults and the weights of the member's latest fit (a model that fits sits on the diagonal); right,
 * true retention per calendar month.
 */
function memoryPanel(parts: string[], s: Stats, t: T): void {
  const { months } = namesFor(t);
  const top = 360;
  const size = 150;
  const cx0 = 64;
  const cy0 = top + 12;
  parts.push(text(20, top - 10, t("stats.calibration"), { size: 13, fill: C.text, weight: "bold" }));
  parts.push(`<rect x="${cx0}" y="${cy0}" width="${size}" height="${size}" fill="none" stroke="${C.grid}"/>`);
  parts.push(
    `<line x1="${cx0}" y1="${cy0 + size}" x2="${cx0 + size}" y2="${cy0}" stroke="${C.grid}" stroke-dasharray="3 3"/>`,
  );
  for (const v of [0, 0.5, 1]) {
    parts.push(text(cx0 - 6, cy0 + size - v * size + 4, pctLabel(v), { size: 10, anchor: "end" }));
    parts.push(text(cx0 + v * size, cy0 + size + 14, pctLabel(v), { size: 10, anchor: "middle" }));
  }
  parts.push(text(cx0 + size / 2, cy0 + size + 28, t("chart.predicted"), { size: 10, anchor: "middle" }));
  parts.push(
    `<text x="${cx0 - 34}" y="${cy0 + size / 2}" font-size="10" fill="${C.muted}" text-anchor="middle" transform="rotate(-90 ${cx0 - 34} ${cy0 + size / 2})">recalled</text>`,
  );
  const c = s.memory.calibration;
  if (c === null) {
    parts.push(text(cx0 + size + 16, cy0 + 40, t("chart.notFitted"), { size: 11 }));
    parts.push(text(cx0 + size + 16, cy0 + 56, "/settings memory optimize", { size: 11, fill: C.text }));
  } else {
    const series = [
      { bins: c.defaults, color: C.before, label: t("chart.defaults") },
      {
        bins: c.fitted,
        color: C.bar,
        label: c.applied ? t("chart.fittedInUse") : t("chart.fittedNotBetter"),
      },
    ];
    series.forEach(({ bins, color, label }, k) => {
      const points = bins.filter((b) => b.n > 0);
      const xy = points.map((b) => [cx0 + b.predicted * size, cy0 + size - b.actual * size] as const);
      if (xy.length > 1)
        parts.push(
          `<polyline points="${xy.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(" ")}" fill="none" stroke="${color}" stroke-width="2"/>`,
        );
      for (const [x, y] of xy)
        parts.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="3" fill="${color}"/>`);
      const ly = cy0 + 20 + k * 16;
      parts.push(
        `<rect x="${cx0 + size + 16}" y="${ly - 8}" width="10" height="10" rx="2" fill="${color}"/>`,
      );
      parts.push(text(cx0 + size + 32, ly + 1, label, { size: 11 }));
    });
  }

  // True retention per calendar month.
  const mx0 = 420;
  const mw = CHART.width - mx0 - 24;
  const slot = mw / s.memory.months.length;
  parts.push(text(mx0, top - 10, t("chart.retentionPerMonth"), { size: 13, fill: C.text, weight: "bold" }));
  parts.push(`<line x1="${mx0}" y1="${cy0 + size}" x2="${mx0 + mw}" y2="${cy0 + size}" stroke="${C.grid}"/>`);
  parts.push(
    `<line x1="${mx0}" y1="${cy0}" x2="${mx0 + mw}" y2="${cy0}" stroke="${C.grid}" stroke-dasharray="3 3"/>`,
  );
  parts.push(text(mx0 - 6, cy0 + 4, "100%", { size: 10, anchor: "end" }));
  parts.push(text(mx0 - 6, cy0 + size + 4, "0", { size: 10, anchor: "end" }));
  s.memory.months.forEach((m, k) => {
    const x = mx0 + k * slot;
    const r = m.retention;
    if (r.reviews > 0) {
      const share = r.passed / r.reviews;
      const h = Math.max(2, Math.round(size * share));
      parts.push(
        `<rect x="${(x + slot * 0.15).toFixed(1)}" y="${cy0 + size - h}" width="${(slot * 0.7).toFixed(1)}" height="${h}" rx="2" fill="${C.bar}"/>`,
      );
      parts.push(text(x + slot / 2, cy0 + size - h - 4, pctLabel(share), { size: 9, anchor: "middle" }));
    }
    parts.push(
      text(x + slot / 2, cy0 + size + 14, months[m.month - 1] ?? "", { size: 10, anchor: "middle" }),
    );
  });
}

/**
 * Rasterises an SVG to PNG at 1× (760×560, a few tens of KB) on libuv's thread pool, so the event loop stays free
 * meanwhile: other interactions go on, and the router's defer timer can fire if this is slow.
 */
export async function svgToPng(svg: string): Promise<Buffer> {
  const img = await renderAsync(svg, {
    font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" },
    fitTo: { mode: "original" },
  });
  return img.asPng();
}

export function statsPng(s: Stats, title: string, t: T = english): Promise<Buffer> {
  return svgToPng(statsSvg(s, title, t));
}
