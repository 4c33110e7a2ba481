import { and, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { execSql } from "../../datagen/raw-sql.ts";
import { UserError } from "../../src/core/errors.ts";
import { State } from "../../src/core/scheduling.ts";
import { canonicalTimeZone } from "../../src/core/time.ts";
import { holdCard } from "../../src/db/card-holds.ts";
import { getState } from "../../src/db/card-states.ts";
import { closeDb, openDb } from "../../src/db/client.ts";
import { once } from "../../src/db/prepared.ts";
import { CLAIM_LEASE_MS, getPost } from "../../src/db/quiz-posts.ts";
import {
  cardStates,
  cards,
  decks,
  guilds,
  quizAnswers,
  quizConfigs,
  quizPosts,
  reviewLogs,
  statGuildMembers,
} from "../../src/db/schema.ts";
import { renderAnswerFeedback } from "../../src/render/quiz-view.ts";
import { answerQuiz } from "../../src/services/quiz/answers.ts";
import { pauseQuiz, quizStatus, resumeQuiz, setupQuiz } from "../../src/services/quiz/config.ts";
import { chooseQuestion } from "../../src/services/quiz/day.ts";
import { postToday, TICK_BATCH, tick } from "../../src/services/quiz/tick.ts";
import { updateSettings } from "../../src/services/settings.ts";
import { engineDeps, seedDeck } from "../helpers/deps.ts";
import { ENGINES, skipWithoutPgServer } from "../helpers/engines.ts";
import { deletedChannel, fakeTransport, missingPermission, nextRun, studyCards } from "./helpers.ts";

const G = "900000000000000001";
const G2 = "900000000000000002";
const CH = "800000000000000001";
const ALICE = "700000000000000001";
const BOB = "700000000000000002";
const CAROL = "700000000000000003";
const BERLIN = "Europe/Berlin";

describe("GIVEN a zone name as typed", () => {
  it("THEN it is spelled as IANA does, aliases resolve to their zone, unknown names give null", () => {
    expect(canonicalTimeZone("europe/berlin")).toBe("Europe/Berlin");
    expect(canonicalTimeZone("AMERICA/PORT-AU-PRINCE")).toBe("America/Port-au-Prince");
    expect(canonicalTimeZone("utc")).toBe("UTC");
    expect(canonicalTimeZone("Asia/Tokyo")).toBe("Asia/Tokyo");
    expect(canonicalTimeZone("us/pacific")).toBe("America/Los_Angeles");
    expect(canonicalTimeZone("Mars/Olympus")).toBeNull();
    expect(canonicalTimeZone("")).toBeNull();
  });
});

describe.each(ENGINES)("%s", (engine) => {
  let deps: Awaited<ReturnType<typeof engineDeps>>;
  let fake: ReturnType<typeof fakeTransport>;

  const cardIds = async (deckId: string) =>
    (
      await once(deps.db, (b) =>
        b.select({ id: cards.id }).from(cards).where(eq(cards.deckId, deckId)).prepare(),
      ).all()
    ).map((c) => c.id);
  const setClock = (iso: string) => deps.clock.set(new Date(iso));
  const runTick = () => tick(deps, fake.transport);
  const posts = (g = G) =>
    once(deps.db, (b) => b.select().from(quizPosts).where(eq(quizPosts.guildId, g)).prepare()).all();
  const all = <T extends typeof guilds | typeof quizConfigs | typeof reviewLogs>(table: T) =>
    once(deps.db, (b) => b.select().from(table).prepare()).all();
  const ofUser = <T extends typeof reviewLogs | typeof statGuildMembers>(table: T, userId: string) =>
    once(deps.db, (b) => b.select().from(table).where(eq(table.userId, userId)).prepare()).all();
  /** Makes the quiz due at once for `date` (the test moved the clock past the scheduled run). */
  const runNow = (date: string) =>
    once(deps.db, (b) => b.update(quizConfigs).set({ nextRunAt: 0, nextDate: date }).prepare()).run();
  /** Triggers that fail a server's claim (insert) or its record (update to posted) where the conditions hold. */
  const boomTriggers = async (claimWhen: string, recordWhen: string) => {
    if (deps.db.kind === "sqlite") {
      deps.db.sqlite.exec(`
        CREATE TRIGGER boom_claim BEFORE INSERT ON quiz_posts WHEN ${claimWhen}
          BEGIN SELECT RAISE(ABORT, 'boom at claim'); END;
        CREATE TRIGGER boom_record BEFORE UPDATE OF status ON quiz_posts WHEN ${recordWhen}
          BEGIN SELECT RAISE(ABORT, 'boom at record'); END;`);
      return;
    }
    for (const [name, op, when] of [
      ["boom_claim", "INSERT", claimWhen],
      ["boom_record", "UPDATE OF status", recordWhen],
    ] as const) {
      const what = name.replace("_", " at ");
      await execSql(
        deps.db,
        `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '${what}'; END $$`,
      );
      await execSql(
        deps.db,
        `CREATE TRIGGER ${name} BEFORE ${op} ON quiz_posts FOR EACH ROW WHEN (${when}) EXECUTE FUNCTION ${name}()`,
      );
    }
  };

  beforeEach(async () => {
    deps = await engineDeps(engine, "2026-01-15T07:00:00Z"); // 08:00 in Berlin (winter)
    fake = fakeTransport();
    await seedDeck(deps, "alpha", 8);
  });
  afterEach(() => deps.close());

  describe("GIVEN /quiz setup input", () => {
    it("THEN a malformed time or an unknown zone is refused and nothing is written", async () => {
      await expect(setupQuiz(deps, G, { channelId: CH, time: "25:00", timezone: BERLIN })).rejects.toThrow(
        UserError,
      );
      await expect(
        setupQuiz(deps, G, { channelId: CH, time: "09:00", timezone: "Mars/Olympus" }),
      ).rejects.toThrow(/not a timezone/);
      expect(await all(quizConfigs)).toEqual([]);
      expect(await all(guilds)).toEqual([]);
    });

    it("THEN a valid setup schedules today's 09:00 and sets the server's study-day timezone", async () => {
      await setupQuiz(deps, G, { channelId: CH, time: "9:00", timezone: BERLIN });
      expect(await nextRun(deps, G)).toEqual({ date: "2026-01-15", at: "2026-01-15T08:00:00.000Z" });
      expect((await all(guilds))[0]?.timezone).toBe(BERLIN);
      const s = await quizStatus(deps, G);
      expect(s.config?.time).toBe("09:00");
      expect(s.last).toBeUndefined();
    });

    it("THEN a zone typed in lower case is stored under its IANA name, for the quiz and the server's days", async () => {
      await setupQuiz(deps, G, { channelId: CH, time: "09:00", timezone: " europe/berlin" });
      expect((await quizStatus(deps, G)).config?.timezone).toBe(BERLIN);
      expect((await all(guilds))[0]?.timezone).toBe(BERLIN);
    });
  });

  describe("GIVEN a quiz at 09:00 Berlin", () => {
    beforeEach(() => setupQuiz(deps, G, { channelId: CH, time: "09:00", timezone: BERLIN }));

    it("THEN nothing posts at 08:59, one post at 09:00 (winter), and the next run is tomorrow 09:00", async () => {
      setClock("2026-01-15T07:59:00Z");
      expect((await runTick()).posted).toEqual([]);
      expect(fake.sent).toHaveLength(0);
      setClock("2026-01-15T08:00:00Z");
      expect((await runTick()).posted).toEqual([G]);
      expect(fake.sent).toHaveLength(1);
      expect(fake.sent[0]?.view.date).toBe("2026-01-15");
      expect(await getPost(deps.db, G, "2026-01-15")).toMatchObject({
        status: "posted",
        messageId: fake.sent[0]?.id,
      });
      expect(await nextRun(deps, G)).toEqual({ date: "2026-01-16", at: "2026-01-16T08:00:00.000Z" });
      // Ticking again the same day changes nothing.
      setClock("2026-01-15T08:01:00Z");
      await runTick();
      setClock("2026-01-15T20:00:00Z");
      await runTick();
      expect(fake.sent).toHaveLength(1);
    });

    it("THEN in summer it posts at 07:00 UTC (09:00 local), not at 06:59", async () => {
      deps.clock.set(new Date("2026-07-10T05:00:00Z"));
      await setupQuiz(deps, G, { channelId: CH, time: "09:00", timezone: BERLIN });
      setClock("2026-07-10T06:59:00Z");
      await runTick();
      expect(fake.sent).toHaveLength(0);
      setClock("2026-07-10T07:00:00Z");
      await runTick();
      expect(fake.sent.map((s) => s.view.date)).toEqual(["2026-07-10"]);
    });

    it("THEN two ticks at once (two DB connections on one database) make exactly one post", async (ctx) => {
      skipWithoutPgServer(ctx, engine, "two connections claim the same day");
      if (deps.target === null) throw new Error("no target for a second connection");
      const other = { ...deps, db: await openDb(deps.target) };
      try {
        fake.state.delayMs = 30;
        setClock("2026-01-15T08:00:00Z");
        const [a, b, c] = await Promise.all([runTick(), tick(other, fake.transport), runTick()]);
        expect([...a.posted, ...b.posted, ...c.posted]).toEqual([G]);
        // The connections really race for the claim, and the loser just sees it taken (on SQLite its BEGIN IMMEDIATE
        // waits for the other connection's write lock with timers, src/db/client.ts, so the holder finishes).
        const failed = [...a.failed, ...b.failed, ...c.failed].map((f) => f.reason);
        expect(failed).toEqual([]);
        expect(fake.sent).toHaveLength(1);
        expect(await posts()).toHaveLength(1);
      } finally {
        await closeDb(other.db);
      }
    });

    it("THEN a failed send is recorded with its reason and retried later the same day, then posts once", async () => {
      fake.state.fail = () => missingPermission();
      setClock("2026-01-15T08:00:00Z");
      const r = await runTick();
      expect(r.failed).toEqual([{ guildId: G, reason: expect.stringContaining("Missing Permissions") }]);
      expect(await getPost(deps.db, G, "2026-01-15")).toMatchObject({
        status: "failed",
        errorCode: 50013,
        attempts: 1,
      });
      expect((await quizStatus(deps, G)).last?.reason).toContain("permission");
      expect(await nextRun(deps, G)).toEqual({ date: "2026-01-15", at: "2026-01-15T08:01:00.000Z" });
      // Second failure backs off 2 minutes.
      setClock("2026-01-15T08:01:00Z");
      await runTick();
      expect((await nextRun(deps, G))?.at).toBe("2026-01-15T08:03:00.000Z");
      // Fixed: the next due tick posts, once.
      fake.state.fail = () => null;
      setClock("2026-01-15T08:02:00Z");
      expect((await runTick()).posted).toEqual([]); // not due yet
      setClock("2026-01-15T08:03:00Z");
      expect((await runTick()).posted).toEqual([G]);
      expect(await getPost(deps.db, G, "2026-01-15")).toMatchObject({
        status: "posted",
        attempts: 3,
        reason: null,
      });
      setClock("2026-01-15T09:00:00Z");
      await runTick();
      expect(fake.sent).toHaveLength(1);
    });

    it("THEN a server whose channel was deleted does not block another server", async () => {
      await setupQuiz(deps, G2, { channelId: "800000000000000002", time: "09:00", timezone: BERLIN });
      fake.state.fail = (ch) => (ch === CH ? deletedChannel() : null);
      setClock("2026-01-15T08:00:00Z");
      const r = await runTick();
      expect(r.posted).toEqual([G2]);
      expect(r.failed.map((f) => f.guildId)).toEqual([G]);
      expect((await quizStatus(deps, G)).last).toMatchObject({ status: "failed", errorCode: 10003 });
      expect((await quizStatus(deps, G)).config?.paused).toBe(false);
    });

    it("THEN more servers than a batch all post, and one server's failing claim or record undoes only its own writes", async () => {
      const ids = Array.from(
        { length: 2 * TICK_BATCH + 3 },
        (_, k) => `90000000000000010${String(k).padStart(2, "0")}`,
      );
      for (const [k, g] of ids.entries())
        await setupQuiz(deps, g, {
          channelId: `81000000000000000${String(k).padStart(2, "0")}`,
          time: "09:00",
          timezone: BERLIN,
        });
      const [badClaim, badRecord] = [ids[3], ids[TICK_BATCH + 2]];
      await boomTriggers(
        `NEW.guild_id = '${badClaim}'`,
        `NEW.guild_id = '${badRecord}' AND NEW.status = 'posted'`,
      );
      setClock("2026-01-15T08:00:00Z");
      const r = await runTick();
      expect([...r.failed].sort((a, b) => (a.guildId < b.guildId ? -1 : 1))).toEqual([
        { guildId: badClaim, reason: "boom at claim" },
        { guildId: badRecord, reason: "boom at record" },
      ]);
      expect([...r.posted].sort()).toEqual(
        [G, ...ids.filter((g) => g !== badClaim && g !== badRecord)].sort(),
      );
      expect(await posts(badClaim)).toEqual([]);
      // Sent but not recorded: the claim stays, to be adopted (findPosted) once its lease expires.
      expect(await posts(badRecord)).toMatchObject([{ status: "claimed" }]);
      for (const g of ids.filter((g) => g !== badClaim && g !== badRecord))
        expect({ g, next: (await nextRun(deps, g))?.date }).toEqual({ g, next: "2026-01-16" });
    });

    it("THEN a send whose response was lost is adopted, not doubled, once the claim's lease expires", async () => {
      fake.state.loseResponse = true;
      setClock("2026-01-15T08:00:00Z");
      await runTick();
      expect(fake.sent).toHaveLength(1); // Discord has it
      expect((await getPost(deps.db, G, "2026-01-15"))?.status).toBe("failed"); // we do not know that
      // Simulate the process dying mid-send instead: a claim nobody finished.
      await once(deps.db, (b) =>
        b
          .update(quizPosts)
          .set({ status: "claimed", claimedAt: Date.parse("2026-01-15T08:00:00Z") })
          .prepare(),
      ).run();
      fake.state.loseResponse = false;
      setClock("2026-01-15T08:05:00Z");
      await runTick();
      expect(fake.sent).toHaveLength(1); // the claim is still within its lease: nobody resends
      setClock(new Date(Date.parse("2026-01-15T08:00:00Z") + CLAIM_LEASE_MS + 60_000).toISOString());
      const r = await runTick();
      expect(r.posted).toEqual([G]);
      expect(fake.sent).toHaveLength(1); // found in the channel, adopted
      expect(await getPost(deps.db, G, "2026-01-15")).toMatchObject({
        status: "posted",
        messageId: fake.sent[0]?.id,
      });
    });

    it("THEN every attempt of one post carries the same nonce", async () => {
      fake.state.loseResponse = true;
      setClock("2026-01-15T08:00:00Z");
      await runTick();
      fake.state.loseResponse = false;
      setClock("2026-01-15T08:01:00Z");
      await runTick();
      expect(fake.sent).toHaveLength(2); // our fake has no dedupe; Discord does with enforce_nonce
      expect(fake.sent[0]?.nonce).toBe(fake.sent[1]?.nonce);
      expect(fake.sent[0]!.nonce.length).toBeLessThanOrEqual(25);
    });

    it("THEN down at 09:00 and ticking at 13:00 the same day posts; the next day's run is normal", async () => {
      setClock("2026-01-15T12:00:00Z");
      expect((await runTick()).posted).toEqual([G]);
      expect((await nextRun(deps, G))?.date).toBe("2026-01-16");
    });

    it("THEN down over the whole quiz day: the missed day is skipped, never posted", async () => {
      setClock("2026-01-16T06:00:00Z"); // next day, 07:00 local
      const r = await runTick();
      expect(r.skipped).toEqual([{ guildId: G, date: "2026-01-15" }]);
      expect(fake.sent).toHaveLength(0);
      expect((await getPost(deps.db, G, "2026-01-15"))?.status).toBe("skipped");
      expect(await nextRun(deps, G)).toEqual({ date: "2026-01-16", at: "2026-01-16T08:00:00.000Z" });
      setClock("2026-01-16T08:00:00Z");
      await runTick();
      expect(fake.sent.map((s) => s.view.date)).toEqual(["2026-01-16"]);
    });

    it("THEN down over the quiz day and back after the next day's time: only today's posts", async () => {
      setClock("2026-01-16T12:00:00Z");
      const r = await runTick();
      expect(r.skipped).toEqual([{ guildId: G, date: "2026-01-15" }]);
      expect(fake.sent.map((s) => s.view.date)).toEqual(["2026-01-16"]);
    });

    it("THEN paused → no post; resumed after today's time → tomorrow", async () => {
      await pauseQuiz(deps, G);
      setClock("2026-01-15T08:00:00Z");
      await runTick();
      expect(fake.sent).toHaveLength(0);
      setClock("2026-01-15T10:00:00Z");
      const r = await resumeQuiz(deps, G);
      expect(r.next.date).toBe("2026-01-16");
      await runTick();
      expect(fake.sent).toHaveLength(0);
    });

    it("THEN /quiz now posts today's quiz, which counts as today's", async () => {
      const r = await postToday(deps, fake.transport, G);
      expect(r.kind).toBe("posted");
      expect((await nextRun(deps, G))?.date).toBe("2026-01-16");
      setClock("2026-01-15T08:00:00Z");
      await runTick();
      expect(fake.sent).toHaveLength(1);
      await expect(postToday(deps, fake.transport, G)).rejects.toThrow(/already posted/);
    });

    it("THEN the next day's post closes yesterday's: edited to show the answer", async () => {
      setClock("2026-01-15T08:00:00Z");
      await runTick();
      setClock("2026-01-16T08:00:00Z");
      await runTick();
      expect(fake.sent).toHaveLength(2);
      expect(fake.edits).toHaveLength(1);
      expect(fake.edits[0]).toMatchObject({ messageId: fake.sent[0]?.id });
      expect(fake.edits[0]?.view.closed).toBe(true);
      expect(fake.sent[1]?.view.closed).toBe(false);
    });
  });

  describe("GIVEN members studying in the server", () => {
    beforeEach(async () => {
      const ids = await cardIds("alpha");
      await studyCards(deps, ALICE, G, "alpha", ids.slice(0, 3)); // 3 cards
      await studyCards(deps, BOB, G, "alpha", ids.slice(0, 2)); // 2 cards
      await studyCards(deps, CAROL, G2, "alpha", ids.slice(0, 4)); // studies in another server only
      await updateSettings(deps.db, ALICE, { reminders: true });
      await updateSettings(deps.db, CAROL, { reminders: true });
      await setupQuiz(deps, G, { channelId: CH, time: "09:00", timezone: BERLIN });
    });

    it("THEN with nothing due yet the post says all caught up and pings nobody", async () => {
      setClock("2026-01-15T08:00:00Z"); // reviewed (Easy) an hour ago: due again in days
      await runTick();
      expect(fake.sent[0]?.view).toMatchObject({ dueMembers: 0, dueCards: 0, pinged: [] });
    });

    it("THEN the post counts members here with cards due and pings only the opted-in ones", async () => {
      setClock("2026-02-15T08:00:00Z"); // a month later: all due
      await runNow("2026-02-15");
      await runTick();
      const v = fake.sent[0]!.view;
      expect(v).toMatchObject({ dueMembers: 2, dueCards: 5, pinged: [ALICE], pingedMore: 0 });
    });

    it("THEN an opted-in member without cards due is not pinged", async () => {
      await updateSettings(deps.db, BOB, { reminders: true });
      // Alice's cards are due, Bob's are not (he reviewed them again just now, far in the future).
      setClock("2026-02-15T08:00:00Z");
      const ids = (await cardIds("alpha")).slice(0, 2);
      await studyCards(deps, BOB, G, "alpha", ids);
      await runNow("2026-02-15");
      await runTick();
      expect(fake.sent[0]!.view).toMatchObject({ dueMembers: 1, dueCards: 3, pinged: [ALICE] });
    });

    it("THEN the question of the day is the same for the same server and day", async () => {
      const a = await chooseQuestion(deps, G, "2026-01-15");
      const b = await chooseQuestion(deps, G, "2026-01-15");
      expect(a).toEqual(b);
      expect(a?.choices).toHaveLength(4);
      expect(a?.deckId).toBe("alpha");
    });

    it("THEN an answer on a card the member suspended counts for the quiz but is no review of it", async () => {
      setClock("2026-01-15T08:00:00Z");
      await runTick();
      const post = (await getPost(deps.db, G, "2026-01-15"))!;
      await holdCard(deps.db, {
        userId: ALICE,
        cardId: post.cardId!,
        deckId: post.deckId!,
        kind: "suspend",
        until: null,
        at: 0,
      });
      const logsBefore = (await all(reviewLogs)).length;
      const a = await answerQuiz(deps, {
        postId: post.id,
        guildId: G,
        userId: ALICE,
        choice: post.correctIndex!,
      });
      expect(a).toMatchObject({ kind: "answered", correct: true, reviewed: false });
      expect((await all(reviewLogs)).length).toBe(logsBefore);
    });

    it("THEN a wrong answer that makes the card a leech says so in the answer's reply, once", async () => {
      setClock("2026-01-15T08:00:00Z");
      await runTick();
      const post = (await getPost(deps.db, G, "2026-01-15"))!;
      const cardId = post.cardId!;
      // Alice knows the card (in review) and has forgotten it 7 times: the 8th lapse is Anki's default leech.
      await studyCards(deps, ALICE, G, "alpha", [cardId]);
      await once(deps.db, (b) =>
        b
          .update(cardStates)
          .set({ lapses: 7 })
          .where(and(eq(cardStates.userId, ALICE), eq(cardStates.cardId, cardId)))
          .prepare(),
      ).run();
      const wrong = (post.correctIndex! + 1) % 4;
      const a = await answerQuiz(deps, { postId: post.id, guildId: G, userId: ALICE, choice: wrong });
      expect(a).toMatchObject({ kind: "answered", correct: false, reviewed: true });
      if (a.kind !== "answered") throw new Error("expected an answer");
      expect(a.notice).toContain("🩸 That card is a **leech**: you have forgotten it 8 times.");
      expect(renderAnswerFeedback(a).content).toBe(a.notice);
      // Bob's wrong answer is no leech (a new card for him), and says nothing of one.
      const b = await answerQuiz(deps, { postId: post.id, guildId: G, userId: BOB, choice: wrong });
      expect(b).toMatchObject({ kind: "answered", notice: null });
      expect(renderAnswerFeedback(b as never).content).toBeUndefined();
    });

    it("THEN answers: one right, one wrong → tally 2 · 1, schedules fed, a second click changes nothing", async () => {
      setClock("2026-01-15T08:00:00Z");
      await runTick();
      const post = (await getPost(deps.db, G, "2026-01-15"))!;
      const right = post.correctIndex!;
      const wrong = (right + 1) % 4;
      const cardId = post.cardId!;
      const logsBefore = (await all(reviewLogs)).length;

      const a = await answerQuiz(deps, { postId: post.id, guildId: G, userId: ALICE, choice: right });
      expect(a).toMatchObject({ kind: "answered", correct: true, reviewed: true });
      const b = await answerQuiz(deps, { postId: post.id, guildId: G, userId: BOB, choice: wrong });
      expect(b).toMatchObject({ kind: "answered", correct: false, reviewed: true });
      const again = await answerQuiz(deps, { postId: post.id, guildId: G, userId: BOB, choice: right });
      expect(again).toMatchObject({ kind: "already", choice: wrong, correct: false });

      expect((await quizStatus(deps, G)).last).toMatchObject({ answered: 2, correct: 1 });
      const logs = (await all(reviewLogs)).slice(logsBefore);
      expect(logs.map((l) => [l.userId, l.cardId, l.rating, l.source, l.guildId])).toEqual([
        [ALICE, cardId, 3, "quiz", G],
        [BOB, cardId, 1, "quiz", G],
      ]);
      // Each answer's log is shown at the instant its answer row records (how migration 0007 tells answers apart:
      // review - duration_ms, which a clock that moves between the two reads keeps too).
      const answered = await once(deps.db, (b) =>
        b.select().from(quizAnswers).where(eq(quizAnswers.postId, post.id)).prepare(),
      ).all();
      expect(logs.map((l) => l.review.getTime())).toEqual(
        [ALICE, BOB].map((u) => answered.find((x) => x.userId === u)?.answeredAt.getTime()),
      );
      // The question's card is new to Bob (he studied two others): a wrong answer is its first review, no lapse.
      expect(await getState(deps.db, BOB, cardId)).toMatchObject({
        reps: 1,
        lapses: 0,
        state: State.Learning,
      });
      expect((await getState(deps.db, BOB, cardId))?.due.getTime()).toBeLessThan(
        (await getState(deps.db, ALICE, cardId))!.due.getTime(),
      );
      // A member who knew the card (in review) and answers wrong lapses on it: exactly one lapse.
      const dave = "700000000000000004";
      setClock("2026-01-05T08:00:00Z");
      await studyCards(deps, dave, G, "alpha", [cardId]);
      setClock("2026-01-15T08:00:00Z");
      expect(await getState(deps.db, dave, cardId)).toMatchObject({
        reps: 1,
        lapses: 0,
        state: State.Review,
      });
      await answerQuiz(deps, { postId: post.id, guildId: G, userId: dave, choice: wrong });
      expect(await getState(deps.db, dave, cardId)).toMatchObject({
        reps: 2,
        lapses: 1,
        state: State.Relearning,
      });
    });

    it("THEN a member who does not study the deck answers without a review; others' posts are refused", async () => {
      setClock("2026-01-15T08:00:00Z");
      await runTick();
      const post = (await getPost(deps.db, G, "2026-01-15"))!;
      const dave = "700000000000000004";
      const r = await answerQuiz(deps, {
        postId: post.id,
        guildId: G,
        userId: dave,
        choice: post.correctIndex!,
      });
      expect(r).toMatchObject({ kind: "answered", correct: true, reviewed: false, subscribed: false });
      expect(await ofUser(reviewLogs, dave)).toEqual([]);
      // Still worth the quiz's leaderboard points in this server.
      const board = await ofUser(statGuildMembers, dave);
      expect(board).toMatchObject([{ guildId: G, reviews: 0, points: 2 }]);
      await expect(
        answerQuiz(deps, { postId: post.id, guildId: G2, userId: dave, choice: 0 }),
      ).rejects.toThrow(UserError);
    });

    it("THEN a member whose only act here is a wrong answer without a review counts: their cards due, their ping", async () => {
      const dave = "700000000000000004";
      await seedDeck(deps, "beta", 6);
      await studyCards(deps, dave, G2, "beta", (await cardIds("beta")).slice(0, 4)); // studies in another server only
      await updateSettings(deps.db, dave, { reminders: true });
      setClock("2026-01-15T08:00:00Z");
      await runTick();
      const post = (await getPost(deps.db, G, "2026-01-15"))!;
      expect(post.deckId).toBe("alpha"); // the deck G's members study: not one Dave studies
      const wrong = (post.correctIndex! + 1) % 4;
      const r = await answerQuiz(deps, { postId: post.id, guildId: G, userId: dave, choice: wrong });
      expect(r).toMatchObject({ kind: "answered", correct: false, reviewed: false });
      const rows = await ofUser(statGuildMembers, dave);
      expect(rows.map((m) => [m.guildId, m.reviews, m.points]).sort()).toEqual([
        [G, 0, 0],
        [G2, 4, expect.any(Number)],
      ]);
      // A month later his 4 cards are due (decks are visible in every server): G's post counts and pings him,
      // first, as the opted-in member with the most cards due.
      setClock("2026-02-15T08:00:00Z");
      await runNow("2026-02-15");
      await runTick();
      expect(fake.sent[1]!.view).toMatchObject({ dueMembers: 3, dueCards: 9, pinged: [dave, ALICE] });
    });

    it("THEN after the next day's post, yesterday's question is closed to answers", async () => {
      setClock("2026-01-15T08:00:00Z");
      await runTick();
      const first = (await getPost(deps.db, G, "2026-01-15"))!;
      setClock("2026-01-16T08:00:00Z");
      await runTick();
      const r = await answerQuiz(deps, { postId: first.id, guildId: G, userId: ALICE, choice: 0 });
      expect(r.kind).toBe("closed");
    });
  });

  describe("GIVEN a server without a deck that can make a question", () => {
    it("THEN the post still goes out, without a question", async () => {
      await once(deps.db, (b) => b.update(decks).set({ retiredAt: deps.clock.now() }).prepare()).run();
      await seedDeck(deps, "tiny", 3);
      await setupQuiz(deps, G, { channelId: CH, time: "09:00", timezone: BERLIN });
      setClock("2026-01-15T08:00:00Z");
      await runTick();
      expect(fake.sent[0]?.view.question).toBeNull();
    });
  });
});
