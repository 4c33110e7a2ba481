/**
 * The loopback server behind DiscordEmulator: one node:http server for REST (the route tables), attachment
 * downloads and the gateway's WebSocket upgrade, sharing one EmulatorContext.
 */
import { createServer, type Server } from "node:http";
import type { EmulatorContext } from "./context.ts";
import { Gateway } from "./gateway.ts";
import { createRequestHandler } from "./http.ts";
import type { MessageWriteLimiter } from "./rate-limits.ts";
import { channelRoutes } from "./rest-channels.ts";
import { commandRoutes } from "./rest-commands.ts";
import { interactionRoutes } from "./rest-interactions.ts";
import { miscRoutes } from "./rest-misc.ts";
import { threadRoutes } from "./rest-threads.ts";
import type { EmulatorState } from "./state.ts";

const FIFTEEN_MINUTES = 15 * 60_000;

export interface LoopbackOptions {
  state: EmulatorState;
  token: string;
  /** The port once listening (0 before). */
  port: () => number;
  heartbeatIntervalMs: number;
  firstResponseDeadlineMs: number;
  attachmentSizeLimit: number;
  /** Enforces Discord's per-channel message write limit when given (rate-limits.ts). */
  limiter?: MessageWriteLimiter;
  log: (line: string) => void;
}

export interface Loopback {
  gateway: Gateway;
  ctx: EmulatorContext;
  server: Server;
}

/** Builds the gateway, the REST context and the (not yet listening) server. */
export function createLoopback(o: LoopbackOptions): Loopback {
  const { state, token, log } = o;
  const gateway = new Gateway({
    state,
    token,
    heartbeatIntervalMs: o.heartbeatIntervalMs,
    resumeUrl: () => `ws://127.0.0.1:${o.port()}/gateway-resume`,
    log,
  });
  const ctx: EmulatorContext = {
    state,
    gateway,
    token,
    baseUrl: () => `http://127.0.0.1:${o.port()}`,
    firstResponseDeadlineMs: o.firstResponseDeadlineMs,
    interactionTokenTtlMs: FIFTEEN_MINUTES,
    attachmentSizeLimit: o.attachmentSizeLimit,
  };
  const handler = createRequestHandler({
    state,
    token,
    limiter: o.limiter,
    routes: [
      ...miscRoutes(ctx),
      ...commandRoutes(ctx),
      ...channelRoutes(ctx),
      ...threadRoutes(ctx),
      ...interactionRoutes(ctx),
    ],
    raw: (req, res, url) => {
      const m = /^\/attachments\/\d+\/(\d+)\/[^/]+$/.exec(url.pathname);
      if (!m || req.method !== "GET") return false;
      const att = state.attachments.get(m[1] ?? "");
      if (!att) {
        res.writeHead(404, { "content-type": "text/plain" }).end("Not Found");
        return true;
      }
      res.writeHead(200, {
        "content-type": att.content_type ?? "application/octet-stream",
        "content-length": att.size,
      });
      res.end(att.data);
      return true;
    },
    log,
  });
  const server = createServer((req, res) => void handler(req, res));
  server.on("upgrade", (req, socket, head) => gateway.handleUpgrade(req, socket, head));
  return { gateway, ctx, server };
}
