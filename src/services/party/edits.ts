/**
 * Coalesced message edits: a round message's answer count changes with every click, but Discord limits edits per
 * channel (a few per five seconds). Each message gets at most one edit per `gapMs` (real time): the first change
 * is sent at once, later ones within the gap wait and go out as one edit of the state at send time (the render
 * reads the database then), so 50 clicks in a second make two edits. `now` sends at once (a round's reveal),
 * after any edit in flight, and drops what was waiting.
 */
import type { Logger } from "../../logger.ts";

type Render = () => Promise<void>;

interface Slot {
  lastAt: number;
  timer: NodeJS.Timeout | null;
  pending: Render | null;
  inFlight: Promise<void> | null;
  /** A `now` edit went out: the message is final, later counts are dropped. */
  final: boolean;
}

export class CoalescedEdits {
  private readonly slots = new Map<string, Slot>();

  constructor(
    private readonly log: Logger,
    private readonly gapMs: number,
  ) {}

  /** Asks for an edit of message `key`, done by `send` (which renders the state at the time it runs). */
  request(key: string, send: Render): void {
    const slot = this.slot(key);
    if (slot.final) return;
    slot.pending = send;
    this.schedule(key, slot);
  }

  /** Sends `send` now (after an edit in flight): the message's final state, with nothing after it. */
  async now(key: string, send: Render): Promise<void> {
    const slot = this.slot(key);
    slot.final = true;
    slot.pending = null;
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    await slot.inFlight;
    slot.lastAt = Date.now();
    try {
      await send();
    } finally {
      // Kept a while so a late `request` still sees the message as final, then forgotten.
      setTimeout(() => this.slots.delete(key), this.gapMs * 10).unref();
    }
  }

  /** Waits for every edit in flight or waiting (a stop, or a test that counts them). */
  async idle(): Promise<void> {
    for (;;) {
      const busy = [...this.slots.values()].filter((s) => s.inFlight || s.timer);
      if (busy.length === 0) return;
      await Promise.all(busy.map((s) => s.inFlight ?? new Promise((res) => setTimeout(res, this.gapMs / 4))));
    }
  }

  private slot(key: string): Slot {
    let slot = this.slots.get(key);
    if (!slot) {
      slot = { lastAt: 0, timer: null, pending: null, inFlight: null, final: false };
      this.slots.set(key, slot);
    }
    return slot;
  }

  private schedule(key: string, slot: Slot): void {
    if (slot.timer || slot.inFlight) return;
    const wait = Math.max(0, slot.lastAt + this.gapMs - Date.now());
    slot.timer = setTimeout(() => this.flush(key, slot), wait);
  }

  private flush(key: string, slot: Slot): void {
    slot.timer = null;
    const send = slot.pending;
    slot.pending = null;
    if (!send || slot.final) return;
    slot.lastAt = Date.now();
    slot.inFlight = send()
      .catch((err) => this.log.warn({ err, message: key }, "party message edit failed"))
      .finally(() => {
        slot.inFlight = null;
        if (slot.pending && !slot.final) this.schedule(key, slot);
        else if (!slot.final) setTimeout(() => this.forget(key, slot), this.gapMs * 10).unref();
      });
  }

  private forget(key: string, slot: Slot): void {
    if (this.slots.get(key) === slot && !slot.timer && !slot.inFlight && !slot.pending)
      this.slots.delete(key);
  }
}
