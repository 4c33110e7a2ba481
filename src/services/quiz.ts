/**
 * The daily quiz: configuration, the scheduler's `tick`, posting (claim → send → record), and answers.
 * Sending goes through an injected `QuizTransport` (discord.js in production, a fake in unit tests), so this
 * file knows nothing of Discord payloads.
 */
import { randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
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
  retryDelayMs,
  runAfter,
  seededRandom,
  shuffle,
  type TimeOfDay,
} from "../core/quiz.ts";
import { Rating } from "../core/scheduling.ts";
import { isValidTimeZone } from "../core/time.ts";
import { tx } from "../db/client.ts";
import { quizAnswers, quizConfigs, quizPosts } from "../db/schema.ts";
import { findVisibleDeck, isSubscribed } from "./decks.ts";
import type { Deps } from "./deps.ts";
import { awardQuizPoints } from "./points.ts";
import {
  activeCards,
  dueGuilds,
  getAnswer,
  getConfig,
  getPost,
  getPostById,
  lastPost,
  membersWithDue,
  openPosts,
  type QuizConfigRow,
  type QuizPostRow,
  recentQuestionCards,
  serverDecks,
  setGuildTimezone,
  tally,
} from "./quiz-queries.ts";
import { recordReview } from "./study.ts";

/** A claim older than this whose outcome was never recorded (process died mid-send) may be taken over. */
export const CLAIM_LEASE_MS = 10 * 60_000;
/** Servers posted in parallel per tick; sends also queue in discord.js's REST manager. */
export const TICK_CONCURRENCY = 4;
/** Discord's allowed_mentions.users takes at most 100 ids; the mention line must fit in 2000 characters. */
export const MAX_PINGS = 80;

// ── The view a post is rendered from ────────────────────────────────────────────────────────────────

export interface PostView {
  postId: number;
  date: string;
  dueMembers: number;
  dueCards: number;
  /** Members pinged in the mention line (opted in, with cards due), and how many more were left out. */
  pinged: string[];
  pingedMore: number;
  question: { deckName: string; front: string; choices: string[]; correctIndex: number } | null;
  answered: number;
  correct: number;
  /** The next day's post went out: show the answer, disable the buttons. */
  closed: boolean;
}

export function postView(deps: Pick<Deps, "db">, p: QuizPostRow): PostView {
  const t = tally(deps.db, p.id);
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
    dueCards: p.dueCards,
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
  const zone = input.timezone.trim();
  if (!isValidTimeZone(zone))
    throw new UserError(
      `\`${zone.slice(0, 64)}\` is not a timezone I know. Pick one from the list, e.g. \`Europe/Berlin\`.`,
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
}
type ClaimResult = Claimed | { kind: "posted"; post: QuizPostRow } | { kind: "busy" | "skipped" };

/** The question of the day for a server: deterministic for (server, date) given the decks' content. */
export function chooseQuestion(
  deps: Pick<Deps, "db">,
  guildId: string,
  date: string,
): (Question & { deckId: string; deckName: string }) | null {
  const rng = seededRandom(quizSeed(guildId, date));
  const decks = serverDecks(deps.db, guildId);
  const studied = decks.filter((d) => d.subscribers > 0);
  const recent = recentQuestionCards(deps.db, guildId);
  // Prefer decks the members study; fall back to any of the server's decks.
  for (const deck of [...shuffle(studied, rng), ...shuffle(decks, rng).filter((d) => d.subscribers === 0)]) {
    const q = pickQuestion(activeCards(deps.db, deck.id), rng, recent);
    if (q) return { ...q, deckId: deck.id, deckName: deck.name };
  }
  return null;
}

function dueSummary(deps: Pick<Deps, "db">, guildId: string, now: number) {
  const due = membersWithDue(deps.db, guildId, now);
  const optedIn = due.filter((m) => m.reminders).map((m) => m.userId);
  return {
    dueMembers: due.length,
    dueCards: due.reduce((n, m) => n + m.due, 0),
    pinged: optedIn.slice(0, MAX_PINGS),
    pingedMore: Math.max(0, optedIn.length - MAX_PINGS),
  };
}

/** Claims (guild, date) for this process. Must run inside an IMMEDIATE transaction. */
function claimDay(deps: Deps, cfg: QuizConfigRow, date: string, now: number): ClaimResult {
  const existing = getPost(deps.db, cfg.guildId, date);
  const token = randomUUID();
  const summary = dueSummary(deps, cfg.guildId, now);
  if (!existing) {
    const q = chooseQuestion(deps, cfg.guildId, date);
    const res = deps.db
      .insert(quizPosts)
      .values({
        guildId: cfg.guildId,
        localDate: date,
        channelId: cfg.channelId,
        status: "claimed",
        claimToken: token,
        claimedAt: now,
        attempts: 1,
        ...summary,
        cardId: q?.cardId ?? null,
        deckId: q?.deckId ?? null,
        deckName: q?.deckName ?? null,
        front: q?.front ?? null,
        choices: q?.choices ?? null,
        correctIndex: q?.correctIndex ?? null,
      })
      .onConflictDoNothing()
      .run();
    if (res.changes === 0) return { kind: "busy" };
    const post = getPost(deps.db, cfg.guildId, date);
    if (!post) throw new Error("claimed post vanished");
    return { kind: "claimed", post, token, uncertain: false };
  }
  if (existing.status === "posted") return { kind: "posted", post: existing };
  if (existing.status === "skipped") return { kind: "skipped" };
  if (existing.status === "claimed" && existing.claimedAt > now - CLAIM_LEASE_MS) return { kind: "busy" };
  // A failed send, or a claim whose process died: take it over (status and token guard the update).
  const res = deps.db
    .update(quizPosts)
    .set({
      status: "claimed",
      claimToken: token,
      claimedAt: now,
      attempts: existing.attempts + 1,
      channelId: cfg.channelId,
      ...summary,
    })
    .where(
      and(
        eq(quizPosts.id, existing.id),
        eq(quizPosts.status, existing.status),
        existing.claimToken === null
          ? sql`${quizPosts.claimToken} IS NULL`
          : eq(quizPosts.claimToken, existing.claimToken),
      ),
    )
    .run();
  if (res.changes === 0) return { kind: "busy" };
  const post = getPostById(deps.db, existing.id);
  if (!post) throw new Error("claimed post vanished");
  return { kind: "claimed", post, token, uncertain: existing.status === "claimed" };
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
  deps.db
    .update(quizConfigs)
    .set({ nextDate: next.date, nextRunAt: next.at })
    .where(eq(quizConfigs.guildId, guildId))
    .run();
}

// ── Recording the outcome ───────────────────────────────────────────────────────────────────────────

/** Records an accepted post (final), closes the server's earlier open posts, schedules the next day. */
function markPosted(deps: Deps, post: QuizPostRow, messageId: string, now: number): QuizPostRow[] {
  return tx(deps.db, () => {
    deps.db
      .update(quizPosts)
      .set({ status: "posted", messageId, postedAt: now, reason: null, errorCode: null })
      .where(eq(quizPosts.id, post.id))
      .run();
    const toClose = openPosts(deps.db, post.guildId, post.id).filter((p) => p.localDate < post.localDate);
    for (const p of toClose)
      deps.db.update(quizPosts).set({ closedAt: now }).where(eq(quizPosts.id, p.id)).run();
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
    const res = deps.db
      .update(quizPosts)
      .set({ status: "failed", reason: failure.reason, errorCode: failure.code })
      .where(
        and(
          eq(quizPosts.id, claimed.post.id),
          eq(quizPosts.status, "claimed"),
          eq(quizPosts.claimToken, claimed.token),
        ),
      )
      .run();
    const cfg = getConfig(deps.db, claimed.post.guildId);
    if (res.changes > 0 && cfg && cfg.nextDate === claimed.post.localDate)
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

/** Sends a claimed post, records the outcome, then shows the answer on the earlier posts it closed. */
async function deliver(
  deps: Deps,
  transport: QuizTransport,
  c: Claimed,
  now: number,
): Promise<DeliverResult> {
  const log = deps.log.child({ guild: c.post.guildId, date: c.post.localDate, post: c.post.id });
  let messageId: string | null = null;
  if (c.uncertain) {
    // The previous claimant died mid-send: if Discord accepted that message, adopt it instead of doubling.
    messageId = await transport.findPosted(c.post.channelId, c.post.id).catch((err) => {
      log.warn({ err }, "could not look for an interrupted quiz post; sending (nonce-guarded)");
      return null;
    });
  }
  if (messageId === null) {
    try {
      messageId = await transport.post(c.post.channelId, postView(deps, c.post), postNonce(c.post.id));
    } catch (err) {
      const failure = asFailure(err);
      log.warn({ reason: failure.reason, code: failure.code, channel: c.post.channelId }, "quiz post failed");
      markFailed(deps, c, failure, now);
      return { kind: "failed", post: c.post, reason: failure.reason };
    }
  }
  const closed = markPosted(deps, c.post, messageId, now);
  for (const old of closed) {
    if (!old.messageId) continue;
    await transport.edit(old.channelId, old.messageId, postView(deps, old)).catch((err) => {
      log.warn({ err, closing: old.id }, "could not show the answer on an earlier quiz post");
    });
  }
  const post = getPostById(deps.db, c.post.id) ?? c.post;
  log.info({ message: messageId }, "quiz posted");
  return { kind: "posted", post, messageId };
}

// ── The scheduler's tick ────────────────────────────────────────────────────────────────────────────

export interface TickReport {
  posted: string[];
  failed: { guildId: string; reason: string }[];
  skipped: { guildId: string; date: string }[];
}

type GuildStep = { kind: "wait" } | { kind: "skip"; date: string } | ClaimResult;

/** Decides (catch-up rules) and claims, in one IMMEDIATE transaction. */
function stepGuild(deps: Deps, guildId: string, now: number): GuildStep & { missed?: string | null } {
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
    if (d.missed) markSkipped(deps, cfg, d.missed, now);
    const claim = claimDay(deps, cfg, d.date, now);
    if (claim.kind === "posted" || claim.kind === "skipped")
      // Someone else finished this day (or it was skipped): move the schedule on.
      setNext(deps, guildId, runAfter(d.date, time, cfg.timezone));
    return { ...claim, missed: d.missed };
  });
}

async function tickGuild(deps: Deps, transport: QuizTransport, guildId: string, now: number, r: TickReport) {
  const step = stepGuild(deps, guildId, now);
  if (step.missed) r.skipped.push({ guildId, date: step.missed });
  if (step.kind === "skip") r.skipped.push({ guildId, date: step.date });
  if (step.kind !== "claimed") return;
  const res = await deliver(deps, transport, step, now);
  if (res.kind === "posted") r.posted.push(guildId);
  else r.failed.push({ guildId, reason: res.reason });
}

/**
 * Posts every due server's quiz. Servers run with small bounded concurrency; one server's failure (or bug) is
 * logged and recorded and never stops the others.
 */
export async function tick(
  deps: Deps,
  transport: QuizTransport,
  at: Date = deps.clock.now(),
): Promise<TickReport> {
  const now = at.getTime();
  const report: TickReport = { posted: [], failed: [], skipped: [] };
  const queue = dueGuilds(deps.db, now);
  const worker = async () => {
    for (let g = queue.shift(); g !== undefined; g = queue.shift()) {
      try {
        await tickGuild(deps, transport, g, now, report);
      } catch (err) {
        deps.log.error({ err, guild: g }, "quiz tick failed for a server");
        report.failed.push({ guildId: g, reason: err instanceof Error ? err.message : String(err) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(TICK_CONCURRENCY, queue.length) }, worker));
  return report;
}

/** `/quiz now`: posts today's quiz immediately (it counts as today's: the scheduled one will not post again). */
export async function postToday(
  deps: Deps,
  transport: QuizTransport,
  guildId: string,
): Promise<DeliverResult> {
  const now = deps.clock.now().getTime();
  const claim = tx(deps.db, () => {
    const cfg = requireConfig(deps, guildId);
    const today = dateKey(localDateOf(now, cfg.timezone));
    const c = claimDay(deps, cfg, today, now);
    if (c.kind === "posted") {
      // Make sure the schedule has moved past today.
      const time = parseTimeOfDay(cfg.time);
      if (time && cfg.nextDate <= today) setNext(deps, guildId, runAfter(today, time, cfg.timezone));
    }
    return c;
  });
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
 * wrong → Again, source `daily`) when they study its deck here.
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
    const subscribed =
      deckId !== null &&
      isSubscribed(deps.db, a.userId, deckId) &&
      !!findVisibleDeck(deps.db, a.userId, a.guildId, deckId);
    const now = deps.clock.now();
    const reviewed =
      subscribed &&
      recordReview(deps, {
        userId: a.userId,
        guildId: a.guildId,
        cardId: post.cardId,
        grade: correct ? Rating.Good : Rating.Again,
        source: "daily",
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
