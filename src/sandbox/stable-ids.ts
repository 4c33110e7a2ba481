/**
 * Snowflakes that depend only on a name, so every launch of the sandbox gives the same server, channels and users
 * the same ids, and a kept database (./data/sandbox.db) still finds yesterday's progress.
 */
import { createHash } from "node:crypto";

/** 2^54: ids from here to 2^55 carry a timestamp in February–April 2015 (17 digits). */
const BASE = 1n << 54n;

/**
 * The id of the `kind` named `name` ("user", "alice"). Its timestamp lies in early 2015, so it never collides with
 * an id the emulator generates from the current time (users, roles or channels added later).
 */
export function stableSnowflake(kind: "guild" | "channel" | "user", name: string): string {
  const digest = createHash("sha256").update(`${kind}:${name}`).digest();
  return (BASE + (digest.readBigUInt64BE(0) % BASE)).toString();
}
