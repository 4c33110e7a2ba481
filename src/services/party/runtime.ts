/**
 * What a process's party services share: the transport, the coalesced round-message edits, and the timer that
 * wakes parties on the bot's clock. State lives in the database (db/parties.ts); this only says when to look.
 *
 * The timer: one real `setTimeout` per process, armed for the earliest party wake it knows of (a round's close, the
 * next round, a lobby's expiry), which then wakes every party due at the clock's `now`. Tests and the sandbox
 * inject no timers (`timers: null`): their `tick` steps (the minute job's tick, which wakes parties too) close
 * rounds instead, after `advance` moved the clock, exactly as the timer would have at that instant.
 */

import { PARTY_LIMITS } from "../../core/party-rules.ts";
import { holdsGuild, type ShardFilter } from "../../db/quiz-configs.ts";
import type { Deps } from "../deps.ts";
import { CoalescedEdits } from "./edits.ts";
import { wakeParties } from "./game.ts";
import type { PartyTransport } from "./transport.ts";

/** Real timers (production), or none (tests, the sandbox). */
export interface PartyTimers {
  set(ms: number, fn: () => void): () => void;
}

export const realTimers: PartyTimers = {
  set(ms, fn) {
    const t = setTimeout(fn, ms);
    t.unref();
    return () => clearTimeout(t);
  },
};

/** The longest single wait: the minute job's tick looks anyway, and a clock change is seen within it. */
const MAX_WAIT_MS = 60_000;

export class PartyRuntime {
  readonly edits: CoalescedEdits;
  private armedAt: number | null = null;
  private cancel: (() => void) | null = null;
  private stopped = false;

  constructor(
    readonly deps: Deps,
    readonly transport: PartyTransport,
    private readonly timers: PartyTimers | null,
    /** The shards this process holds (the parties of other shards' servers are theirs to run). */
    readonly shards: () => ShardFilter = () => null,
  ) {
    this.edits = new CoalescedEdits(deps.log, PARTY_LIMITS.editGapMs);
  }

  holds(guildId: string): boolean {
    return holdsGuild(this.shards(), guildId);
  }

  /** Asks to be woken at `at` (clock ms): the timer is re-armed when that is earlier than what it waits for. */
  wakeAt(at: number): void {
    if (!this.timers || this.stopped) return;
    if (this.armedAt !== null && this.armedAt <= at) return;
    this.cancel?.();
    this.armedAt = at;
    const wait = Math.min(MAX_WAIT_MS, Math.max(0, at - this.deps.clock.now().getTime()));
    this.cancel = this.timers.set(wait, () => {
      this.armedAt = null;
      this.cancel = null;
      this.wake(this.deps.clock.now()).catch((err) => this.deps.log.error({ err }, "party wake failed"));
    });
  }

  /** Wakes the parties due at `now` (the timer, and the minute job's tick); how many were. */
  wake(now: Date): Promise<number> {
    return wakeParties(this, now);
  }

  stop(): Promise<void> {
    this.stopped = true;
    this.cancel?.();
    this.cancel = null;
    this.armedAt = null;
    return this.edits.idle();
  }
}
