/** Discord snowflakes: (ms since 2015-01-01) << 22 | worker/process/increment. Monotonic within one emulator. */
const DISCORD_EPOCH = 1_420_070_400_000n;

export class SnowflakeGenerator {
  private increment = 0n;
  private last = 0n;

  next(at: number = Date.now()): string {
    let ms = BigInt(at) - DISCORD_EPOCH;
    if (ms < this.last) ms = this.last;
    if (ms === this.last) this.increment += 1n;
    else this.increment = 0n;
    if (this.increment > 4095n) {
      ms += 1n;
      this.increment = 0n;
    }
    this.last = ms;
    return ((ms << 22n) | (1n << 17n) | this.increment).toString();
  }
}

/** Interaction tokens look opaque to bots; any unguessable string will do. */
export function randomToken(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return `${prefix}.${Buffer.from(bytes).toString("base64url")}`;
}
