import { request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import type { HealthReport } from "../../src/ops/health.ts";
import { type OpsServer, startOpsServer } from "../../src/ops/server.ts";

let healthy = true;
const report = (): HealthReport => ({
  healthy,
  gateway: { ok: healthy, shards: [] },
  database: { ok: true, engine: "sqlite", ms: 0.1 },
  quizTick: { ok: true, expected: false, lastAt: null, ageSeconds: null, maxAgeSeconds: 300 },
});
const handlers = {
  health: async () => report(),
  metrics: async () => ({ contentType: "text/plain; version=0.0.4; charset=utf-8", body: "up 1\n" }),
};
const failures: unknown[] = [];
let server: OpsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  healthy = true;
});

const start = async () => {
  server = await startOpsServer(handlers, "127.0.0.1", 0, (e) => failures.push(e));
  return server.port;
};
const get = (port: number, path: string, method = "GET") =>
  fetch(`http://127.0.0.1:${port}${path}`, { method }).then(async (r) => ({
    status: r.status,
    type: r.headers.get("content-type"),
    body: await r.text(),
  }));

describe("GIVEN the operations server on a port of the system's choosing", () => {
  it("THEN /healthz is the report as JSON, 200 when healthy and 503 when not", async () => {
    const port = await start();
    const ok = await get(port, "/healthz");
    expect([ok.status, ok.type]).toEqual([200, "application/json"]);
    expect(JSON.parse(ok.body)).toEqual(report());
    healthy = false;
    const down = await get(port, "/healthz");
    expect(down.status).toBe(503);
    expect(JSON.parse(down.body).healthy).toBe(false);
  });

  it("THEN /metrics is the registry's text; HEAD answers without a body; other paths 404, other methods 405", async () => {
    const port = await start();
    expect(await get(port, "/metrics")).toEqual({
      status: 200,
      type: "text/plain; version=0.0.4; charset=utf-8",
      body: "up 1\n",
    });
    expect(await get(port, "/metrics", "HEAD")).toMatchObject({ status: 200, body: "" });
    expect((await get(port, "/")).status).toBe(404);
    expect((await get(port, "/healthz/../metrics?x=1")).status).toBe(200); // URL-normalised to /metrics
    expect((await get(port, "/metrics", "POST")).status).toBe(405);
    expect(failures).toEqual([]);
  });

  it("THEN close() ends a connection whose answer is still pending instead of waiting for it", async () => {
    const stuck = { ...handlers, health: () => new Promise<HealthReport>(() => {}) };
    server = await startOpsServer(stuck, "127.0.0.1", 0, () => {});
    const port = server.port;
    const pending = new Promise<string>((res) => {
      const req = request({ host: "127.0.0.1", port, path: "/healthz" });
      req.on("error", (e) => res((e as NodeJS.ErrnoException).code ?? e.message));
      req.end();
    });
    await new Promise((r) => setTimeout(r, 50)); // the request has reached the handler
    const t0 = Date.now();
    await server.close();
    server = undefined;
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(await pending).toBe("ECONNRESET");
  });

  it("THEN a port already taken rejects with the listen error", async () => {
    const port = await start();
    await expect(startOpsServer(handlers, "127.0.0.1", port, () => {})).rejects.toMatchObject({
      code: "EADDRINUSE",
    });
  });
});
