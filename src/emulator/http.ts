/** A small router over node:http: body parsing (JSON and multipart), Discord error JSON, rejection log. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { DiscordHttpError, Errors } from "./errors.ts";
import type { MessageWriteLimiter } from "./rate-limits.ts";
import type { EmulatorState } from "./state.ts";
import type { Json } from "./types.ts";

export interface UploadedFile {
  /** The n of the `files[n]` part. */
  index: number;
  filename: string;
  contentType: string | undefined;
  data: Buffer;
}

export interface RestRequest {
  method: string;
  /** Path below /api/v10, e.g. "/channels/1/messages". */
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: Json;
  files: UploadedFile[];
}

export interface RestResponse {
  status: number;
  body?: Json;
}

export interface Route {
  method: string;
  pattern: string;
  /** Needs `Authorization: Bot <token>` (interaction callbacks and webhook-token routes do not). */
  auth: boolean;
  handle(req: RestRequest): RestResponse | Promise<RestResponse>;
}

const API_PREFIX = "/api/v10";

export const ok = (body: Json): RestResponse => ({ status: 200, body });
export const noContent = (): RestResponse => ({ status: 204 });

function matchPattern(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split("/");
  const got = path.split("/");
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] ?? "";
    const g = decodeURIComponent(got[i] ?? "");
    if (w.startsWith(":")) {
      if (g.length === 0) return undefined;
      params[w.slice(1)] = g;
    } else if (w !== g) return undefined;
  }
  return params;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function parseBody(
  raw: Buffer,
  contentType: string | undefined,
): Promise<{ body: Json; files: UploadedFile[] }> {
  if (raw.length === 0) return { body: undefined, files: [] };
  if (contentType?.startsWith("multipart/form-data")) {
    // undici's Response parses multipart for us; no dependency needed.
    const form = await new Response(new Uint8Array(raw), {
      headers: { "content-type": contentType },
    }).formData();
    let body: Json;
    const extra: Record<string, string> = {};
    const files: UploadedFile[] = [];
    for (const [key, value] of form.entries()) {
      if (typeof value === "string") {
        if (key === "payload_json") body = JSON.parse(value);
        else extra[key] = value;
        continue;
      }
      const m = /^files\[(\d+)\]$/.exec(key) ?? /^file(\d*)$/.exec(key);
      files.push({
        index: m?.[1] ? Number(m[1]) : files.length,
        filename: value.name,
        contentType: value.type || undefined,
        data: Buffer.from(await value.arrayBuffer()),
      });
    }
    if (body === undefined && Object.keys(extra).length > 0) body = extra;
    return { body, files };
  }
  try {
    return { body: JSON.parse(raw.toString("utf8")), files: [] };
  } catch {
    throw new DiscordHttpError(400, 50109, "The request body contains invalid JSON.");
  }
}

function send(res: ServerResponse, status: number, body: Json, bucket: string): void {
  const headers: Record<string, string> = {
    // "Unlimited" so discord.js never waits on the emulator.
    "x-ratelimit-limit": "10000",
    "x-ratelimit-remaining": "9999",
    "x-ratelimit-reset-after": "0.001",
    "x-ratelimit-reset": String(Date.now() / 1000 + 0.001),
    "x-ratelimit-bucket": bucket,
  };
  if (status === 204 || body === undefined) {
    res.writeHead(status === 200 && body === undefined ? 204 : status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

/** A 429 as Discord sends it for a per-route limit (discord.js waits `retry-after` and sends again). */
function sendRateLimited(res: ServerResponse, retryAfter: number, body: Json, bucket: string): void {
  const text = JSON.stringify(body);
  res.writeHead(429, {
    "retry-after": String(retryAfter),
    "x-ratelimit-limit": "5",
    "x-ratelimit-remaining": "0",
    "x-ratelimit-reset-after": String(retryAfter),
    "x-ratelimit-reset": String(Date.now() / 1000 + retryAfter),
    "x-ratelimit-bucket": bucket,
    "x-ratelimit-scope": "user",
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

export interface RouterOptions {
  state: EmulatorState;
  /** Discord's per-channel message write limit, when the emulator enforces one (rate-limits.ts). */
  limiter?: MessageWriteLimiter;
  token: string;
  routes: Route[];
  /** Non-API GETs (attachment downloads): return true when handled. */
  raw?: (req: IncomingMessage, res: ServerResponse, url: URL) => boolean;
  log?: (line: string) => void;
}

export function createRequestHandler(opts: RouterOptions) {
  const { state, routes } = opts;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const method = (req.method ?? "GET").toUpperCase();
    if (opts.raw?.(req, res, url)) return;
    const path = url.pathname.startsWith(API_PREFIX) ? url.pathname.slice(API_PREFIX.length) : undefined;
    let requestBody: Json;
    let bucket = "unknown";
    try {
      const raw = await readBody(req);
      if (path === undefined) throw Errors.notFound();
      let found: { route: Route; params: Record<string, string> } | undefined;
      for (const route of routes) {
        if (route.method !== method) continue;
        const params = matchPattern(route.pattern, path);
        if (params) {
          found = { route, params };
          break;
        }
      }
      if (!found) throw Errors.notFound();
      bucket = `${method}:${found.route.pattern}`;
      if (found.route.auth && req.headers.authorization !== `Bot ${opts.token}`) throw Errors.unauthorized();
      const limited = opts.limiter?.check(method, path);
      if (limited) {
        sendRateLimited(res, limited.retryAfter, limited.body, bucket);
        state.changed();
        return;
      }
      const { body, files } = await parseBody(raw, req.headers["content-type"]);
      requestBody = body;
      const out = await found.route.handle({
        method,
        path,
        params: found.params,
        query: url.searchParams,
        body,
        files,
      });
      send(res, out.status, out.body, bucket);
    } catch (error) {
      const err =
        error instanceof DiscordHttpError
          ? error
          : new DiscordHttpError(500, 0, `500: Internal Server Error (${String(error)})`);
      if (!(error instanceof DiscordHttpError))
        opts.log?.(`[emulator] ${method} ${url.pathname} crashed: ${String(error)}`);
      const rejection = {
        method,
        path: path ?? url.pathname,
        status: err.status,
        code: err.code,
        message: err.message,
        body: err.body(),
        request: requestBody,
        at: Date.now(),
      };
      state.rejections.push(rejection);
      state.emit("rejection", rejection);
      send(res, err.status, err.body(), bucket);
      state.changed();
    }
  };
}
