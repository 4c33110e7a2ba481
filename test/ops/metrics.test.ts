import pino from "pino";
import { describe, expect, it } from "vitest";
import { createMetrics, type MetricSources } from "../../src/ops/metrics.ts";

const log = pino({ level: "silent" });
const sources = (o: Partial<MetricSources> = {}): MetricSources => ({
  shards: () => [
    { id: 0, status: "Ready", pingMs: 42 },
    { id: 1, status: "Resuming", pingMs: -1 },
  ],
  databaseBytes: async () => 123_456,
  engine: "sqlite",
  commands: ["study", "help"],
  ...o,
});
/** The value of one sample line, e.g. `study_interactions_total{command="study",kind="command",outcome="ok"}`. */
const sample = (text: string, series: string) => {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe("GIVEN the metrics of one process", () => {
  it("THEN interactions count by command, kind and outcome, with a latency histogram; commands start at 0", async () => {
    const m = createMetrics(log);
    m.watch(sources());
    const i = m.observer.interaction;
    i?.({ command: "study", kind: "command", outcome: "ok", seconds: 0.02 });
    i?.({ command: "study", kind: "button", outcome: "ok", seconds: 0.2 });
    i?.({ command: "study", kind: "button", outcome: "user_error", seconds: 0.01 });
    i?.({ command: "unknown", kind: "button", outcome: "stale", seconds: 0.001 });
    const text = await m.registry.metrics();
    const count = (command: string, kind: string, outcome: string) =>
      sample(text, `study_interactions_total{command="${command}",kind="${kind}",outcome="${outcome}"}`);
    expect(count("study", "command", "ok")).toBe(1);
    expect(count("study", "button", "ok")).toBe(1);
    expect(count("study", "button", "user_error")).toBe(1);
    expect(count("unknown", "button", "stale")).toBe(1);
    expect(count("help", "command", "bug")).toBe(0);
    expect(sample(text, 'study_interaction_duration_seconds_count{command="study",kind="button"}')).toBe(2);
    expect(
      sample(text, 'study_interaction_duration_seconds_bucket{le="0.1",command="study",kind="button"}'),
    ).toBe(1);
  });

  it("THEN ticks count ok and error, posts by result, and the last tick's time is kept", async () => {
    const m = createMetrics(log);
    expect(m.lastTickAt()).toBeNull();
    const t = m.observer.tick;
    t?.({ ok: true, report: { posted: ["1", "2"], failed: [{ guildId: "3", reason: "403" }], skipped: [] } });
    t?.({ ok: false, error: new Error("database is locked") });
    const text = await m.registry.metrics();
    expect(sample(text, 'study_quiz_ticks_total{result="ok"}')).toBe(1);
    expect(sample(text, 'study_quiz_ticks_total{result="error"}')).toBe(1);
    expect(sample(text, 'study_quiz_posts_total{result="posted"}')).toBe(2);
    expect(sample(text, 'study_quiz_posts_total{result="failed"}')).toBe(1);
    expect(sample(text, 'study_quiz_posts_total{result="skipped"}')).toBe(0);
    expect(Math.abs((m.lastTickAt() ?? 0) - Date.now())).toBeLessThan(5000);
    expect(sample(text, "study_quiz_last_tick_timestamp_seconds")).toBe((m.lastTickAt() ?? 0) / 1000);
  });

  it("THEN each scrape reads the gateway shards, the database size and Node's event-loop delay", async () => {
    const m = createMetrics(log);
    m.watch(sources());
    const text = await m.registry.metrics();
    expect(sample(text, 'study_gateway_ready{shard="0"}')).toBe(1);
    expect(sample(text, 'study_gateway_ready{shard="1"}')).toBe(0);
    expect(sample(text, 'study_gateway_ping_seconds{shard="0"}')).toBe(0.042);
    expect(sample(text, 'study_gateway_ping_seconds{shard="1"}')).toBeUndefined(); // no heartbeat yet
    expect(sample(text, 'study_database_size_bytes{engine="sqlite"}')).toBe(123_456);
    expect(sample(text, "nodejs_eventloop_lag_p99_seconds")).toBeGreaterThanOrEqual(0);
  });

  it("THEN a database whose size cannot be read leaves the gauge out, and the scrape still answers", async () => {
    const m = createMetrics(log);
    m.watch(sources({ databaseBytes: () => Promise.reject(new Error("connection terminated")) }));
    const text = await m.registry.metrics();
    expect(text).not.toMatch(/^study_database_size_bytes\{/m);
    expect(sample(text, 'study_gateway_ready{shard="0"}')).toBe(1);
  });
});
