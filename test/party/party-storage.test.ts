/**
 * A review party's storage on both engines (issue 16): one open party per channel, joining, rounds, each answer
 * once and, for a member who studies the deck, a review in the same transaction; a round's close gives the race's
 * points in answer order and an Again review to a player who did not answer, and wakes the party for its next step.
 */
import { and, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Grade, Rating } from "../../src/core/scheduling.ts";
import {
  createParty,
  endParty,
  joinParty,
  type NewParty,
  nextPartyWake,
  partiesToWake,
  players,
} from "../../src/db/parties.ts";
import { closeRound, openRound, recordPartyAnswer, setRoundMessage } from "../../src/db/party-rounds.ts";
import { once } from "../../src/db/prepared.ts";
import { partyAnswers, reviewLogs, statGuildMembers } from "../../src/db/schema.ts";
import { subscribe } from "../../src/services/decks.ts";
import { rebuildStats } from "../../src/services/stats-rebuild.ts";
import { decideWith } from "../../src/services/study.ts";
import { engineDeps, seedDeck } from "../helpers/deps.ts";
import { ENGINES } from "../helpers/engines.ts";

const G = "900000000000000001";
const [HOST, ANN, BEN] = ["700000000000000001", "700000000000000002", "700000000000000003"];

describe.each(ENGINES)("%s", (engine) => {
  let deps: Awaited<ReturnType<typeof engineDeps>>;
  const now = () => deps.clock.now();
  const review = (correct: boolean) => {
    const grade: Grade = correct ? Rating.Good : Rating.Again;
    return { grade, decide: decideWith(deps, grade) };
  };
  const logsOf = (userId: string) =>
    once(deps.db, (b) =>
      b
        .select({ rating: reviewLogs.rating, source: reviewLogs.source })
        .from(reviewLogs)
        .where(and(eq(reviewLogs.userId, userId), eq(reviewLogs.source, "party")))
        .prepare(),
    ).all();

  beforeEach(async () => {
    deps = await engineDeps(engine, "2026-03-02T10:00:00Z");
    await seedDeck(deps, "alpha", 8);
    // The host and Ann study the deck; Ben does not (his answers score but are no reviews).
    await subscribe(deps, HOST, G, "alpha");
    await subscribe(deps, ANN, G, "alpha");
  });
  afterEach(() => deps.close());

  /** A party's lobby in `channelId` (the host's), opened now; `o` overrides the defaults. */
  const newParty = (channelId: string, o: Partial<NewParty> = {}) => {
    const t = now().getTime();
    return createParty(
      deps.db,
      {
        guildId: G,
        channelId,
        hostId: HOST,
        deckId: "alpha",
        mode: "race",
        cards: 5,
        seconds: 20,
        threadId: `t-${channelId}`,
        startableAt: t + 60_000,
        expiresAt: t + 900_000,
        ...o,
      },
      t,
    );
  };

  async function partyWithRound() {
    const t = now().getTime();
    const party = await newParty("c1", { threadId: "t1" });
    if (!party) throw new Error("no party");
    expect(await joinParty(deps.db, party.id, ANN, t)).toBe("joined");
    expect(await joinParty(deps.db, party.id, ANN, t)).toBe("already");
    expect(await joinParty(deps.db, party.id, BEN, t)).toBe("joined");
    const choices = [1, 2, 3, 4].map((cardId) => ({ cardId, text: `back ${cardId}` }));
    expect(
      await openRound(deps.db, {
        partyId: party.id,
        round: 1,
        cardId: 1,
        choices,
        correctIndex: 0,
        opensAt: t,
        closesAt: t + 20_000,
      }),
    ).toBe(true);
    await setRoundMessage(deps.db, party.id, 1, "m1");
    expect(await joinParty(deps.db, party.id, "late", t)).toBe("started");
    return party;
  }

  it("GIVEN a party going in a channel THEN a second one there is refused", async () => {
    await partyWithRound();
    const t = now().getTime();
    expect(
      await newParty("c1", { hostId: ANN, mode: "everyone", threadId: null, startableAt: t }),
    ).toBeNull();
  });

  it("GIVEN a round THEN each answer counts once, a subscriber's is a review, and the close scores the race in order", async () => {
    const party = await partyWithRound();
    deps.clock.advance(2_000);
    expect(
      await recordPartyAnswer(
        deps.db,
        { partyId: party.id, round: 1, userId: BEN, choice: 0 },
        now(),
        review,
      ),
    ).toEqual({
      kind: "answered",
      correct: true,
      reviewed: false,
      studies: false,
      leech: null,
      allIn: false,
    });
    deps.clock.advance(1_000);
    expect(
      await recordPartyAnswer(
        deps.db,
        { partyId: party.id, round: 1, userId: ANN, choice: 0 },
        now(),
        review,
      ),
    ).toEqual({ kind: "answered", correct: true, reviewed: true, studies: true, leech: null, allIn: false });
    // A double click changes nothing.
    expect(
      await recordPartyAnswer(
        deps.db,
        { partyId: party.id, round: 1, userId: ANN, choice: 2 },
        now(),
        review,
      ),
    ).toEqual({
      kind: "already",
      choice: 0,
      correct: true,
    });
    deps.clock.advance(20_000);
    expect(
      await recordPartyAnswer(
        deps.db,
        { partyId: party.id, round: 1, userId: HOST, choice: 0 },
        now(),
        review,
      ),
    ).toEqual({
      kind: "over",
      ended: false,
    });
    expect((await partiesToWake(deps.db, now().getTime())).map((p) => p.id)).toEqual([party.id]);
    const close = { wakeAt: now().getTime() + 5_000, lockKeys: [HOST, ANN, BEN] };
    const closed = await closeRound(deps.db, { partyId: party.id, round: 1 }, now(), review, close);
    expect(closed?.answers.map((a) => [a.userId, a.points])).toEqual([
      [BEN, 10],
      [ANN, 8],
      [HOST, 0],
    ]);
    expect(await closeRound(deps.db, { partyId: party.id, round: 1 }, now(), review, close)).toBeNull();
    expect(await partiesToWake(deps.db, now().getTime())).toEqual([]);
    expect(await nextPartyWake(deps.db, now().getTime())).toBe(close.wakeAt);
    const scores = Object.fromEntries((await players(deps.db, party.id)).map((p) => [p.userId, p.points]));
    expect(scores).toEqual({ [HOST]: 0, [ANN]: 8, [BEN]: 10 });
    // Ann's answer was a Good review, the host's silence an Again; Ben's counts for nothing in his schedule.
    expect(await logsOf(ANN)).toEqual([{ rating: Rating.Good, source: "party" }]);
    expect(await logsOf(HOST)).toEqual([{ rating: Rating.Again, source: "party" }]);
    expect(await logsOf(BEN)).toEqual([]);
    // The points are on the server's leaderboard, and a rebuild of the aggregates keeps them.
    const boardPoints = async () =>
      Object.fromEntries(
        (
          await once(deps.db, (b) =>
            b
              .select({ userId: statGuildMembers.userId, points: statGuildMembers.points })
              .from(statGuildMembers)
              .where(eq(statGuildMembers.guildId, G))
              .prepare(),
          ).all()
        ).map((r) => [r.userId, r.points]),
      );
    expect(await boardPoints()).toMatchObject({ [ANN]: 8, [BEN]: 10 });
    await rebuildStats(deps.db);
    expect(await boardPoints()).toMatchObject({ [ANN]: 8, [BEN]: 10 });
    expect(await endParty(deps.db, party.id, "finished", now().getTime())).toBe(true);
    expect(await endParty(deps.db, party.id, "finished", now().getTime())).toBe(false);
    expect(await joinParty(deps.db, party.id, "late", now().getTime())).toBe("over");
    expect(await nextPartyWake(deps.db, now().getTime())).toBeNull();
  });

  it("GIVEN 50 players clicking while the round closes THEN each has exactly one answer and at most one review", async () => {
    const t = now().getTime();
    const party = await newParty("c50", { threadId: "t50", startableAt: t });
    if (!party) throw new Error("no party");
    const ids = Array.from({ length: 50 }, (_, k) => String(710000000000000000n + BigInt(k)));
    for (const id of ids) {
      await subscribe(deps, id, G, "alpha");
      await joinParty(deps.db, party.id, id, t);
    }
    const choices = [1, 2, 3, 4].map((cardId) => ({ cardId, text: `back ${cardId}` }));
    await openRound(deps.db, {
      partyId: party.id,
      round: 1,
      cardId: 1,
      choices,
      correctIndex: 0,
      opensAt: t,
      closesAt: t + 20_000,
    });
    await setRoundMessage(deps.db, party.id, 1, "m50");
    deps.clock.advance(1_000);
    const lockKeys = [HOST, ...ids];
    const results = await Promise.all([
      ...ids.map((userId, k) =>
        recordPartyAnswer(deps.db, { partyId: party.id, round: 1, userId, choice: k % 4 }, now(), review),
      ),
      closeRound(deps.db, { partyId: party.id, round: 1 }, now(), review, { wakeAt: t + 6_000, lockKeys }),
      ...ids.map((userId) =>
        recordPartyAnswer(deps.db, { partyId: party.id, round: 1, userId, choice: 0 }, now(), review),
      ),
    ]);
    const answered = results.slice(0, 50).filter((r) => r && "kind" in r && r.kind === "answered").length;
    const answers = await once(deps.db, (b) =>
      b.select().from(partyAnswers).where(eq(partyAnswers.partyId, party.id)).prepare(),
    ).all();
    // Everyone has one row: their answer if it got in before the close, else the close's "no answer".
    expect(answers.length).toBe(51);
    expect(answers.filter((a) => a.choice !== null).length).toBe(answered);
    const logs = await once(deps.db, (b) =>
      b
        .select({ userId: reviewLogs.userId })
        .from(reviewLogs)
        .where(eq(reviewLogs.source, "party"))
        .prepare(),
    ).all();
    expect(logs.length).toBe(51);
    expect(new Set(logs.map((l) => l.userId)).size).toBe(51);
    // The close fixed the race on what got in: one first place at most.
    expect(answers.filter((a) => a.points === 10).length).toBeLessThanOrEqual(1);
  });

  it("GIVEN a lobby whose time is up THEN its expiry ends it only while it is still a lobby: a Start just before wins", async () => {
    const t = now().getTime();
    const party = await newParty("c-exp", {
      cards: 3,
      threadId: "t-exp",
      startableAt: t,
      expiresAt: t + 1_000,
    });
    if (!party) throw new Error("no party");
    const choices = [1, 2, 3, 4].map((cardId) => ({ cardId, text: `back ${cardId}` }));
    await openRound(deps.db, {
      partyId: party.id,
      round: 1,
      cardId: 1,
      choices,
      correctIndex: 0,
      opensAt: t,
      closesAt: t + 20_000,
    });
    expect(await endParty(deps.db, party.id, "expired", t + 5_000, { expiredLobby: true })).toBe(false);
    expect(await endParty(deps.db, party.id, "stopped", t + 5_000)).toBe(true);
  });

  it("GIVEN six starts in one channel at once THEN one party opens and the others are told, none fails", async () => {
    const t = now().getTime();
    const start = (hostId: string) =>
      newParty("c-race", { hostId, cards: 3, threadId: null, startableAt: t });
    const made = await Promise.all(["1", "2", "3", "4", "5", "6"].map((k) => start(`71000000000000000${k}`)));
    expect(made.filter((p) => p !== null)).toHaveLength(1);
  });
});
