/**
 * The daily quiz: configuration, the scheduler's `tick`, posting (prepare → claim → send → record), and answers.
 * Sending goes through an injected `QuizTransport` (discord.js in production, a fake in unit tests), so this
 * file knows nothing of Discord payloads.
 *
 * The write lock is only ever held for point reads and writes: a post's content (due summary, question) is read
 * before its claim, outside any transaction, and the claim's IMMEDIATE transaction re-checks the day's row and
 * writes it (the UNIQUE (guild, date) row still makes at most one post per server and local date).
 */
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { b36 } from "../core/custom-id.ts";
import { UserError } from "../core/errors.ts";
import {
  dateKey,
  decideDue,
  formatTimeOfDay,
  localDateOf,
  parseTimeOfDay,
  pickQuestion,
  planNextRun,
  type Question,
  quizSeed,
  randomOrder,
  retryDelayMs,
  runAfter,
  seededRandom,
  type TimeOfDay,
} from "../core/quiz.ts";
import { Rating } from "../core/scheduling.ts";
import { canonicalTimeZone } from "../core/time.ts";
import { tx } from "../db/client.ts";
import { studiesDeckHere } from "../db/decks.ts";
import { awardQuizPoints } from "../db/review-stats.ts";
import { quizAnswers, quizConfigs, quizPosts } from "../db/schema.ts";
import type { Deps } from "./deps.ts";
import {
  activeCards,
  type DeckCards,
  type DueSummary,
  deckName,
  dueGuilds,
  dueStatesUpTo,
  dueUpTo,
  getAnswer,
  getConfig,
  getPost,
  getPostById,
  hasDue,
  insertClaim,
  lastPost,
  openPosts,
  type QuestionFields,
  type QuizConfigRow,
  type QuizPostRow,
  recentQuestionCards,
  type ServerDeck,
  type StudyDecks,
  serverDecks,
  serverMembers,
  setClosed,
  setFailed,
  setGuildTimezone,
  setNextRun,
  setPosted,
  studiedDecks,
  studyDecks,
  takeOverClaim,
  tally,
} from "./quiz-queries.ts";
import { recordReview } from "./study.ts";

/** A claim older than this whose outcome was never recorded (process died mid-send) may be taken over. */
export const CLAIM_LEASE_MS = 10 * 60_000;
/** Servers posted in parallel per tick; sends also queue in discord.js's REST manager. */
export const TICK_CONCURRENCY = 4;
/**
 * Servers a tick worker claims in one transaction and records in another (`tickBatch`). Bounds how long those
 * transactions hold the write lock (a server's claim or record is ~50 µs).
 */
export const TICK_BATCH = 8;
/** Discord's allowed_mentions.users takes at most 100 ids; the mention line must fit in 2000 characters. */
export const MAX_PINGS = 80;
/**
 * The due summary counts a server's due cards up to this many and then stops counting (the post says
 * "10,000+"): past it, each further member costs one existence check instead of a walk over all their due
 * cards, so a big server's summary stays bounded however large its backlog.
 */
export const DUE_CARDS_CAP = 10_000;
/**
 * Pings go to the opted-in members with the most cards due first, counted up to this many each (a ranking only:
 * where the exact count is not already known, it counts due states with retired cards' included).
 */
export const PING_RANK_CAP = 100;
/** The due summary yields to the event loop after this much work (ms), so a big server never stalls the bot. */
const SLICE_MS = 8;

// ── The view a post is rendered from ────────────────────────────────────────────────────────────────

export interface PostView {
  postId: number;
  date: string;
  dueMembers: number;
  /** Cards due; with `dueCardsCapped`, at least this many (counting stopped at DUE_CARDS_CAP). */
  dueCards: number;
  dueCardsCapped: boolean;
  /** Members pinged in the mention line (opted in, with cards due), and how many more were left out. */
  pinged: string[];
  pingedMore: number;
  question: { deckName: string; front: string; choices: string[]; correctIndex: number } | null;
  answered: number;
  correct: number;
  /** The next day's post went out: show the answer, disable the buttons. */
  closed: boolean;
}

/** `counts` when the tally is known without reading it (a post never sent has no answers). */
export function postView(
  deps: Pick<Deps, "db">,
  p: QuizPostRow,
  counts?: { answered: number; correct: number },
): PostView {
  const t = counts ?? tally(deps.db, p.id);
  const q =
    p.front !== null && p.choices && p.correctIndex !== null
      ? {
          deckName: p.deckName ?? p.deckId ?? "",
          front: p.front,
          choices: p.choices.map((c) => c.text),
          correctIndex: p.correctIndex,
        }
      : null;
  return {
    postId: p.id,
    date: p.localDate,
    dueMembers: p.dueMembers,
    dueCards: Math.min(p.dueCards, DUE_CARDS_CAP),
    dueCardsCapped: p.dueCards >= DUE_CARDS_CAP,
    pinged: p.pinged,
    pingedMore: p.pingedMore,
    question: q,
    answered: t.answered,
    correct: t.correct,
    closed: p.closedAt !== null,
  };
}

// ── Transport ───────────────────────────────────────────────────────────────────────────────────────

/** A send that Discord refused or that could not be made; `reason` is what `/quiz status` shows. */
export class SendFailure extends Error {
  override name = "SendFailure";
  constructor(
    readonly reason: string,
    readonly code: number | null = null,
  ) {
    super(reason);
  }
}

export interface QuizTransport {
  /** Posts a day's quiz; resolves with the message id. `nonce` is the same for every attempt of one post. */
  post(channelId: string, view: PostView, nonce: string): Promise<string>;
  /** Re-renders a post already sent (tally, or closed with its answer). */
  edit(channelId: string, messageId: string, view: PostView): Promise<void>;
  /** After an interrupted send: the id of a message of ours in the channel that already carries this post. */
  findPosted(channelId: string, postId: number): Promise<string | null>;
}

export const postNonce = (postId: number) => `quiz${b36(postId)}`;

// ── Configuration ───────────────────────────────────────────────────────────────────────────────────

export interface SetupInput {
  channelId: string;
  time: string;
  timezone: string;
}

/** Checks time and zone; throws a UserError naming the problem. Nothing is written. */
export function validateSetup(input: { time: string; timezone: string }): { time: TimeOfDay; zone: string } {
  const time = parseTimeOfDay(input.time);
  if (!time)
    throw new UserError(
      `\`${input.time.slice(0, 20)}\` is not a time of day. Use 24-hour \`HH:MM\`, e.g. \`09:00\` or \`18:30\`.`,
    );
  const zone = canonicalTimeZone(input.timezone);
  if (zone === null)
    throw new UserError(
      `\`${input.timezone.trim().slice(0, 64)}\` is not a timezone I know. Pick one from the list, e.g. \`Europe/Berlin\`.`,
    );
  return { time, zone };
}

function postedOn(deps: Deps, guildId: string, date: string): boolean {
  const p = getPost(deps.db, guildId, date);
  return p?.status === "posted" || p?.status === "claimed";
}

/** Creates or replaces the server's quiz settings and its study-day timezone, in one transaction. */
export function setupQuiz(deps: Deps, guildId: string, input: SetupInput): QuizConfigRow {
  const { time, zone } = validateSetup(input);
  const now = deps.clock.now();
  return tx(deps.db, () => {
    const today = dateKey(localDateOf(now.getTime(), zone));
    const next = planNextRun(now.getTime(), time, zone, postedOn(deps, guildId, today));
    const row = {
      guildId,
      channelId: input.channelId,
      time: formatTimeOfDay(time),
      timezone: zone,
      paused: getConfig(deps.db, guildId)?.paused ?? false,
      nextDate: next.date,
      nextRunAt: next.at,
      updatedAt: now,
    };
    deps.db
      .insert(quizConfigs)
      .values(row)
      .onConflictDoUpdate({ target: quizConfigs.guildId, set: row })
      .run();
    setGuildTimezone(deps.db, guildId, zone, now);
    return row;
  });
}

function requireConfig(deps: Deps, guildId: string): QuizConfigRow {
  const cfg = getConfig(deps.db, guildId);
  if (!cfg) throw new UserError("The daily quiz is not set up here yet. An admin can run `/quiz setup`.");
  return cfg;
}

export function pauseQuiz(deps: Deps, guildId: string): { changed: boolean } {
  return tx(deps.db, () => {
    const cfg = requireConfig(deps, guildId);
    if (cfg.paused) return { changed: false };
    deps.db
      .update(quizConfigs)
      .set({ paused: true, updatedAt: deps.clock.now() })
      .where(eq(quizConfigs.guildId, guildId))
      .run();
    return { changed: true };
  });
}

/** Resumes from now: today's quiz if its time is still ahead (and not posted), otherwise tomorrow's. */
export function resumeQuiz(
  deps: Deps,
  guildId: string,
): { changed: boolean; next: { date: string; at: number } } {
  return tx(deps.db, () => {
    const cfg = requireConfig(deps, guildId);
    if (!cfg.paused) return { changed: false, next: { date: cfg.nextDate, at: cfg.nextRunAt } };
    const now = deps.clock.now();
    const time = parseTimeOfDay(cfg.time) ?? { hour: 9, minute: 0 };
    const today = dateKey(localDateOf(now.getTime(), cfg.timezone));
    const next = planNextRun(now.getTime(), time, cfg.timezone, postedOn(deps, guildId, today));
    deps.db
      .update(quizConfigs)
      .set({ paused: false, nextDate: next.date, nextRunAt: next.at, updatedAt: now })
      .where(eq(quizConfigs.guildId, guildId))
      .run();
    return { changed: true, next };
  });
}

export interface QuizStatus {
  config: QuizConfigRow | undefined;
  last: (QuizPostRow & { answered: number; correct: number }) | undefined;
}

export function quizStatus(deps: Deps, guildId: string): QuizStatus {
  const config = getConfig(deps.db, guildId);
  const last = lastPost(deps.db, guildId);
  return { config, last: last ? { ...last, ...tally(deps.db, last.id) } : undefined };
}

// ── Claiming a day ──────────────────────────────────────────────────────────────────────────────────

interface Claimed {
  kind: "claimed";
  post: QuizPostRow;
  token: string;
  /** A previous claim died mid-send: the message may exist already. */
  uncertain: boolean;
  /** The row was inserted by this claim: nothing was ever sent for it, so it has no answers yet. */
  fresh: boolean;
}
type ClaimResult = Claimed | { kind: "posted"; post: QuizPostRow } | { kind: "busy" | "skipped" };

/**
 * The question of the day for a server: deterministic for (server, date) given the decks' content. Decks the
 * members study come first, then the server's other decks, each in a random order; the first deck that can make a
 * question gives it (most often the first one tried, so only that deck is read). A tick passes its memo and the
 * studied decks its due summary already found (`studied`, ids in id order).
 */
export function chooseQuestion(
  deps: Pick<Deps, "db">,
  guildId: string,
  date: string,
  memo?: TickMemo,
  studied?: readonly string[],
): (Question & { deckId: string; deckName: string }) | null {
  const { db } = deps;
  const rng = seededRandom(quizSeed(guildId, date));
  const recent = recentQuestionCards(db, guildId);
  const fromDecks = (decks: readonly { id: string; name?: string }[]) => {
    for (const k of randomOrder(decks.length, rng)) {
      const deck = decks[k] as { id: string; name?: string };
      const q = pickQuestion(activeCards(db, deck.id, memo?.cards), rng, recent);
      if (q) return { ...q, deckId: deck.id, deckName: deck.name ?? deckName(db, deck.id) };
    }
    return null;
  };
  const first = studied?.map((id) => ({ id })) ?? studiedDecks(db, guildId);
  const ids = new Set(first.map((d) => d.id));
  return fromDecks(first) ?? fromDecks(serverDecks(db, guildId, memo).filter((d) => !ids.has(d.id)));
}

const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * What a tick reads once and reuses across its servers; made per tick (one `now`) and dropped after it, so what it
 * holds is as of the tick, like the rest of a post.
 */
export interface TickMemo {
  /**
   * Exact due counts by member and the decks they study in the server (`studyDecks` key): a member sees the same
   * decks in most of their servers (the shipped ones), so their other servers reuse the count.
   */
  due: Map<string, number>;
  /** A member's `studyDecks` when the same in every server (no server import among them): one read per member. */
  decks: Map<string, StudyDecks>;
  /** Active cards' ids and answers by deck (quiz-queries.ts `activeCards`): one read per deck, not per server. */
  cards: Map<string, DeckCards>;
  /** The shipped decks (quiz-queries.ts `serverDecks`), read when a server first needs them. */
  fileDecks?: ServerDeck[];
}

export const tickMemo = (): TickMemo => ({ due: new Map(), decks: new Map(), cards: new Map() });

function memberDecks(db: Deps["db"], guildId: string, userId: string, memo: TickMemo): StudyDecks {
  const known = memo.decks.get(userId);
  if (known) return known;
  const decks = studyDecks(db, guildId, userId);
  if (!decks.local) memo.decks.set(userId, decks);
  return decks;
}

/**
 * The post's due summary at `now`: members of the server (quiz-queries.ts `serverMembers`) with at least one card
 * due as `/study` here would count it, their due cards in total, and the opted-in ones to ping (most cards due
 * first, counted up to PING_RANK_CAP, then by user id; at most MAX_PINGS). Reads only, member by member on the
 * card_states indexes, outside any transaction: the claim's transaction only writes the result. Cards are
 * counted up to DUE_CARDS_CAP in all; past it, a member only needs an existence check.
 */
export async function dueSummary(
  deps: Pick<Deps, "db">,
  guildId: string,
  now: number,
  caps: { cards: number; rank: number } = { cards: DUE_CARDS_CAP, rank: PING_RANK_CAP },
  memo?: TickMemo,
): Promise<DueSummary> {
  return (await summarize(deps, guildId, now, caps, memo)).summary;
}

/**
 * `dueSummary`, and with a memo, the server's decks its members study (ids in id order) when every member's decks
 * were read on the way (not past the cards cap), or null.
 */
function summarize(
  deps: Pick<Deps, "db">,
  guildId: string,
  now: number,
  caps: { cards: number; rank: number },
  memo?: TickMemo,
): Promise<Summarized> {
  return runReads(deps.db, summaryReads(deps, guildId, now, caps, memo));
}

type Summarized = { summary: DueSummary; studied: string[] | null };

/**
 * Runs `work` (reads only), each stretch between its yields in one read transaction: one snapshot and one file
 * lock for the stretch instead of one per statement (~3 µs each). Yields to the event loop in between once a slice
 * of time has gone, never inside a transaction (another task's writes would land in it).
 */
async function runReads<T>(db: Deps["db"], work: Generator<void, T, void>): Promise<T> {
  const read = db.$client.transaction(() => work.next());
  let slice = performance.now();
  for (;;) {
    const step = db.$client.inTransaction ? work.next() : read.deferred();
    if (step.done) return step.value;
    if (performance.now() - slice < SLICE_MS) continue;
    await breathe();
    slice = performance.now();
  }
}

/** `summarize`'s reads, member by member; yields after every 64 members (`runReads` may breathe there). */
function* summaryReads(
  deps: Pick<Deps, "db">,
  guildId: string,
  now: number,
  caps: { cards: number; rank: number },
  memo?: TickMemo,
): Generator<void, Summarized, void> {
  const { db } = deps;
  let dueMembers = 0;
  let dueCards = 0;
  /** Opted-in members with cards due, and their rank count when already known. */
  const opted: { userId: string; rank: number | null }[] = [];
  const members = serverMembers(db, guildId);
  /** The members' server decks (JSON arrays), while every member's are known. */
  let studied: Set<string> | null = memo ? new Set() : null;
  for (const [i, m] of members.entries()) {
    let rank: number | null = null;
    let due: boolean;
    const budget = caps.cards - dueCards;
    if (budget > 0) {
      const decks = memo && memberDecks(db, guildId, m.userId, memo);
      const key = decks && `${m.userId} ${decks.key}`;
      const known = key === undefined ? undefined : memo?.due.get(key);
      let n: number;
      if (known !== undefined) n = Math.min(known, budget);
      else {
        n = dueUpTo(db, guildId, m.userId, now, budget);
        if (key !== undefined && n < budget) memo?.due.set(key, n); // below the budget: exact
      }
      if (decks) studied?.add(decks.server);
      dueCards += n;
      due = n > 0;
      // Exact below the budget; at the budget, known to be at least n.
      if (n < budget || n >= caps.rank) rank = Math.min(n, caps.rank);
    } else {
      // Past the cap a member only needs "any due": a count this tick already made answers that, and ranks them.
      const decks = memo?.decks.get(m.userId);
      const known = decks && memo?.due.get(`${m.userId} ${decks.key}`);
      if (decks && known !== undefined) {
        due = known > 0;
        rank = Math.min(known, caps.rank);
        studied?.add(decks.server);
      } else {
        due = hasDue(db, guildId, m.userId, now);
        studied = null;
      }
    }
    if (due) {
      dueMembers++;
      if (m.reminders) opted.push({ userId: m.userId, rank });
    }
    if (i % 64 === 63) yield;
  }
  for (const [i, o] of opted.entries()) {
    o.rank ??= dueStatesUpTo(db, guildId, o.userId, now, caps.rank);
    if (i % 64 === 63) yield;
  }
  // Members come in user id order and the sort is stable: ties stay in user id order.
  opted.sort((a, b) => (b.rank ?? 0) - (a.rank ?? 0));
  const summary = {
    dueMembers,
    dueCards,
    pinged: opted.slice(0, MAX_PINGS).map((o) => o.userId),
    pingedMore: Math.max(0, opted.length - MAX_PINGS),
  };
  const union = studied && [...new Set([...studied].flatMap((j) => JSON.parse(j) as string[]))];
  return { summary, studied: union?.sort() ?? null };
}

/**
 * What a claim writes besides its status, read and rendered before its transaction: the due summary, and for a
 * day's first claim the question (a takeover keeps the question already stored and refreshes the summary).
 */
interface Content {
  date: string;
  summary: DueSummary;
  question: QuestionFields | null;
}

function prepareContent(
  deps: Pick<Deps, "db">,
  guildId: string,
  date: string,
  now: number,
  withQuestion: boolean,
  memo?: TickMemo,
): Promise<Content> {
  return runReads(deps.db, contentReads(deps, guildId, date, now, withQuestion, memo));
}

/** The content's reads: the summary, then the question (a small server's all in one read transaction). */
function* contentReads(
  deps: Pick<Deps, "db">,
  guildId: string,
  date: string,
  now: number,
  withQuestion: boolean,
  memo?: TickMemo,
): Generator<void, Content, void> {
  const caps = { cards: DUE_CARDS_CAP, rank: PING_RANK_CAP };
  const { summary, studied } = yield* summaryReads(deps, guildId, now, caps, memo);
  if (!withQuestion) return { date, summary, question: null };
  const q = chooseQuestion(deps, guildId, date, memo, studied ?? undefined);
  return {
    date,
    summary,
    question: {
      cardId: q?.cardId ?? null,
      deckId: q?.deckId ?? null,
      deckName: q?.deckName ?? null,
      front: q?.front ?? null,
      choices: q?.choices ?? null,
      correctIndex: q?.correctIndex ?? null,
    },
  };
}

/** The claim needs content prepared for `date` (and a question when `question`): prepare it, then try again. */
type Prepare = { kind: "prepare"; date: string; question: boolean };

/**
 * Claims (guild, date) for this process. Must run inside an IMMEDIATE transaction; it only reads and writes the
 * day's row: the content comes prepared (`prepare` when it is missing or for another date).
 */
function claimDay(
  deps: Deps,
  cfg: QuizConfigRow,
  date: string,
  now: number,
  content: Content | null,
): ClaimResult | Prepare {
  const token = randomUUID();
  const claim = { channelId: cfg.channelId, claimToken: token, claimedAt: now };
  const insert = (c: Content) =>
    insertClaim(
      deps.db,
      { guildId: cfg.guildId, localDate: date, ...claim },
      c.summary,
      c.question as QuestionFields,
    );
  // The usual case, a day's first claim with its content ready: insert at once (the UNIQUE (guild, date) row makes
  // it a no-op when the day has a row), and read the day's row only then.
  if (content?.date === date && content.question) {
    const post = insert(content);
    if (post) return { kind: "claimed", post, token, uncertain: false, fresh: true };
  }
  const existing = getPost(deps.db, cfg.guildId, date);
  if (existing?.status === "posted") return { kind: "posted", post: existing };
  if (existing?.status === "skipped") return { kind: "skipped" };
  if (existing?.status === "claimed" && existing.claimedAt > now - CLAIM_LEASE_MS) return { kind: "busy" };
  if (!content || content.date !== date || (!existing && !content.question))
    return { kind: "prepare", date, question: !existing };
  if (!existing) {
    const post = insert(content);
    return post ? { kind: "claimed", post, token, uncertain: false, fresh: true } : { kind: "busy" };
  }
  // A failed send, or a claim whose process died: take it over (status and token guard the update).
  const post = takeOverClaim(deps.db, existing, claim, content.summary);
  return post
    ? { kind: "claimed", post, token, uncertain: existing.status === "claimed", fresh: false }
    : { kind: "busy" };
}

/**
 * What a claim of (guild, date) will need, read without a transaction: the content to prepare, or null when
 * there will be nothing to claim (posted, skipped, another process's claim in its lease).
 */
function contentNeeded(deps: Deps, guildId: string, date: string, now: number): Prepare | null {
  const existing = getPost(deps.db, guildId, date);
  if (existing?.status === "posted" || existing?.status === "skipped") return null;
  if (existing?.status === "claimed" && existing.claimedAt > now - CLAIM_LEASE_MS) return null;
  return { kind: "prepare", date, question: !existing };
}

/**
 * Prepares the content `first` says a claim will need, outside any transaction, then runs `attempt` (which
 * claims in an IMMEDIATE transaction) until it no longer asks for content. Asking again only happens when the
 * schedule or the day's row changed in between (a concurrent /quiz setup, another process); after three
 * attempts it gives up for this tick.
 */
async function withContent<T extends { kind: string }>(
  deps: Deps,
  guildId: string,
  now: number,
  first: Prepare | null,
  attempt: (content: Content | null) => T | Prepare,
  memo?: TickMemo,
): Promise<T | { kind: "busy" }> {
  let content = first && (await prepareContent(deps, guildId, first.date, now, first.question, memo));
  for (let n = 0; n < 3; n++) {
    const r = attempt(content);
    if (r.kind !== "prepare") return r as T;
    const p = r as Prepare;
    content = await prepareContent(deps, guildId, p.date, now, p.question, memo);
  }
  return { kind: "busy" };
}

function markSkipped(deps: Deps, cfg: QuizConfigRow, date: string, now: number): void {
  deps.db
    .insert(quizPosts)
    .values({
      guildId: cfg.guildId,
      localDate: date,
      channelId: cfg.channelId,
      status: "skipped",
      claimedAt: now,
      reason: "the bot was offline at quiz time",
    })
    .onConflictDoNothing()
    .run();
}

function setNext(deps: Deps, guildId: string, next: { date: string; at: number }): void {
  setNextRun(deps.db, guildId, next);
}

// ── Recording the outcome ───────────────────────────────────────────────────────────────────────────

/** Records an accepted post (final), closes the server's earlier open posts, schedules the next day. */
function markPosted(deps: Deps, post: QuizPostRow, messageId: string, now: number): QuizPostRow[] {
  return tx(deps.db, () => {
    setPosted(deps.db, post.id, messageId, now);
    const toClose = openPosts(deps.db, post.guildId, post.id).filter((p) => p.localDate < post.localDate);
    for (const p of toClose) setClosed(deps.db, p.id, now);
    const cfg = getConfig(deps.db, post.guildId);
    if (cfg && cfg.nextDate <= post.localDate) {
      const time = parseTimeOfDay(cfg.time);
      if (time) setNext(deps, cfg.guildId, runAfter(post.localDate, time, cfg.timezone));
    }
    return toClose.map((p) => ({ ...p, closedAt: now }));
  });
}

/** Records a failed send (only for the claim this process holds) and schedules a retry the same day. */
function markFailed(deps: Deps, claimed: Claimed, failure: SendFailure, now: number): void {
  tx(deps.db, () => {
    const held = setFailed(deps.db, claimed.post.id, claimed.token, failure);
    const cfg = getConfig(deps.db, claimed.post.guildId);
    if (held && cfg && cfg.nextDate === claimed.post.localDate)
      setNext(deps, cfg.guildId, { date: cfg.nextDate, at: now + retryDelayMs(claimed.post.attempts) });
  });
}

function asFailure(err: unknown): SendFailure {
  if (err instanceof SendFailure) return err;
  return new SendFailure(`could not send: ${err instanceof Error ? err.message : String(err)}`.slice(0, 300));
}

export type DeliverResult =
  | { kind: "posted"; post: QuizPostRow; messageId: string }
  | { kind: "failed"; post: QuizPostRow; reason: string };

/** A send's outcome: the message id, or why it failed. */
type Sent = { messageId: string } | { failure: SendFailure };

const postLog = (deps: Deps, c: Claimed) =>
  deps.log.child({ guild: c.post.guildId, date: c.post.localDate, post: c.post.id });

/** Sends a claimed post (or adopts the message an interrupted send left). Writes nothing. */
async function send(deps: Deps, transport: QuizTransport, c: Claimed): Promise<Sent> {
  if (c.uncertain) {
    // The previous claimant died mid-send: if Discord accepted that message, adopt it instead of doubling.
    const found = await transport.findPosted(c.post.channelId, c.post.id).catch((err) => {
      postLog(deps, c).warn({ err }, "could not look for an interrupted quiz post; sending (nonce-guarded)");
      return null;
    });
    if (found !== null) return { messageId: found };
  }
  try {
    const view = postView(deps, c.post, c.fresh ? { answered: 0, correct: 0 } : undefined);
    return { messageId: await transport.post(c.post.channelId, view, postNonce(c.post.id)) };
  } catch (err) {
    const failure = asFailure(err);
    postLog(deps, c).warn(
      { reason: failure.reason, code: failure.code, channel: c.post.channelId },
      "quiz post failed",
    );
    return { failure };
  }
}

/** Records a send's outcome (a transaction of its own, or a savepoint in the caller's); the posts it closed. */
function record(deps: Deps, c: Claimed, sent: Sent, now: number): QuizPostRow[] {
  if ("failure" in sent) {
    markFailed(deps, c, sent.failure, now);
    return [];
  }
  return markPosted(deps, c.post, sent.messageId, now);
}

/** After the outcome is recorded: the answer shown on the earlier posts it closed, and the result. */
async function finish(
  deps: Deps,
  transport: QuizTransport,
  c: Claimed,
  sent: Sent,
  closed: QuizPostRow[],
  now: number,
): Promise<DeliverResult> {
  if ("failure" in sent) return { kind: "failed", post: c.post, reason: sent.failure.reason };
  const { messageId } = sent;
  for (const old of closed) {
    if (!old.messageId) continue;
    await transport.edit(old.channelId, old.messageId, postView(deps, old)).catch((err) => {
      postLog(deps, c).warn({ err, closing: old.id }, "could not show the answer on an earlier quiz post");
    });
  }
  // The row as markPosted wrote it (setPosted's columns), without reading it back.
  const post: QuizPostRow = {
    ...c.post,
    status: "posted",
    messageId,
    postedAt: now,
    reason: null,
    errorCode: null,
  };
  // The child logger's fields, without making one per post (the tick logs this line for every server).
  deps.log.info(
    { guild: c.post.guildId, date: c.post.localDate, post: c.post.id, message: messageId },
    "quiz posted",
  );
  return { kind: "posted", post, messageId };
}

/** Sends a claimed post, records the outcome, then shows the answer on the earlier posts it closed. */
async function deliver(
  deps: Deps,
  transport: QuizTransport,
  c: Claimed,
  now: number,
): Promise<DeliverResult> {
  const sent = await send(deps, transport, c);
  return finish(deps, transport, c, sent, record(deps, c, sent, now), now);
}

// ── The scheduler's tick ────────────────────────────────────────────────────────────────────────────

export interface TickReport {
  posted: string[];
  failed: { guildId: string; reason: string }[];
  skipped: { guildId: string; date: string }[];
}

type GuildStep = { kind: "wait" } | { kind: "skip"; date: string } | ClaimResult;

/** Decides (catch-up rules) and claims, in one IMMEDIATE transaction, with the content prepared before it. */
function stepGuild(
  deps: Deps,
  guildId: string,
  now: number,
  content: Content | null,
): (GuildStep & { missed?: string | null }) | Prepare {
  return tx(deps.db, () => {
    const cfg = getConfig(deps.db, guildId);
    if (!cfg || cfg.paused || cfg.nextRunAt > now) return { kind: "wait" };
    const time = parseTimeOfDay(cfg.time);
    if (!time) return { kind: "wait" };
    const d = decideDue(now, cfg, time, cfg.timezone);
    if (d.kind === "wait") return d;
    if (d.kind === "skip") {
      markSkipped(deps, cfg, d.missed, now);
      setNext(deps, guildId, d.next);
      return { kind: "skip", date: d.missed };
    }
    const claim = claimDay(deps, cfg, d.date, now, content);
    if (claim.kind === "prepare") return claim; // nothing written: the content is prepared outside
    if (d.missed) markSkipped(deps, cfg, d.missed, now);
    if (claim.kind === "posted" || claim.kind === "skipped")
      // Someone else finished this day (or it was skipped): move the schedule on.
      setNext(deps, guildId, runAfter(d.date, time, cfg.timezone));
    return { ...claim, missed: d.missed };
  });
}

/**
 * The date the guild's claim would be for at `now` and what it needs, read without a transaction. `assumeNew`
 * skips reading the day's row and assumes there is none yet (a due server's usual case): the claim then reads it
 * only if it exists, and asks again for content when that guess was wrong.
 */
function peekGuild(deps: Deps, guildId: string, now: number, assumeNew = false): Prepare | null {
  const cfg = getConfig(deps.db, guildId);
  const time = cfg && !cfg.paused && cfg.nextRunAt <= now ? parseTimeOfDay(cfg.time) : null;
  if (!cfg || !time) return null;
  const d = decideDue(now, cfg, time, cfg.timezone);
  if (d.kind !== "post") return null;
  return assumeNew
    ? { kind: "prepare", date: d.date, question: true }
    : contentNeeded(deps, guildId, d.date, now);
}

async function tickGuild(
  deps: Deps,
  transport: QuizTransport,
  guildId: string,
  now: number,
  r: TickReport,
  memo: TickMemo,
) {
  const step: GuildStep & { missed?: string | null } = await withContent(
    deps,
    guildId,
    now,
    peekGuild(deps, guildId, now),
    (content) => stepGuild(deps, guildId, now, content),
    memo,
  );
  if (step.missed) r.skipped.push({ guildId, date: step.missed });
  if (step.kind === "skip") r.skipped.push({ guildId, date: step.date });
  if (step.kind !== "claimed") return;
  const res = await deliver(deps, transport, step, now);
  if (res.kind === "posted") r.posted.push(guildId);
  else r.failed.push({ guildId, reason: res.reason });
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * `each` for every item in one IMMEDIATE transaction, each in a savepoint of its own (the writes below use `tx`,
 * which nests): an item's error undoes only its own writes. If that transaction cannot run at all, item by item.
 */
function txEach<I, T>(deps: Deps, items: readonly I[], each: (item: I) => T): Outcome<T>[] {
  const one = (item: I): Outcome<T> => {
    try {
      return { ok: true, value: each(item) };
    } catch (error) {
      return { ok: false, error };
    }
  };
  if (items.length === 0) return [];
  try {
    return tx(deps.db, () => items.map(one));
  } catch {
    return items.map(one);
  }
}

function tickFailed(deps: Deps, r: TickReport, guildId: string, err: unknown): void {
  deps.log.error({ err, guild: guildId }, "quiz tick failed for a server");
  r.failed.push({ guildId, reason: err instanceof Error ? err.message : String(err) });
}

/**
 * A few servers at once: their content read first (no transaction), then claimed in one transaction, sent one
 * by one, and their outcomes recorded in one transaction. Two commits per batch instead of two per server: each
 * commit costs its WAL writes (and their checkpoint later) for pages that consecutive servers share. A server
 * whose day changed under the claim (`prepare` again) takes the one-server path afterwards.
 */
async function tickBatch(
  deps: Deps,
  transport: QuizTransport,
  guildIds: readonly string[],
  now: number,
  r: TickReport,
  memo: TickMemo,
): Promise<void> {
  const ready: { guildId: string; content: Content | null }[] = [];
  for (const guildId of guildIds) {
    try {
      const first = peekGuild(deps, guildId, now, true);
      const content = first && (await prepareContent(deps, guildId, first.date, now, first.question, memo));
      ready.push({ guildId, content });
    } catch (err) {
      tickFailed(deps, r, guildId, err);
    }
  }
  const steps = txEach(deps, ready, (g) => stepGuild(deps, g.guildId, now, g.content));
  const claimed: Claimed[] = [];
  const again: string[] = [];
  for (const [k, s] of steps.entries()) {
    const guildId = ready[k]?.guildId as string;
    if (!s.ok) tickFailed(deps, r, guildId, s.error);
    else if (s.value.kind === "prepare") again.push(guildId);
    else {
      const step = s.value as GuildStep & { missed?: string | null };
      if (step.missed) r.skipped.push({ guildId, date: step.missed });
      if (step.kind === "skip") r.skipped.push({ guildId, date: step.date });
      if (step.kind === "claimed") claimed.push(step);
    }
  }
  const sent: Sent[] = [];
  for (const c of claimed) sent.push(await send(deps, transport, c));
  const recorded = txEach(deps, [...claimed.keys()], (k) =>
    record(deps, claimed[k] as Claimed, sent[k] as Sent, now),
  );
  for (const [k, c] of claimed.entries()) {
    const rec = recorded[k] as Outcome<QuizPostRow[]>;
    if (!rec.ok) {
      tickFailed(deps, r, c.post.guildId, rec.error);
      continue;
    }
    const res = await finish(deps, transport, c, sent[k] as Sent, rec.value, now);
    if (res.kind === "posted") r.posted.push(c.post.guildId);
    else r.failed.push({ guildId: c.post.guildId, reason: res.reason });
  }
  for (const guildId of again)
    await tickGuild(deps, transport, guildId, now, r, memo).catch((err) => tickFailed(deps, r, guildId, err));
}

/**
 * Posts every due server's quiz. Servers run with small bounded concurrency, in batches of TICK_BATCH; one
 * server's failure (or bug) is logged and recorded and never stops the others.
 */
export async function tick(
  deps: Deps,
  transport: QuizTransport,
  at: Date = deps.clock.now(),
): Promise<TickReport> {
  const now = at.getTime();
  const report: TickReport = { posted: [], failed: [], skipped: [] };
  const queue = dueGuilds(deps.db, now);
  const memo = tickMemo();
  const worker = async () => {
    for (let batch = queue.splice(0, TICK_BATCH); batch.length > 0; batch = queue.splice(0, TICK_BATCH)) {
      try {
        await tickBatch(deps, transport, batch, now, report, memo);
      } catch (err) {
        // Not expected (tickBatch records each server's own errors): report the servers it left unreported.
        const seen = new Set([
          ...report.posted,
          ...report.failed.map((f) => f.guildId),
          ...report.skipped.map((s) => s.guildId),
        ]);
        for (const g of batch) if (!seen.has(g)) tickFailed(deps, report, g, err);
      }
    }
  };
  const workers = Math.min(TICK_CONCURRENCY, Math.ceil(queue.length / TICK_BATCH));
  await Promise.all(Array.from({ length: workers }, worker));
  return report;
}

/** `/quiz now`: posts today's quiz immediately (it counts as today's: the scheduled one will not post again). */
export async function postToday(
  deps: Deps,
  transport: QuizTransport,
  guildId: string,
): Promise<DeliverResult> {
  const now = deps.clock.now().getTime();
  const cfg = requireConfig(deps, guildId);
  const first = contentNeeded(deps, guildId, dateKey(localDateOf(now, cfg.timezone)), now);
  const claim = await withContent(deps, guildId, now, first, (content) =>
    tx(deps.db, () => {
      const cfg = requireConfig(deps, guildId);
      const today = dateKey(localDateOf(now, cfg.timezone));
      const c = claimDay(deps, cfg, today, now, content);
      if (c.kind === "posted") {
        // Make sure the schedule has moved past today.
        const time = parseTimeOfDay(cfg.time);
        if (time && cfg.nextDate <= today) setNext(deps, guildId, runAfter(today, time, cfg.timezone));
      }
      return c;
    }),
  );
  if (claim.kind === "posted")
    throw new UserError(
      `Today's quiz is already posted${claim.post.messageId ? `: https://discord.com/channels/${guildId}/${claim.post.channelId}/${claim.post.messageId}` : "."}`,
    );
  if (claim.kind !== "claimed") throw new UserError("Today's quiz is being posted right now.");
  return deliver(deps, transport, claim, now);
}

// ── Answers ─────────────────────────────────────────────────────────────────────────────────────────

export type AnswerResult =
  | {
      kind: "answered";
      post: QuizPostRow;
      choice: number;
      correct: boolean;
      /** The member studies the deck: the answer was recorded as a review (Good or Again). */
      reviewed: boolean;
      subscribed: boolean;
    }
  | { kind: "already"; post: QuizPostRow; choice: number; correct: boolean }
  | { kind: "closed"; post: QuizPostRow };

/**
 * Records a member's answer once; in the same transaction, feeds their schedule for that card (correct → Good,
 * wrong → Again, source `quiz`) when they study its deck here.
 */
export function answerQuiz(
  deps: Deps,
  a: { postId: number; guildId: string | null; userId: string; choice: number },
): AnswerResult {
  return tx(deps.db, () => {
    const post = getPostById(deps.db, a.postId);
    if (
      !post ||
      post.guildId !== a.guildId ||
      post.correctIndex === null ||
      !post.choices ||
      post.cardId === null
    )
      throw new UserError("This quiz is no longer available.");
    if (!Number.isInteger(a.choice) || a.choice < 0 || a.choice >= post.choices.length)
      throw new UserError("That is not one of the choices.");
    const existing = getAnswer(deps.db, post.id, a.userId);
    if (existing) return { kind: "already", post, choice: existing.choice, correct: existing.correct };
    if (post.closedAt !== null) return { kind: "closed", post };
    const correct = a.choice === post.correctIndex;
    const deckId = post.deckId;
    const subscribed = deckId !== null && studiesDeckHere(deps.db, a.userId, a.guildId, deckId);
    const now = deps.clock.now();
    const reviewed =
      subscribed &&
      recordReview(deps, {
        userId: a.userId,
        guildId: a.guildId,
        cardId: post.cardId,
        grade: correct ? Rating.Good : Rating.Again,
        source: "quiz",
        shownAt: now.getTime(),
        version: null,
      });
    // Leaderboard: a reviewed answer earned its points in recordReview; any other correct answer earns them here.
    if (!reviewed)
      awardQuizPoints(deps.db, { guildId: a.guildId, userId: a.userId, at: now.getTime(), correct });
    const res = deps.db
      .insert(quizAnswers)
      .values({ postId: post.id, userId: a.userId, choice: a.choice, correct, reviewed, answeredAt: now })
      .onConflictDoNothing()
      .run();
    if (res.changes === 0) throw new Error("answer raced inside an IMMEDIATE transaction");
    return { kind: "answered", post, choice: a.choice, correct, reviewed, subscribed };
  });
}

/** The current view of a post (for re-rendering after a click), or null when it is gone. */
export function viewOfPost(deps: Pick<Deps, "db">, postId: number): PostView | null {
  const p = getPostById(deps.db, postId);
  return p ? postView(deps, p) : null;
}
