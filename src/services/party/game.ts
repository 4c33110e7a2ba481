/**
 * A review party's course, as a state machine over its database row: a round opens (its card chosen for the
 * group), closes (its time is up, or everyone answered) with its reveal, the next opens after a short break, and
 * the party ends with its podium (after its last card, `/party stop`, a lobby nobody started, rounds nobody
 * answers, or a fault). Every step is claimed in the database first, so two processes, or a click and the timer,
 * never do one twice; whoever claims a step is the one who tells Discord.
 */
import { PARTY_LIMITS, partyCardOrder } from "../../core/party-rules.ts";
import { buildChoices, seededRandom } from "../../core/quiz.ts";
import { Rating } from "../../core/scheduling.ts";
import {
  endParty,
  nextPartyWake,
  openPartiesOf,
  type Party,
  partiesToWake,
  partyById,
  partyCardNeeds,
  players,
} from "../../db/parties.ts";
import {
  closeRound,
  openRound,
  type PartyReview,
  type PartyRound,
  roundOf,
  setRoundMessage,
  voidRound,
} from "../../db/party-rounds.ts";
import { activeCards } from "../../db/quiz-questions.ts";
import { decideWith } from "../study.ts";
import type { PartyRuntime } from "./runtime.ts";
import { asFailure, PARTY_FAULT_CODES } from "./transport.ts";
import { lobbyView, podiumView, roundView } from "./views.ts";

export const partyReview =
  (rt: PartyRuntime): PartyReview =>
  (correct) => {
    const grade = correct ? Rating.Good : Rating.Again;
    return { grade, decide: decideWith(rt.deps, grade) };
  };

const roundKey = (p: { id: number }, round: number) => `party:${p.id}:${round}`;
/** The same for every attempt of one round's message: Discord drops a duplicate a retry would make. */
const roundNonce = (partyId: number, round: number) => `pt${partyId.toString(36)}r${round.toString(36)}`;

/** Parties stepped side by side: one slow thread (Discord's retries, a 429 wait) holds up no other server's. */
const WAKE_CONCURRENCY = 4;

/** Wakes every party of this process's servers whose time has come at `now`, then re-arms the timer. */
export async function wakeParties(rt: PartyRuntime, now: Date): Promise<number> {
  const due = (await partiesToWake(rt.deps.db, now.getTime())).filter((p) => rt.holds(p.guildId));
  for (let k = 0; k < due.length; k += WAKE_CONCURRENCY) {
    await Promise.all(
      due.slice(k, k + WAKE_CONCURRENCY).map(async (listed) => {
        try {
          // Read again: a click since the list was read may have moved it on (Start, the last answer).
          const p = await partyById(rt.deps.db, listed.id);
          if (p && p.status !== "done" && p.wakeAt !== null && p.wakeAt <= now.getTime())
            await wakeParty(rt, p, now);
        } catch (err) {
          rt.deps.log.error({ err, party: listed.id, guild: listed.guildId }, "review party step failed");
        }
      }),
    );
  }
  const next = await nextPartyWake(rt.deps.db, now.getTime());
  if (next !== null) rt.wakeAt(next);
  return due.length;
}

/** One party's due step. */
async function wakeParty(rt: PartyRuntime, p: Party, now: Date): Promise<void> {
  if (p.status === "lobby") {
    await finishParty(rt, p, "expired", now, { expiredLobby: true });
    return;
  }
  const r = await roundOf(rt.deps.db, p.id, p.round);
  if (r && r.closedAt === null) {
    await closeAndReveal(rt, p, r, now);
    return;
  }
  await openNextRound(rt, p, now);
}

/**
 * Opens the party's next round: the card due for the most players (then the one the group forgets most) among
 * those not played yet, with three look-alike answers of the deck. The deck run dry, or the last round played,
 * ends the party.
 */
export async function openNextRound(rt: PartyRuntime, p: Party, now: Date): Promise<void> {
  const { db } = rt.deps;
  if (p.round >= p.cards || p.quietRounds >= PARTY_LIMITS.quietRounds) {
    await finishParty(rt, p, p.round >= p.cards ? "finished" : "quiet", now);
    return;
  }
  const round = p.round + 1;
  const deck = await activeCards(db, p.deckId);
  const ids = Array.from({ length: deck.size }, (_, k) => deck.card(k).id);
  const { need, played } = await partyCardNeeds(db, p, now.getTime());
  const rng = seededRandom(`party:${p.id}:${round}`);
  let question: { cardId: number; choices: { cardId: number; text: string }[]; correctIndex: number } | null =
    null;
  for (const k of partyCardOrder(ids, need, played, rng)) {
    const built = buildChoices(deck.card(k), deck, rng, k);
    if (built) {
      question = { cardId: deck.card(k).id, ...built };
      break;
    }
  }
  if (!question) {
    await finishParty(rt, p, "finished", now);
    return;
  }
  const opensAt = now.getTime();
  const closesAt = opensAt + p.seconds * 1000;
  if (!(await openRound(db, { partyId: p.id, round, opensAt, closesAt, ...question }))) return;
  const party = (await partyById(db, p.id)) ?? p;
  const r = await roundOf(db, p.id, round);
  if (!r || !party.threadId) return;
  let id: string;
  try {
    id = await rt.transport.send(
      party.threadId,
      { kind: "round", view: await roundView(db, party, r) },
      roundNonce(p.id, round),
    );
  } catch (err) {
    await faultEnds(rt, party, err, now);
    return;
  }
  await setRoundMessage(db, p.id, round, id);
  rt.wakeAt(closesAt);
}

/**
 * Closes a round once (its time is up, or everyone answered): the answers' points, Again for each player who did
 * not answer, then the reveal and scoreboard edited into the round's message. The party goes on after the break,
 * or ends when that was its last round or nobody is answering any more.
 */
export async function closeAndReveal(rt: PartyRuntime, p: Party, r: PartyRound, now: Date): Promise<void> {
  const { db } = rt.deps;
  const lockKeys = (await players(db, p.id)).map((x) => x.userId);
  const wakeAt = now.getTime() + PARTY_LIMITS.breakMs;
  if (!(await closeRound(db, { partyId: p.id, round: r.round }, now, partyReview(rt), { wakeAt, lockKeys })))
    return;
  const party = (await partyById(db, p.id)) ?? p;
  const closed = (await roundOf(db, p.id, r.round)) ?? r;
  if (party.threadId && closed.messageId) {
    const thread = party.threadId;
    const message = closed.messageId;
    try {
      await rt.edits.now(roundKey(party, r.round), async () =>
        rt.transport.edit(thread, message, { kind: "round", view: await roundView(db, party, closed) }),
      );
    } catch (err) {
      await faultEnds(rt, party, err, now);
      return;
    }
  }
  if (party.round >= party.cards || party.quietRounds >= PARTY_LIMITS.quietRounds)
    await finishParty(rt, party, party.round >= party.cards ? "finished" : "quiet", now);
  else rt.wakeAt(wakeAt);
}

/** Asks for the round message's answer count to be edited (coalesced: at most once per PARTY_LIMITS.editGapMs). */
export function recount(rt: PartyRuntime, partyId: number, round: number): void {
  rt.edits.request(roundKey({ id: partyId }, round), async () => {
    const { db } = rt.deps;
    const party = await partyById(db, partyId);
    const r = await roundOf(db, partyId, round);
    if (!party?.threadId || !r?.messageId || r.closedAt !== null) return;
    await rt.transport
      .edit(party.threadId, r.messageId, { kind: "round", view: await roundView(db, party, r) })
      .catch((err) => faultEnds(rt, party, err, rt.deps.clock.now(), { countOnly: true }));
  });
}

/**
 * Ends a party once with `reason` ("finished", "stopped", "expired", "quiet", or a fault's words): a round still
 * open is closed as it stands (voidRound: no points, no Again), then the podium in its thread when a round was
 * played, and the lobby marked over. `ended` false when it had ended already (or, `expiredLobby`, was started).
 */
export async function finishParty(
  rt: PartyRuntime,
  p: Party,
  reason: string,
  now: Date,
  o: { expiredLobby?: boolean } = {},
): Promise<{ ended: boolean; podium: boolean }> {
  const { db, log } = rt.deps;
  if (!(await endParty(db, p.id, reason, now.getTime(), o))) return { ended: false, podium: false };
  const party = (await partyById(db, p.id)) ?? p;
  log.info({ party: p.id, guild: p.guildId, reason, rounds: party.round }, "review party ended");
  if (!party.threadId) return { ended: true, podium: false };
  let podium = false;
  try {
    await closeOpenRound(rt, party, now);
    if (party.round > 0) {
      await rt.transport.send(party.threadId, { kind: "podium", view: await podiumView(db, party) });
      podium = true;
    }
    await refreshLobby(rt, party);
  } catch (err) {
    log.warn(
      { party: p.id, guild: p.guildId, reason: asFailure(err).reason },
      "review party's end not shown",
    );
  }
  return { ended: true, podium };
}

/** The round under way when the party ended: closed as it stands, its message showing so (buttons off). */
async function closeOpenRound(rt: PartyRuntime, party: Party, now: Date): Promise<void> {
  const { db } = rt.deps;
  const r = await roundOf(db, party.id, party.round);
  if (!r || !(await voidRound(db, { partyId: party.id, round: r.round }, now.getTime()))) return;
  const closed = await roundOf(db, party.id, r.round);
  if (!closed?.messageId || !party.threadId) return;
  const thread = party.threadId;
  const message = closed.messageId;
  await rt.edits.now(roundKey(party, r.round), async () =>
    rt.transport.edit(thread, message, { kind: "round", view: await roundView(db, party, closed) }),
  );
}

/** Re-renders the lobby message (its players, or the party under way or over). */
async function refreshLobby(rt: PartyRuntime, party: Party): Promise<void> {
  if (!party.threadId || !party.lobbyMessageId) return;
  await rt.transport.edit(party.threadId, party.lobbyMessageId, {
    kind: "lobby",
    view: await lobbyView(rt.deps.db, party),
  });
}

/**
 * A send or edit that failed: Discord's answer that the party cannot go on there (a deleted thread, a lost
 * permission: PARTY_FAULT_CODES), or one discord.js gave up on after its own retries, ends the party once, logged
 * once; nothing is retried, so a gone thread makes no error loop. `countOnly`: a failed answer-count edit, which
 * ends the party only for a fault (the reveal and the next round say the same anyway).
 */
export async function faultEnds(
  rt: PartyRuntime,
  party: Party,
  err: unknown,
  now: Date,
  o: { countOnly?: boolean } = {},
): Promise<void> {
  const f = asFailure(err);
  const fault = f.code !== null && PARTY_FAULT_CODES.has(f.code);
  if (o.countOnly && !fault) {
    rt.deps.log.warn({ party: party.id, guild: party.guildId, reason: f.reason }, "party count not edited");
    return;
  }
  if (!(await endParty(rt.deps.db, party.id, f.reason, now.getTime()))) return;
  // Its round under way closes as it stands (its message is where Discord refused, so it stays as it was).
  if (party.round > 0) await voidRound(rt.deps.db, { partyId: party.id, round: party.round }, now.getTime());
  rt.deps.log[fault ? "warn" : "error"](
    { party: party.id, guild: party.guildId, code: f.code, reason: f.reason },
    "review party ended: Discord refused its thread",
  );
  // Best effort: the lobby says it is over where it can still be edited (a lost Send permission allows that).
  const ended = await partyById(rt.deps.db, party.id);
  if (ended && f.code !== 10003) await refreshLobby(rt, ended).catch(() => {});
}

/**
 * The party's thread (or its channel) was deleted (THREAD_DELETE / CHANNEL_DELETE): each party going there ends
 * once, logged, with nothing sent to where it was.
 */
export async function channelGone(rt: PartyRuntime, channelId: string, now: Date): Promise<number> {
  let ended = 0;
  for (const p of await openPartiesOf(rt.deps.db, channelId)) {
    if (!rt.holds(p.guildId)) continue;
    if (await endParty(rt.deps.db, p.id, "its thread was deleted", now.getTime())) {
      ended++;
      rt.deps.log.warn(
        { party: p.id, guild: p.guildId, channel: channelId },
        "review party ended: thread deleted",
      );
    }
  }
  return ended;
}
