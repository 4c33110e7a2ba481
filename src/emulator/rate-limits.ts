/**
 * Discord's per-channel limit on the bot's message writes (POST, PATCH and DELETE of `/channels/{id}/messages…`),
 * opt-in (`EmulatorOptions.messageRateLimit`): over `limit` writes in `windowMs` a write gets 429 as Discord
 * answers it, and is listed in `emu.rateLimited`. Discord does not publish the figure; 5 per 5 s per channel is what
 * bots meet in practice. Interaction responses are not channel writes and are never limited here (nor on Discord).
 * The "unlimited" headers of every other answer stay, so a bot that does not pace itself meets the 429s.
 */
import type { Json } from "./types.ts";

export interface MessageRateLimit {
  limit: number;
  windowMs: number;
}

export interface RateLimited {
  method: string;
  path: string;
  channelId: string;
  /** Real ms (Date.now()). */
  at: number;
}

const WRITE = /^\/channels\/(\d+)\/messages(?:\/|$)/;

export class MessageWriteLimiter {
  private readonly writes = new Map<string, number[]>();
  readonly limited: RateLimited[] = [];

  constructor(private readonly o: MessageRateLimit) {}

  /** Null when the write may go; else the 429's retry-after (seconds) and body. */
  check(method: string, path: string): { retryAfter: number; body: Json } | null {
    if (method === "GET") return null;
    const channelId = WRITE.exec(path)?.[1];
    if (channelId === undefined) return null;
    const now = Date.now();
    const recent = (this.writes.get(channelId) ?? []).filter((t) => t > now - this.o.windowMs);
    if (recent.length >= this.o.limit) {
      this.writes.set(channelId, recent);
      this.limited.push({ method, path, channelId, at: now });
      const retryAfter = Math.max(0.001, ((recent[0] ?? now) + this.o.windowMs - now) / 1000);
      return {
        retryAfter,
        body: { message: "You are being rate limited.", retry_after: retryAfter, global: false },
      };
    }
    recent.push(now);
    this.writes.set(channelId, recent);
    return null;
  }
}
