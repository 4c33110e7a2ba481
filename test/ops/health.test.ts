import { describe, expect, it, vi } from "vitest";
import { checkHealth, DB_TIMEOUT_MS, type HealthSources, TICK_STALE_MS } from "../../src/ops/health.ts";

const NOW = Date.parse("2026-03-02T09:00:00Z");
const ready = [{ id: 0, status: "Ready", pingMs: 40 }];

const sources = (o: Partial<HealthSources> = {}): HealthSources => ({
  shards: () => ready,
  engine: "sqlite",
  ping: async () => {},
  lastTickAt: () => NOW - 30_000,
  since: NOW - 3_600_000,
  tickExpected: true,
  now: () => NOW,
  ...o,
});

describe("GIVEN a process whose gateway is Ready, whose database answers and whose minute job ticked", () => {
  it("THEN it is healthy, and the report says what each check saw", async () => {
    const r = await checkHealth(sources());
    expect(r.healthy).toBe(true);
    expect(r.gateway).toEqual({ ok: true, shards: ready });
    expect(r.database).toMatchObject({ ok: true, engine: "sqlite" });
    expect(r.quizTick).toEqual({
      ok: true,
      expected: true,
      lastAt: "2026-03-02T08:59:30.000Z",
      ageSeconds: 30,
      maxAgeSeconds: TICK_STALE_MS / 1000,
    });
  });
});

describe("GIVEN one check failing", () => {
  it("THEN a shard not Ready (or none yet) makes it unhealthy", async () => {
    const resuming = [...ready, { id: 1, status: "Resuming", pingMs: 40 }];
    expect((await checkHealth(sources({ shards: () => resuming }))).gateway.ok).toBe(false);
    expect((await checkHealth(sources({ shards: () => resuming }))).healthy).toBe(false);
    expect((await checkHealth(sources({ shards: () => [] }))).healthy).toBe(false);
  });

  it("THEN a database query that fails, or does not answer in time, makes it unhealthy with the reason", async () => {
    const failing = await checkHealth(sources({ ping: () => Promise.reject(new Error("disk I/O error")) }));
    expect(failing.healthy).toBe(false);
    expect(failing.database).toMatchObject({ ok: false, error: "disk I/O error" });
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      let done = false;
      const hung = checkHealth(sources({ ping: () => new Promise(() => {}) })).finally(() => {
        done = true;
      });
      await vi.advanceTimersByTimeAsync(DB_TIMEOUT_MS - 1);
      expect(done).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect((await hung).database).toMatchObject({
        ok: false,
        error: `no answer within ${DB_TIMEOUT_MS} ms`,
      });
    } finally {
      vi.useRealTimers();
    }
  });

  it("THEN no tick for more than five minutes while the minute job runs makes it unhealthy", async () => {
    const at = (ago: number) => checkHealth(sources({ lastTickAt: () => NOW - ago }));
    expect((await at(TICK_STALE_MS)).healthy).toBe(true);
    const stale = await at(TICK_STALE_MS + 1000);
    expect(stale.healthy).toBe(false);
    expect(stale.quizTick).toMatchObject({ ok: false, ageSeconds: TICK_STALE_MS / 1000 + 1 });
  });

  it("THEN before the first tick the age counts from the job's start", async () => {
    const none = (since: number) => checkHealth(sources({ lastTickAt: () => null, since }));
    expect((await none(NOW - 60_000)).quizTick).toMatchObject({ ok: true, lastAt: null, ageSeconds: null });
    expect((await none(NOW - TICK_STALE_MS - 1)).healthy).toBe(false);
  });

  it("THEN ticks driven by hand (no minute job) are not judged", async () => {
    const r = await checkHealth(sources({ tickExpected: false, lastTickAt: () => null, since: 0 }));
    expect(r.healthy).toBe(true);
    expect(r.quizTick).toMatchObject({ ok: true, expected: false });
  });
});
