/**
 * A server's posts, one row per local date (`quiz_posts`): the day's claim (the UNIQUE (guild, date) row makes at
 * most one post per server and date), its send's outcome, and the question as posted. The units of work here are
 * "claim these servers' day" and "record these sends", one IMMEDIATE transaction per batch of servers, each
 * server under a savepoint of its own. What a day needs (services/quiz/day.ts) comes in as a `plan`; the content
 * is read before, outside any transaction (quiz-due.ts).
 */
import { randomUUID } from "node:crypto";
import { and, desc, eq, isNotNull, isNull, ne, sql } from "drizzle-orm";
import { type Db, tx } from "./client.ts";
import { perConnection } from "./prepared.ts";
import { configOf, type Next, type QuizConfigRow, setNextRun } from "./quiz-configs.ts";
import { quizPosts } from "./schema.ts";

export type QuizPostRow = typeof quizPosts.$inferSelect;

/** A claim older than this whose outcome was never recorded (process died mid-send) may be taken over. */
export const CLAIM_LEASE_MS = 10 * 60_000;

export interface DueSummary {
  dueMembers: number;
  dueCards: number;
  pinged: string[];
  pingedMore: number;
}

export interface QuestionFields {
  cardId: number | null;
  deckId: string | null;
  deckName: string | null;
  front: string | null;
  choices: { cardId: number; text: string }[] | null;
  correctIndex: number | null;
}

/**
 * What a claim writes besides its status, read before its transaction: the due summary, and for a day's first
 * claim the question (a takeover keeps the question already stored and refreshes the summary).
 */
export interface DayContent {
  date: string;
  summary: DueSummary;
  question: QuestionFields | null;
}

const p = (name: string) => sql.placeholder(name);
/** A placeholder where the builder's types take only SQL (an UPDATE's SET): bound as given, no column encoding. */
const set = (name: string) => sql`${sql.placeholder(name)}`;

const statements = perConnection((db) => ({
  post: db
    .select()
    .from(quizPosts)
    .where(and(eq(quizPosts.guildId, p("guildId")), eq(quizPosts.localDate, p("date"))))
    .prepare(),
  postById: db
    .select()
    .from(quizPosts)
    .where(eq(quizPosts.id, p("id")))
    .prepare(),
  openPosts: db
    .select()
    .from(quizPosts)
    .where(
      and(
        eq(quizPosts.guildId, p("guildId")),
        eq(quizPosts.status, "posted"),
        isNull(quizPosts.closedAt),
        ne(quizPosts.id, p("exceptId")),
      ),
    )
    .prepare(),
  recentCards: db
    .select({ cardId: quizPosts.cardId })
    .from(quizPosts)
    .where(and(eq(quizPosts.guildId, p("guildId")), isNotNull(quizPosts.cardId)))
    .orderBy(desc(quizPosts.localDate))
    .limit(p("n"))
    .prepare(),
  insertClaim: db
    .insert(quizPosts)
    .values({
      guildId: p("guildId"),
      localDate: p("localDate"),
      channelId: p("channelId"),
      status: "claimed",
      claimToken: p("claimToken"),
      claimedAt: p("claimedAt"),
      attempts: 1,
      dueMembers: p("dueMembers"),
      dueCards: p("dueCards"),
      pinged: p("pinged"),
      pingedMore: p("pingedMore"),
      cardId: p("cardId"),
      deckId: p("deckId"),
      deckName: p("deckName"),
      front: p("front"),
      choices: p("choices"),
      correctIndex: p("correctIndex"),
    })
    .onConflictDoNothing()
    .returning({ id: quizPosts.id })
    .prepare(),
  /** A failed send or a claim whose process died, taken over: status and token guard the update. */
  takeOver: db
    .update(quizPosts)
    .set({
      status: "claimed",
      claimToken: set("claimToken"),
      claimedAt: set("claimedAt"),
      attempts: sql`${quizPosts.attempts} + 1`,
      channelId: set("channelId"),
      dueMembers: set("dueMembers"),
      dueCards: set("dueCards"),
      pinged: set("pinged"),
      pingedMore: set("pingedMore"),
    })
    .where(
      and(
        eq(quizPosts.id, p("id")),
        eq(quizPosts.status, p("status")),
        // IS: the token of a failed row may be NULL.
        sql`${quizPosts.claimToken} IS ${p("oldToken")}`,
      ),
    )
    .returning()
    .prepare(),
  markPosted: db
    .update(quizPosts)
    .set({
      status: "posted",
      messageId: set("messageId"),
      postedAt: set("now"),
      reason: null,
      errorCode: null,
    })
    .where(eq(quizPosts.id, p("id")))
    .prepare(),
  close: db
    .update(quizPosts)
    .set({ closedAt: set("now") })
    .where(eq(quizPosts.id, p("id")))
    .prepare(),
  markFailed: db
    .update(quizPosts)
    .set({ status: "failed", reason: set("reason"), errorCode: set("code") })
    .where(
      and(eq(quizPosts.id, p("id")), eq(quizPosts.status, "claimed"), eq(quizPosts.claimToken, p("token"))),
    )
    .prepare(),
}));

/** The server's post of `date`; synchronous, for the units of work of src/db. */
export function postOf(db: Db, guildId: string, date: string): QuizPostRow | undefined {
  return statements(db).post.get({ guildId, date });
}

export function postByIdOf(db: Db, id: number): QuizPostRow | undefined {
  return statements(db).postById.get({ id });
}

export async function getPost(db: Db, guildId: string, date: string): Promise<QuizPostRow | undefined> {
  return postOf(db, guildId, date);
}

export async function getPostById(db: Db, id: number): Promise<QuizPostRow | undefined> {
  return postByIdOf(db, id);
}

/** Whether the day's post went out or is going out (setup and resume plan past it). */
export function postedOn(db: Db, guildId: string, date: string): boolean {
  const row = postOf(db, guildId, date);
  return row?.status === "posted" || row?.status === "claimed";
}

/** The most recent post row of a server (any status), for `/quiz status`. */
export async function lastPost(db: Db, guildId: string): Promise<QuizPostRow | undefined> {
  return db
    .select()
    .from(quizPosts)
    .where(eq(quizPosts.guildId, guildId))
    .orderBy(desc(quizPosts.localDate))
    .limit(1)
    .get();
}

/** Card ids asked in this server's most recent `n` posts (so questions do not repeat soon). Synchronous. */
export function recentQuestionCards(db: Db, guildId: string, n = 60): Set<number> {
  const rows = statements(db).recentCards.all({ guildId, n });
  return new Set(rows.flatMap((r) => (r.cardId === null ? [] : [r.cardId])));
}

/**
 * The claim of (guild, date): inserts its row unless one exists. The row when this call inserted it, built from
 * what was inserted (the other columns start NULL) instead of read back.
 */
export function insertClaim(
  db: Db,
  c: { guildId: string; localDate: string; channelId: string; claimToken: string; claimedAt: number },
  summary: DueSummary,
  q: QuestionFields,
): QuizPostRow | undefined {
  const r = statements(db).insertClaim.get({ ...c, ...summary, ...q });
  return (
    r && {
      id: r.id,
      ...c,
      status: "claimed",
      attempts: 1,
      reason: null,
      errorCode: null,
      messageId: null,
      postedAt: null,
      closedAt: null,
      ...summary,
      ...q,
    }
  );
}

// ── Claiming a day ──────────────────────────────────────────────────────────────────────────────────

export interface Claimed {
  kind: "claimed";
  post: QuizPostRow;
  token: string;
  /** A previous claim died mid-send: the message may exist already. */
  uncertain: boolean;
  /** The row was inserted by this claim: nothing was ever sent for it, so it has no answers yet. */
  fresh: boolean;
}
export type ClaimResult = Claimed | { kind: "posted"; post: QuizPostRow } | { kind: "busy" | "skipped" };

/** The claim needs content prepared for `date` (and a question when `question`): prepare it, then try again. */
export type Prepare = { kind: "prepare"; date: string; question: boolean };

/** What the server's day is at a claim's time, as services/quiz/day.ts decides it from the settings. */
export type DayPlan =
  | { kind: "wait" }
  | { kind: "skip"; missed: string; next: Next }
  | {
      kind: "post";
      date: string;
      /** An earlier day whose time passed while the bot was down: marked skipped with the claim. */
      missed: string | null;
      /** Where the schedule moves when the day turns out done already (posted, or skipped). */
      onDone: (done: "posted" | "skipped") => Next | null;
    };

export type DayStep = ({ kind: "wait" } | { kind: "skip"; date: string } | ClaimResult) & {
  missed?: string | null;
};

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * `each` for every item in one IMMEDIATE transaction, each in a savepoint of its own (`tx` nests): an item's
 * error undoes only its own writes. If that transaction cannot run at all, item by item.
 */
export function txEach<I, T>(db: Db, items: readonly I[], each: (item: I) => T): Outcome<T>[] {
  const one = (item: I): Outcome<T> => {
    try {
      return { ok: true, value: tx(db, () => each(item)) };
    } catch (error) {
      return { ok: false, error };
    }
  };
  if (items.length === 0) return [];
  try {
    return tx(db, () => items.map(one));
  } catch {
    return items.map(one);
  }
}

/**
 * What a claim of (guild, date) will need, read without a transaction: the content to prepare, or null when
 * there will be nothing to claim (posted, skipped, another process's claim in its lease).
 */
export async function dayNeeds(db: Db, guildId: string, date: string, now: number): Promise<Prepare | null> {
  const existing = postOf(db, guildId, date);
  if (existing?.status === "posted" || existing?.status === "skipped") return null;
  if (existing?.status === "claimed" && existing.claimedAt > now - CLAIM_LEASE_MS) return null;
  return { kind: "prepare", date, question: !existing };
}

/**
 * Claims (guild, date) for this process, inside the caller's transaction; it only reads and writes the day's row:
 * the content comes prepared (`prepare` when it is missing or for another date).
 */
function claimDay(
  db: Db,
  cfg: QuizConfigRow,
  date: string,
  now: number,
  content: DayContent | null,
): ClaimResult | Prepare {
  const token = randomUUID();
  const claim = { channelId: cfg.channelId, claimToken: token, claimedAt: now };
  const insert = (c: DayContent, q: QuestionFields) =>
    insertClaim(db, { guildId: cfg.guildId, localDate: date, ...claim }, c.summary, q);
  // The usual case, a day's first claim with its content ready: insert at once (the UNIQUE (guild, date) row makes
  // it a no-op when the day has a row), and read the day's row only then.
  if (content?.date === date && content.question) {
    const post = insert(content, content.question);
    if (post) return { kind: "claimed", post, token, uncertain: false, fresh: true };
  }
  const existing = postOf(db, cfg.guildId, date);
  if (existing?.status === "posted") return { kind: "posted", post: existing };
  if (existing?.status === "skipped") return { kind: "skipped" };
  if (existing?.status === "claimed" && existing.claimedAt > now - CLAIM_LEASE_MS) return { kind: "busy" };
  if (!content || content.date !== date || (!existing && !content.question))
    return { kind: "prepare", date, question: !existing };
  if (!existing) {
    const post = content.question && insert(content, content.question);
    return post ? { kind: "claimed", post, token, uncertain: false, fresh: true } : { kind: "busy" };
  }
  // A failed send, or a claim whose process died: take it over (status and token guard the update).
  const post = statements(db).takeOver.get({
    id: existing.id,
    status: existing.status,
    oldToken: existing.claimToken,
    ...claim,
    ...content.summary,
    pinged: JSON.stringify(content.summary.pinged), // an UPDATE's SET binds as given
  });
  return post
    ? { kind: "claimed", post, token, uncertain: existing.status === "claimed", fresh: false }
    : { kind: "busy" };
}

function markSkipped(db: Db, cfg: QuizConfigRow, date: string, now: number): void {
  db.insert(quizPosts)
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

/** One server's step: its plan at the claim (catch-up skips), then its claim; nothing written on `prepare`. */
function stepDay(
  db: Db,
  guildId: string,
  now: number,
  content: DayContent | null,
  plan: (cfg: QuizConfigRow | undefined) => DayPlan,
): DayStep | Prepare {
  const cfg = configOf(db, guildId);
  const d = plan(cfg);
  if (d.kind === "wait" || !cfg) return { kind: "wait" };
  if (d.kind === "skip") {
    markSkipped(db, cfg, d.missed, now);
    setNextRun(db, guildId, d.next);
    return { kind: "skip", date: d.missed };
  }
  const claim = claimDay(db, cfg, d.date, now, content);
  if (claim.kind === "prepare") return claim; // nothing written: the content is prepared outside
  if (d.missed) markSkipped(db, cfg, d.missed, now);
  if (claim.kind === "posted" || claim.kind === "skipped") {
    // Someone else finished this day (or it was skipped): move the schedule on.
    const next = d.onDone(claim.kind);
    if (next) setNextRun(db, guildId, next);
  }
  return { ...claim, missed: d.missed };
}

/**
 * "Claim these servers' day": each server's plan and claim, with the content prepared before, in one IMMEDIATE
 * transaction (a savepoint per server). `plan` may throw (a UserError of `/quiz now`): that server's outcome.
 */
export async function claimDays(
  db: Db,
  items: readonly { guildId: string; content: DayContent | null }[],
  now: number,
  plan: (cfg: QuizConfigRow | undefined) => DayPlan,
): Promise<Outcome<DayStep | Prepare>[]> {
  return txEach(db, items, (g) => stepDay(db, g.guildId, now, g.content, plan));
}

// ── Recording the outcome ───────────────────────────────────────────────────────────────────────────

/** A send's outcome: the message id, or why it failed. */
export type Sent = { messageId: string } | { failure: { reason: string; code: number | null } };

/** How the schedule moves after a send (services/quiz/tick.ts, from src/core's planning). */
export interface AfterSend {
  /** The run after a posted `date`, or null when the settings cannot plan one. */
  after(cfg: QuizConfigRow, date: string): Next | null;
  /** When a failed post of `attempts` attempts is retried. */
  retryAt(attempts: number): number;
}

/** Records an accepted post (final), closes the server's earlier open posts, schedules the next day. */
function markPosted(db: Db, post: QuizPostRow, messageId: string, now: number, s: AfterSend): QuizPostRow[] {
  const st = statements(db);
  st.markPosted.run({ id: post.id, messageId, now });
  const toClose = st.openPosts
    .all({ guildId: post.guildId, exceptId: post.id })
    .filter((o) => o.localDate < post.localDate);
  for (const o of toClose) st.close.run({ id: o.id, now });
  const cfg = configOf(db, post.guildId);
  if (cfg && cfg.nextDate <= post.localDate) {
    const next = s.after(cfg, post.localDate);
    if (next) setNextRun(db, cfg.guildId, next);
  }
  return toClose.map((o) => ({ ...o, closedAt: now }));
}

/** Records a failed send (only for the claim this process holds) and schedules a retry the same day. */
function markFailed(
  db: Db,
  c: Claimed,
  failure: { reason: string; code: number | null },
  s: AfterSend,
): void {
  const held =
    statements(db).markFailed.run({
      id: c.post.id,
      token: c.token,
      reason: failure.reason,
      code: failure.code,
    }).changes > 0;
  const cfg = configOf(db, c.post.guildId);
  if (held && cfg && cfg.nextDate === c.post.localDate)
    setNextRun(db, cfg.guildId, { date: cfg.nextDate, at: s.retryAt(c.post.attempts) });
}

/**
 * "Record these sends": each claimed post's outcome (posted: final, earlier posts closed, next day scheduled;
 * failed: a retry the same day) in one IMMEDIATE transaction, a savepoint per post. Each success gives the posts
 * it closed (their answer is then shown on Discord).
 */
export async function recordSends(
  db: Db,
  items: readonly { claimed: Claimed; sent: Sent }[],
  now: number,
  s: AfterSend,
): Promise<Outcome<QuizPostRow[]>[]> {
  return txEach(db, items, ({ claimed, sent }) => {
    if ("failure" in sent) {
      markFailed(db, claimed, sent.failure, s);
      return [];
    }
    return markPosted(db, claimed.post, sent.messageId, now, s);
  });
}
