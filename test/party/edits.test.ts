/** The coalesced edits of a round message (services/party/edits.ts), with real timers and a short gap. */
import pino from "pino";
import { describe, expect, it } from "vitest";
import { CoalescedEdits } from "../../src/services/party/edits.ts";

const GAP = 100;
const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

describe("GIVEN coalesced edits with a 100 ms gap", () => {
  it("THEN a burst of 50 requests makes two edits: the first at once, the last state after the gap", async () => {
    const edits = new CoalescedEdits(pino({ level: "silent" }), GAP);
    let state = 0;
    const sent: { at: number; state: number }[] = [];
    const t0 = Date.now();
    for (let k = 0; k < 50; k++) {
      state = k + 1;
      edits.request("m", async () => {
        sent.push({ at: Date.now() - t0, state });
      });
      await sleep(1);
    }
    await edits.idle();
    expect(sent.length).toBe(2);
    expect(sent[1]?.state).toBe(50);
    expect((sent[1]?.at ?? 0) - (sent[0]?.at ?? 0)).toBeGreaterThanOrEqual(GAP - 5);
  });

  it("THEN `now` sends at once after an edit in flight, drops what waited, and nothing follows it", async () => {
    const edits = new CoalescedEdits(pino({ level: "silent" }), GAP);
    const sent: string[] = [];
    edits.request("m", async () => {
      await sleep(30);
      sent.push("count 1");
    });
    await sleep(5);
    edits.request("m", async () => {
      sent.push("count 2");
    });
    await edits.now("m", async () => {
      sent.push("reveal");
    });
    edits.request("m", async () => {
      sent.push("late count");
    });
    await edits.idle();
    await sleep(GAP * 2);
    expect(sent).toEqual(["count 1", "reveal"]);
  });

  it("THEN each message is paced on its own: two messages' first edits both go at once", async () => {
    const edits = new CoalescedEdits(pino({ level: "silent" }), GAP);
    const sent: string[] = [];
    const t0 = Date.now();
    for (const key of ["a", "b", "a", "b"]) edits.request(key, async () => void sent.push(key));
    await edits.idle();
    expect(sent.sort()).toEqual(["a", "b"]);
    expect(Date.now() - t0).toBeLessThan(GAP);
  });
});
