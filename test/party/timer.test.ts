/**
 * A party's course driven by its process timer alone (no minute job): each step arms the timer for the next
 * instant on the bot's clock (a round's close, the break, the next round), and firing it at that instant takes
 * the step. The transport is a recording fake: this is about when, not about Discord.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PARTY_LIMITS } from "../../src/core/party-rules.ts";
import { beginParty, startParty } from "../../src/services/party/lobby.ts";
import { PartyRuntime, type PartyTimers } from "../../src/services/party/runtime.ts";
import type { PartyMessage, PartyTransport } from "../../src/services/party/transport.ts";
import { seedDeck, testDeps } from "../helpers/deps.ts";

const G = "900000000000000001";
const HOST = "700000000000000001";

describe("GIVEN a party with a process timer", () => {
  let deps: ReturnType<typeof testDeps>;
  let rt: PartyRuntime;
  const armed: { ms: number; fn: () => void }[] = [];
  const sent: PartyMessage[] = [];
  const edited: PartyMessage[] = [];
  const timers: PartyTimers = {
    set(ms, fn) {
      const entry = { ms, fn };
      armed.push(entry);
      return () => armed.splice(armed.indexOf(entry), 1);
    },
  };
  const transport: PartyTransport = {
    startThread: async () => "800000000000000001",
    send: async (_, m) => {
      sent.push(m);
      return String(810000000000000000n + BigInt(sent.length));
    },
    edit: async (_, __, m) => {
      edited.push(m);
    },
  };
  /** Moves the clock by the last armed wait and fires that timer, as real time would. */
  async function fire() {
    const t = armed.pop();
    if (!t) throw new Error("no timer armed");
    deps.clock.advance(t.ms);
    t.fn();
    await new Promise((res) => setTimeout(res, 50));
  }

  beforeEach(async () => {
    armed.length = 0;
    sent.length = 0;
    edited.length = 0;
    deps = testDeps("2026-03-02T10:00:00Z");
    await seedDeck(deps, "alpha", 6);
    rt = new PartyRuntime(deps, transport, timers);
  });
  afterEach(() => deps.close());

  /** The host opens a two-card party of 15-second rounds in a channel (the fake transport makes its thread). */
  const open = (mode: "race" | "everyone") =>
    startParty(rt, {
      guildId: G,
      channelId: "800000000000000000",
      inThread: false,
      hostId: HOST,
      deckId: "alpha",
      cards: 2,
      seconds: 15,
      mode,
    });

  it("THEN the lobby arms its expiry, each round its close, each close the break, and the timer alone plays it out", async () => {
    const { party } = await open("race");
    // The lobby's expiry is 15 minutes away: the timer waits a minute at most, then looks again.
    expect(PARTY_LIMITS.lobbyTtlMs).toBeGreaterThan(60_000);
    expect(armed.map((a) => a.ms)).toEqual([60_000]);
    await beginParty(rt, party.id, HOST);
    // The round's close is earlier than the lobby's expiry: the timer is re-armed for it.
    expect(armed.map((a) => a.ms)).toEqual([15_000]);
    expect(sent.map((m) => m.kind)).toEqual(["lobby", "round"]);
    await fire(); // round 1's time is up: closed with its reveal, the break armed
    expect(edited.at(-1)).toMatchObject({
      kind: "round",
      view: { round: 1, reveal: { correctIndex: expect.any(Number) } },
    });
    expect(armed.map((a) => a.ms)).toEqual([PARTY_LIMITS.breakMs]);
    await fire(); // the break is over: round 2
    expect(sent.at(-1)).toMatchObject({ kind: "round", view: { round: 2, reveal: null } });
    await fire(); // round 2's time is up: the last round, so the podium
    expect(sent.at(-1)).toMatchObject({ kind: "podium", view: { rounds: 2 } });
    expect(armed).toEqual([]);
  });

  it("THEN a timer that fires early (the clock not there yet) changes nothing and waits again", async () => {
    const { party } = await open("everyone");
    await beginParty(rt, party.id, HOST);
    const t = armed.pop();
    deps.clock.advance(10_000);
    t?.fn();
    await new Promise((res) => setTimeout(res, 50));
    expect(edited).toEqual([]);
    expect(armed.map((a) => a.ms)).toEqual([5_000]);
  });
});
