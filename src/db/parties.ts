/**
 * Review parties (issue 16): the party row (lobby → running → done, and when it next needs the timer), its
 * players and their running scores, and what the party's card choice reads from the players' schedules. The
 * rounds and answers are party-rounds.ts's.
 */
import { and, asc, eq, gt, isNotNull, lte, min, sql } from "drizzle-orm";
import type { CardNeed } from "../core/party-rules.ts";
import type { PartyMode } from "../core/party-scoring.ts";
import { type Db, tx } from "./client.ts";
import { once } from "./prepared.ts";
import { cardStates, cards, parties, partyPlayers, partyRounds } from "./schema.ts";

export type Party = typeof parties.$inferSelect;
export type PartyPlayer = typeof partyPlayers.$inferSelect;

export interface NewParty {
  guildId: string;
  /** The channel the party plays in: its thread, once started (one party at a time there). */
  channelId: string;
  threadId: string | null;
  hostId: string;
  deckId: string;
  mode: PartyMode;
  cards: number;
  seconds: number;
  /** Anyone may start it from then on (ms). */
  startableAt: number;
  /** The lobby ends by itself then, if nobody started it (ms). */
  expiresAt: number;
}

const open = sql`${parties.status} <> 'done'`;

/** Opens a party's lobby with its host as the first player; null when the channel has a party going already. */
export async function createParty(db: Db, p: NewParty, now: number): Promise<Party | null> {
  return tx(
    db,
    async (t) => {
      // A party going here, as its channel or as its thread (a /party start inside another party's thread).
      if ((await openPartiesOf(t, p.channelId)).length > 0) return null;
      const { expiresAt, ...row } = p;
      const [party] = await once(t, (b) =>
        b
          .insert(parties)
          .values({ ...row, status: "lobby", createdAt: now, wakeAt: expiresAt })
          .returning()
          .prepare(),
      ).all();
      if (!party) throw new Error("the party row was not returned");
      await once(t, (b) =>
        b
          .insert(partyPlayers)
          .values({ partyId: party.id, userId: p.hostId, joinedAt: now, reachedAt: now })
          .prepare(),
      ).run();
      return party;
    },
    // Two starts in one channel at once (PostgreSQL): the second waits, then sees the first.
    { lockKey: `party:${p.channelId}` },
  );
}

export async function partyById(db: Db, id: number): Promise<Party | undefined> {
  return once(db, (b) => b.select().from(parties).where(eq(parties.id, id)).prepare()).get();
}

/** Parties going whose thread (or channel) is `channelId`, or whose thread's parent it is: a deletion ends them. */
export async function openPartiesOf(db: Db, channelId: string): Promise<Party[]> {
  return once(db, (b) =>
    b
      .select()
      .from(parties)
      .where(and(open, sql`(${parties.channelId} = ${channelId} OR ${parties.threadId} = ${channelId})`))
      .orderBy(asc(parties.id))
      .prepare(),
  ).all();
}

/** Where the party plays and its lobby message, once posted. */
export async function setPartyMessages(
  db: Db,
  id: number,
  m: { threadId?: string; lobbyMessageId?: string },
): Promise<void> {
  await once(db, (b) => b.update(parties).set(m).where(eq(parties.id, id)).prepare()).run();
}

export type Join = "joined" | "already" | "started" | "over";

/** Joins a party's lobby: `started` once it runs (answering a round joins then), `over` once done. */
export async function joinParty(db: Db, partyId: number, userId: string, now: number): Promise<Join> {
  return tx(db, async (t) => {
    const party = await partyById(t, partyId);
    if (!party || party.status === "done") return "over";
    if (party.status === "running") return "started";
    const res = await once(t, (b) =>
      b
        .insert(partyPlayers)
        .values({ partyId, userId, joinedAt: now, reachedAt: now })
        .onConflictDoNothing()
        .prepare(),
    ).run();
    return res.changes > 0 ? "joined" : "already";
  });
}

/** The players, in the order they joined. */
export async function players(db: Db, partyId: number): Promise<PartyPlayer[]> {
  return once(db, (b) =>
    b
      .select()
      .from(partyPlayers)
      .where(eq(partyPlayers.partyId, partyId))
      .orderBy(asc(partyPlayers.joinedAt), asc(partyPlayers.userId))
      .prepare(),
  ).all();
}

/**
 * Ends a party once (its last round, `/party stop`, a lobby nobody started, or a fault: `reason`); false when it
 * had ended already, so whoever ends it is the one who tells the channel.
 */
export async function endParty(
  db: Db,
  partyId: number,
  reason: string,
  now: number,
  /** Only a lobby whose time is up (its expiry: a Start just before it must win). */
  o: { expiredLobby?: boolean } = {},
): Promise<boolean> {
  const when = o.expiredLobby
    ? and(eq(parties.id, partyId), eq(parties.status, "lobby"), lte(parties.wakeAt, now))
    : and(eq(parties.id, partyId), open);
  const res = await once(db, (b) =>
    b
      .update(parties)
      .set({ status: "done", endedAt: now, endedReason: reason, wakeAt: null })
      .where(when)
      .prepare(),
  ).run();
  return res.changes > 0;
}

/** Parties whose time has come at `now` (the lobby's expiry, a round's close, the next round's start). */
export async function partiesToWake(db: Db, now: number): Promise<Party[]> {
  return once(db, (b) =>
    b
      .select()
      .from(parties)
      .where(and(open, isNotNull(parties.wakeAt), lte(parties.wakeAt, now)))
      .orderBy(asc(parties.wakeAt))
      .prepare(),
  ).all();
}

/**
 * The earliest instant after `now` any party going needs the timer; null when none does. Only later ones: one due
 * already is another process's (its server is on another shard) or is retried by the minute job, never a loop.
 */
export async function nextPartyWake(db: Db, now: number): Promise<number | null> {
  const row = await once(db, (b) =>
    b
      .select({ at: min(parties.wakeAt) })
      .from(parties)
      .where(and(open, gt(parties.wakeAt, now)))
      .prepare(),
  ).get();
  return row?.at ?? null;
}

/**
 * What the party's card choice weighs, per card of the deck that any player has a schedule for: how many players
 * it is due for at `now`, and the players' lapses on it in all. The cards already played this party come apart.
 */
export async function partyCardNeeds(
  db: Db,
  party: Pick<Party, "id" | "deckId">,
  now: number,
): Promise<{ need: Map<number, CardNeed>; played: Set<number> }> {
  const rows = await once(db, (b) =>
    b
      .select({
        cardId: cardStates.cardId,
        due: sql<number>`sum(CASE WHEN ${cardStates.due} <= ${now} THEN 1 ELSE 0 END)`.mapWith(Number),
        lapses: sql<number>`sum(${cardStates.lapses})`.mapWith(Number),
      })
      .from(partyPlayers)
      .innerJoin(
        cardStates,
        and(eq(cardStates.userId, partyPlayers.userId), eq(cardStates.deckId, party.deckId)),
      )
      .innerJoin(cards, eq(cards.id, cardStates.cardId))
      .where(and(eq(partyPlayers.partyId, party.id), sql`${cards.retiredAt} IS NULL`))
      .groupBy(cardStates.cardId)
      .prepare(),
  ).all();
  const played = await once(db, (b) =>
    b
      .select({ cardId: partyRounds.cardId })
      .from(partyRounds)
      .where(eq(partyRounds.partyId, party.id))
      .prepare(),
  ).all();
  return {
    need: new Map(rows.map((r) => [r.cardId, { due: r.due, lapses: r.lapses }])),
    played: new Set(played.map((r) => r.cardId)),
  };
}
