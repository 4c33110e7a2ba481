/** The readable table and bench-results.json (a flat array of `{name, value, unit}` entries). */
import { writeFileSync } from "node:fs";
import type { Result } from "./measure.ts";

export function formatTable(results: readonly Result[]): string {
  const rows = results.map((r) => [r.name, formatValue(r.value), r.unit, r.extra ?? ""]);
  const head = ["name", "value", "unit", "notes"];
  const widths = head.map((h, k) => Math.max(h.length, ...rows.map((r) => (r[k] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, k) => (k === 1 ? c.padStart(widths[k] ?? 0) : c.padEnd(widths[k] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return v.toLocaleString("en-US");
  return v < 10 ? v.toFixed(3) : v < 1000 ? v.toFixed(1) : Math.round(v).toLocaleString("en-US");
}

export function writeResults(path: string, results: readonly Result[]): void {
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
}
