/** Time comes in through a Clock so tests, the sandbox and the scheduler can move it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that starts at a given instant and moves only when told, or follows real time plus an offset. */
export class ManualClock implements Clock {
  private offsetMs: number;
  constructor(
    start: Date = new Date(),
    private readonly follow = false,
  ) {
    this.offsetMs = start.getTime() - (follow ? Date.now() : 0);
  }
  now(): Date {
    return new Date((this.follow ? Date.now() : 0) + this.offsetMs);
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
  set(at: Date): void {
    this.offsetMs = at.getTime() - (this.follow ? Date.now() : 0);
  }
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** "30m", "4h", "1d", "1d12h" → milliseconds; null when malformed. */
export function parseDuration(text: string): number | null {
  const re = /(\d+)\s*([smhdw])/gy;
  let total = 0;
  let matched = 0;
  const s = text.trim();
  for (let m = re.exec(s); m; m = re.exec(s)) {
    total += Number(m[1]) * (UNITS[m[2] ?? ""] ?? 0);
    matched = re.lastIndex;
  }
  return matched === s.length && s.length > 0 ? total : null;
}
