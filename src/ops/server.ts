/**
 * The operations HTTP server (node:http): `GET /healthz` (JSON, 200 healthy / 503 not: health.ts) and
 * `GET /metrics` (Prometheus text). Nothing else: no path takes input, so nothing here needs validating.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { HealthReport } from "./health.ts";

export interface OpsHandlers {
  health(): Promise<HealthReport>;
  metrics(): Promise<{ contentType: string; body: string }>;
}

export interface OpsServer {
  /** The port listened on (the system's pick for port 0). */
  readonly port: number;
  /** Stops listening and ends open connections (a scraper's keep-alive would hold a plain close for minutes). */
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, {
    "content-type": type,
    "cache-control": "no-store",
    "content-length": Buffer.byteLength(body),
  });
  res.end(res.req.method === "HEAD" ? undefined : body);
}

async function handle(h: OpsHandlers, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? "/", "http://localhost").pathname;
  if (path !== "/healthz" && path !== "/metrics") return send(res, 404, "text/plain", "not found\n");
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.setHeader("allow", "GET, HEAD");
    return send(res, 405, "text/plain", "method not allowed\n");
  }
  if (path === "/healthz") {
    const report = await h.health();
    return send(res, report.healthy ? 200 : 503, "application/json", `${JSON.stringify(report)}\n`);
  }
  const m = await h.metrics();
  send(res, 200, m.contentType, m.body);
}

/** Listens on `host:port`; rejects with the listen error (EADDRINUSE, EADDRNOTAVAIL, EACCES). */
export function startOpsServer(
  h: OpsHandlers,
  host: string,
  port: number,
  onError: (err: unknown) => void,
): Promise<OpsServer> {
  const server = createServer((req, res) => {
    handle(h, req, res).catch((err) => {
      onError(err);
      if (!res.headersSent) send(res, 500, "text/plain", "internal error\n");
      else res.destroy();
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      server.on("error", onError);
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
