/**
 * A review party's rounds and answers (issue 16): opening a round (the party's claim of its next round), one
 * answer per player and round, which for a member who studies the deck is a review in the same transaction
 * (source `party`: right → Good, wrong or none → Again), and the round's close, which fixes its points from the
 * answers' order (core/party-scoring.ts), so concurrent answers never race for first place, and adds them to the
 * server's leaderboard.
 *
 * On PostgreSQL an answer and the close serialise on the round's row: each answer's first statement is a no-op
 * UPDATE of the row while it is open (its row lock, held to commit), and the close's claim is an UPDATE of the same
 * row, so the close sees every answer that got in and no answer gets in after it.
 */
import { and, asc, count, eq, isNotNull, isNull, sql } from "drizzle-orm";
import { roundPoints } from "../core/party-scoring.ts";
import type { Grade } from "../core/scheduling.ts";
import { type Db, tx } from "./client.ts";
import { studiesDeckHere } from "./decks.ts";
import { type Party, partyById } from "./parties.ts";
import { once } from "./prepared.ts";
import { awardGuildPoints } from "./review-stats.ts";
import { type DecideReview, type ReviewWritten, writeReview } from "./reviews.ts";
import { parties, partyAnswers, partyPlayers, partyRounds } from "./schema.ts";

export type PartyRound = typeof partyRounds.$inferSelect;
export type PartyAnswerRow = typeof partyAnswers.$inferSelect;

/** The grade an answer is reviewed as, and its FSRS decision (the service's ts-fsrs). */
export type PartyReview = (correct: boolean) => { grade: Grade; decide: DecideReview };

const roundKey = (partyId: number, round: number) =>
  and(eq(partyRounds.partyId, partyId), eq(partyRounds.round, round));
const answersOf = (partyId: number, round: number) =>
  and(eq(partyAnswers.partyId, partyId), eq(partyAnswers.round, round));

export async function roundOf(db: Db, partyId: number, round: number): Promise<PartyRound | undefined> {
  return once(db, (b) => b.select().from(partyRounds).where(roundKey(partyId, round)).prepare()).get();
}

/** A round's answers, in the order they came. */
export async function roundAnswers(db: Db, partyId: number, round: number): Promise<PartyAnswerRow[]> {
  return once(db, (b) =>
    b.select().from(partyAnswers).where(answersOf(partyId, round)).orderBy(asc(partyAnswers.seq)).prepare(),
  ).all();
}

/** How many have answered the round, and how many players the party has: the round message's count. */
export async function roundProgress(
  db: Db,
  partyId: number,
  round: number,
): Promise<{ answered: number; players: number }> {
  // Answers given: the close's rows for those who gave none do not count.
  const a = await once(db, (b) =>
    b
      .select({ n: count() })
      .from(partyAnswers)
      .where(and(answersOf(partyId, round), isNotNull(partyAnswers.choice)))
      .prepare(),
  ).get();
  const p = await once(db, (b) =>
    b.select({ n: count() }).from(partyPlayers).where(eq(partyPlayers.partyId, partyId)).prepare(),
  ).get();
  return { answered: Number(a?.n ?? 0), players: Number(p?.n ?? 0) };
}

/**
 * Opens round `r.round` (the party's next: its current round plus one) with its card and choices, the party
 * waking at its close; false when the party moved on already (another process, or a double Start).
 */
export async function openRound(db: Db, r: Omit<PartyRound, "closedAt" | "messageId">): Promise<boolean> {
  return tx(db, async (t) => {
    const res = await once(t, (b) =>
      b
        .update(parties)
        .set({
          status: "running",
          round: r.round,
          wakeAt: r.closesAt,
          startedAt: sql`coalesce(${parties.startedAt}, ${r.opensAt})`,
        })
        .where(
          and(eq(parties.id, r.partyId), eq(parties.round, r.round - 1), sql`${parties.status} <> 'done'`),
        )
        .prepare(),
    ).run();
    if (res.changes === 0) return false;
    await once(t, (b) => b.insert(partyRounds).values(r).prepare()).run();
    return true;
  });
}

export async function setRoundMessage(db: Db, partyId: number, round: number, messageId: string) {
  await once(db, (b) =>
    b.update(partyRounds).set({ messageId }).where(roundKey(partyId, round)).prepare(),
  ).run();
}

export type PartyAnswer =
  | { kind: "over"; ended: boolean }
  | { kind: "already"; choice: number | null; correct: boolean }
  | {
      kind: "answered";
      correct: boolean;
      /** Recorded as a review (the member studies the deck here, and the card is not held or retired). */
      reviewed: boolean;
      /** The member studies the deck here (`reviewed` false then: the card is suspended, buried or retired). */
      studies: boolean;
      /** The review made the card a leech (told once, services/leech-notice.ts). */
      leech: ReviewWritten["leech"];
      /** Every player has answered: the round can close now. */
      allIn: boolean;
    };

/**
 * One answer to the round under way, once per player; answering joins a party under way. For a member who studies
 * the deck, a review in the same transaction. A round that closed (or whose time is up), or a party that moved on,
 * answers `over` and changes nothing.
 */
export async function recordPartyAnswer(
  db: Db,
  a: { partyId: number; round: number; userId: string; choice: number },
  now: Date,
  review: PartyReview,
): Promise<PartyAnswer> {
  const at = now.getTime();
  return tx(
    db,
    async (t): Promise<PartyAnswer> => {
      // The round's row lock (PostgreSQL), taken first: the close waits for this answer, or this sees it closed.
      const locked = await once(t, (b) =>
        b
          .update(partyRounds)
          .set({ closesAt: sql`${partyRounds.closesAt}` })
          .where(and(roundKey(a.partyId, a.round), isNull(partyRounds.closedAt)))
          .prepare(),
      ).run();
      const party = await partyById(t, a.partyId);
      const over = { kind: "over" as const, ended: party === undefined || party.status === "done" };
      if (locked.changes === 0) return over;
      const round = await roundOf(t, a.partyId, a.round);
      if (party?.status !== "running" || party.round !== a.round || !round || at >= round.closesAt)
        return over;
      const existing = await once(t, (b) =>
        b
          .select({ choice: partyAnswers.choice, correct: partyAnswers.correct })
          .from(partyAnswers)
          .where(and(answersOf(a.partyId, a.round), eq(partyAnswers.userId, a.userId)))
          .prepare(),
      ).get();
      if (existing) return { kind: "already", ...existing };
      await once(t, (b) =>
        b
          .insert(partyPlayers)
          .values({ partyId: a.partyId, userId: a.userId, joinedAt: at, reachedAt: at })
          .onConflictDoNothing()
          .prepare(),
      ).run();
      const correct = a.choice === round.correctIndex;
      const { studies, written } = await reviewAnswer(t, party, round, a.userId, correct, now, review);
      const before = await roundProgress(t, a.partyId, a.round);
      await once(t, (b) =>
        b
          .insert(partyAnswers)
          .values({
            partyId: a.partyId,
            round: a.round,
            userId: a.userId,
            seq: before.answered + 1,
            choice: a.choice,
            correct,
            answeredAt: at,
            reviewed: written !== false,
          })
          .prepare(),
      ).run();
      return {
        kind: "answered",
        correct,
        reviewed: written !== false,
        studies,
        leech: written === false ? null : written.leech,
        allIn: before.answered + 1 >= before.players,
      };
    },
    { lockKey: a.userId },
  );
}

/** The answer as a review, for a member who studies the deck here (what writeReview wrote, or false). */
async function reviewAnswer(
  t: Db,
  party: Party,
  round: PartyRound,
  userId: string,
  correct: boolean,
  now: Date,
  review: PartyReview,
): Promise<{ studies: boolean; written: ReviewWritten | false }> {
  if (!(await studiesDeckHere(t, userId, party.guildId, party.deckId)))
    return { studies: false, written: false };
  const r = review(correct);
  const written = await writeReview(
    t,
    {
      userId,
      guildId: party.guildId,
      cardId: round.cardId,
      grade: r.grade,
      source: "party",
      shownAt: round.opensAt,
      version: null,
    },
    now,
    r.decide,
  );
  return { studies: true, written };
}

export interface ClosedRound {
  answers: PartyAnswerRow[];
}

/**
 * Closes a round once: each player who did not answer gets an answer of none (a review as Again for a member who
 * studies the deck, unless the round's message never went out: nobody could answer it), every answer its points
 * from the round's order, each scorer their points on the party and on the server's leaderboard; the party then
 * wakes at `wakeAt` (the next round, or its end). `lockKeys`: the players' ids (their member locks, for the
 * reviews), read before. Null when the round was closed already (another process, or a click and the timer).
 */
export async function closeRound(
  db: Db,
  key: { partyId: number; round: number },
  now: Date,
  review: PartyReview,
  o: { wakeAt: number; lockKeys: readonly string[] },
): Promise<ClosedRound | null> {
  const at = now.getTime();
  return tx(
    db,
    async (t) => {
      const claimed = await once(t, (b) =>
        b
          .update(partyRounds)
          .set({ closedAt: at })
          .where(and(roundKey(key.partyId, key.round), isNull(partyRounds.closedAt)))
          .prepare(),
      ).run();
      if (claimed.changes === 0) return null;
      const party = await partyById(t, key.partyId);
      const round = await roundOf(t, key.partyId, key.round);
      if (!party || !round) throw new Error(`party ${key.partyId} round ${key.round} vanished`);
      const answered = await roundAnswers(t, key.partyId, key.round);
      const seen = new Set(answered.map((x) => x.userId));
      let seq = answered.length;
      for (const p of await partyPlayersOf(t, key.partyId)) {
        if (seen.has(p)) continue;
        seq++;
        const written =
          round.messageId === null
            ? false
            : (await reviewAnswer(t, party, round, p, false, now, review)).written;
        await once(t, (b) =>
          b
            .insert(partyAnswers)
            .values({
              ...key,
              userId: p,
              seq,
              choice: null,
              correct: false,
              answeredAt: at,
              reviewed: written !== false,
            })
            .prepare(),
        ).run();
      }
      const points = roundPoints(
        party.mode,
        answered.map((x) => ({ userId: x.userId, correct: x.correct, seq: x.seq })),
      );
      for (const x of answered) {
        const earned = points.get(x.userId) ?? 0;
        if (earned === 0) continue;
        await once(t, (b) =>
          b
            .update(partyAnswers)
            .set({ points: earned })
            .where(and(answersOf(key.partyId, key.round), eq(partyAnswers.userId, x.userId)))
            .prepare(),
        ).run();
        await once(t, (b) =>
          b
            .update(partyPlayers)
            .set({
              points: sql`${partyPlayers.points} + ${earned}`,
              correct: sql`${partyPlayers.correct} + 1`,
              reachedAt: x.answeredAt,
            })
            .where(and(eq(partyPlayers.partyId, key.partyId), eq(partyPlayers.userId, x.userId)))
            .prepare(),
        ).run();
        await awardGuildPoints(t, { guildId: party.guildId, userId: x.userId, at, points: earned });
      }
      await once(t, (b) =>
        b
          .update(parties)
          .set({
            wakeAt: o.wakeAt,
            quietRounds: answered.length === 0 ? sql`${parties.quietRounds} + 1` : 0,
          })
          .where(eq(parties.id, key.partyId))
          .prepare(),
      ).run();
      return { answers: await roundAnswers(t, key.partyId, key.round) };
    },
    { lockKeys: o.lockKeys },
  );
}

async function partyPlayersOf(db: Db, partyId: number): Promise<string[]> {
  const rows = await once(db, (b) =>
    b
      .select({ userId: partyPlayers.userId })
      .from(partyPlayers)
      .where(eq(partyPlayers.partyId, partyId))
      .prepare(),
  ).all();
  return rows.map((r) => r.userId);
}

/**
 * A round ended with its party (`/party stop`, a fault): closed as it stands, its answers kept (each already a
 * review), no points and no Again for those who had not answered. False when it was closed already.
 */
export async function voidRound(
  db: Db,
  key: { partyId: number; round: number },
  now: number,
): Promise<boolean> {
  const res = await once(db, (b) =>
    b
      .update(partyRounds)
      .set({ closedAt: now })
      .where(and(roundKey(key.partyId, key.round), isNull(partyRounds.closedAt)))
      .prepare(),
  ).run();
  return res.changes > 0;
}
