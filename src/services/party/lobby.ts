/** Opening a party (`/party start`), its lobby's Join and Start, and `/party stop`. */
import { UserError } from "../../core/errors.ts";
import { PARTY_LIMITS } from "../../core/party-rules.ts";
import type { PartyMode } from "../../core/party-scoring.ts";
import { pickQuestion, seededRandom } from "../../core/quiz.ts";
import type { Db } from "../../db/client.ts";
import {
  createParty,
  endParty,
  joinParty,
  openPartiesOf,
  type Party,
  partyById,
  setPartyMessages,
} from "../../db/parties.ts";
import { activeCards, type ServerDeck, serverDecks } from "../../db/quiz-questions.ts";
import { finishParty, openNextRound } from "./game.ts";
import type { PartyRuntime } from "./runtime.ts";
import { asFailure } from "./transport.ts";
import { type LobbyView, lobbyView } from "./views.ts";

export interface StartInput {
  guildId: string;
  /** Where `/party start` ran: a text channel (the party gets a thread of its own) or a thread (it plays there). */
  channelId: string;
  inThread: boolean;
  hostId: string;
  deckId: string;
  cards: number | null;
  seconds: number | null;
  mode: PartyMode | null;
}

function inRange(
  name: string,
  value: number | null,
  r: { min: number; max: number; default: number },
): number {
  const v = value ?? r.default;
  if (!Number.isInteger(v) || v < r.min || v > r.max)
    throw new UserError(`\`${name}\` must be a whole number from ${r.min} to ${r.max}. Nothing was started.`);
  return v;
}

/** A thread's name: Discord allows 1–100 characters. */
const threadName = (deck: string) => `Review party · ${deck}`.slice(0, 100);

/**
 * Opens a party's lobby on one of the server's decks (shipped or imported for the server: a personal deck stays
 * private), in a new public thread of the channel or in the thread it ran in. One party per channel at a time.
 */
export async function startParty(
  rt: PartyRuntime,
  s: StartInput,
): Promise<{ party: Party; threadId: string }> {
  const { db, clock } = rt.deps;
  const cards = inRange("cards", s.cards, PARTY_LIMITS.cards);
  const seconds = inRange("seconds", s.seconds, PARTY_LIMITS.seconds);
  const deck = (await serverDecks(db, s.guildId)).find((d) => d.id === s.deckId);
  if (!deck)
    throw new UserError(
      `There is no server deck \`${s.deckId}\` here: pick one from the list (a personal deck stays private, so it cannot be played in a party).`,
    );
  const active = await activeCards(db, deck.id);
  if (!pickQuestion(active, seededRandom(deck.id)))
    throw new UserError(
      `*${deck.name}* cannot make a question: a party needs a deck with at least 4 cards with different answers.`,
    );
  const [going] = await openPartiesOf(db, s.channelId);
  if (going)
    throw new UserError(
      `A review party is already going here${going.threadId ? ` in <#${going.threadId}>` : ""}: join it, or \`/party stop\` it first.`,
    );
  const now = clock.now().getTime();
  const party = await createParty(
    db,
    {
      guildId: s.guildId,
      channelId: s.channelId,
      threadId: s.inThread ? s.channelId : null,
      hostId: s.hostId,
      deckId: deck.id,
      mode: s.mode ?? "race",
      cards: Math.min(cards, active.size),
      seconds,
      startableAt: now + PARTY_LIMITS.lobbyCountdownMs,
      expiresAt: now + PARTY_LIMITS.lobbyTtlMs,
    },
    now,
  );
  if (!party) throw new UserError("A review party was just started here: join that one.");
  try {
    const threadId = s.inThread
      ? s.channelId
      : await rt.transport.startThread(s.channelId, threadName(deck.name));
    await setPartyMessages(db, party.id, { threadId });
    const withThread = { ...party, threadId };
    const lobbyMessageId = await rt.transport.send(threadId, {
      kind: "lobby",
      view: await lobbyView(db, withThread),
    });
    await setPartyMessages(db, party.id, { lobbyMessageId });
    rt.wakeAt(now + PARTY_LIMITS.lobbyTtlMs);
    return { party: { ...withThread, lobbyMessageId }, threadId };
  } catch (err) {
    // Nothing to play in: the party ends at once, and the host is told why.
    await endParty(db, party.id, asFailure(err).reason, now);
    throw new UserError(`I couldn't open the party: ${asFailure(err).reason}. Nothing was started.`);
  }
}

/** Why a Join changed nothing (render/party-view's renderJoinNote words it for the member). */
export type JoinNote = "over" | "started" | "already";

/** The lobby's Join: the lobby's new view, or a note for the member when nothing changed. */
export async function joinLobby(
  rt: PartyRuntime,
  partyId: number,
  userId: string,
): Promise<{ view: LobbyView | null; note: JoinNote | null }> {
  const { db, clock } = rt.deps;
  const r = await joinParty(db, partyId, userId, clock.now().getTime());
  const party = await partyById(db, partyId);
  if (!party || r === "over") return { view: party ? await lobbyView(db, party) : null, note: "over" };
  if (r === "started") return { view: null, note: "started" };
  if (r === "already") return { view: null, note: "already" };
  return { view: await lobbyView(db, party), note: null };
}

/** The lobby's Start: the host at any time, anyone who joined once the countdown is over. */
export async function beginParty(rt: PartyRuntime, partyId: number, userId: string): Promise<LobbyView> {
  const { db, clock } = rt.deps;
  const party = await partyById(db, partyId);
  if (!party || party.status === "done") throw new UserError("This party is over.");
  if (party.status === "running") throw new UserError("The party is under way already.");
  const now = clock.now();
  if (userId !== party.hostId) {
    if (now.getTime() < party.startableAt)
      throw new UserError(
        `Only the host can start the party until <t:${Math.floor(party.startableAt / 1000)}:R>; then anyone who joined can.`,
      );
    // Whoever starts it plays in it.
    await joinParty(db, partyId, userId, now.getTime());
  }
  await openNextRound(rt, party, now);
  const after = (await partyById(db, partyId)) ?? party;
  return lobbyView(db, after);
}

/** `/party stop` in the party's thread or its channel: for the host and for Manage Server. */
export async function stopParty(
  rt: PartyRuntime,
  s: { channelId: string; userId: string; canManage: boolean },
): Promise<{ party: Party; podium: boolean }> {
  const { db, clock } = rt.deps;
  const [party] = await openPartiesOf(db, s.channelId);
  if (!party) throw new UserError("There is no review party going here.");
  if (party.hostId !== s.userId && !s.canManage)
    throw new UserError("Only the party's host, or someone with Manage Server, can stop it.");
  const ended = await finishParty(rt, party, "stopped", clock.now());
  return { party, podium: ended.podium };
}

/** The server's decks whose name or id contains `query` (case-insensitive), for `/party start deck:`. */
export async function partyDeckChoices(db: Db, guildId: string, query: string): Promise<ServerDeck[]> {
  const q = query.trim().toLowerCase();
  return (await serverDecks(db, guildId))
    .filter((d) => q === "" || d.name.toLowerCase().includes(q) || d.id.toLowerCase().includes(q))
    .slice(0, 25); // Discord shows at most 25 choices
}
