/**
 * The units of work of a day's post: "claim these servers' day" and "record these sends", one IMMEDIATE
 * transaction per batch of servers, each server under a savepoint of its own (one server's error undoes only its
 * own writes). What a day needs (services/quiz/day.ts) comes in as a `plan`; the content is read before, outside
 * any transaction (quiz-due.ts); the rows are quiz-posts.ts's.
 */
import { randomUUID } from "node:crypto";
import { type Db, tx } from "./client.ts";
import { configOf, type Next, type QuizConfigRow, setNextRun } from "./quiz-configs.ts";
import {
  CLAIM_LEASE_MS,
  type DayContent,
  insertClaim,
  markFailed,
  markPosted,
  markSkipped,
  postOf,
  type QuestionFields,
  type QuizPostRow,
  takeOverClaim,
} from "./quiz-posts.ts";

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
export async function txEach<I, T>(
  db: Db,
  items: readonly I[],
  each: (t: Db, item: I) => Promise<T>,
): Promise<Outcome<T>[]> {
  const one = async (h: Db, item: I): Promise<Outcome<T>> => {
    try {
      return { ok: true, value: await tx(h, (t) => each(t, item)) };
    } catch (error) {
      return { ok: false, error };
    }
  };
  const all = async (h: Db): Promise<Outcome<T>[]> => {
    const out: Outcome<T>[] = [];
    for (const item of items) out.push(await one(h, item));
    return out;
  };
  if (items.length === 0) return [];
  try {
    return await tx(db, all);
  } catch {
    return all(db);
  }
}

/**
 * What a claim of (guild, date) will need, read without a transaction: the content to prepare, or null when
 * there will be nothing to claim (posted, skipped, another process's claim in its lease).
 */
export async function dayNeeds(db: Db, guildId: string, date: string, now: number): Promise<Prepare | null> {
  const existing = await postOf(db, guildId, date);
  if (existing?.status === "posted" || existing?.status === "skipped") return null;
  if (existing?.status === "claimed" && existing.claimedAt > now - CLAIM_LEASE_MS) return null;
  return { kind: "prepare", date, question: !existing };
}

/**
 * Claims (guild, date) for this process, inside the caller's transaction; it only reads and writes the day's row:
 * the content comes prepared (`prepare` when it is missing or for another date).
 */
async function claimDay(
  db: Db,
  cfg: QuizConfigRow,
  date: string,
  now: number,
  content: DayContent | null,
): Promise<ClaimResult | Prepare> {
  const token = randomUUID();
  const claim = { channelId: cfg.channelId, claimToken: token, claimedAt: now };
  const insert = (c: DayContent, q: QuestionFields) =>
    insertClaim(db, { guildId: cfg.guildId, localDate: date, ...claim, locale: cfg.language }, c.summary, q);
  // The usual case, a day's first claim with its content ready: insert at once (the UNIQUE (guild, date) row makes
  // it a no-op when the day has a row), and read the day's row only then.
  if (content?.date === date && content.question) {
    const post = await insert(content, content.question);
    if (post) return { kind: "claimed", post, token, uncertain: false, fresh: true };
  }
  const existing = await postOf(db, cfg.guildId, date);
  if (existing?.status === "posted") return { kind: "posted", post: existing };
  if (existing?.status === "skipped") return { kind: "skipped" };
  if (existing?.status === "claimed" && existing.claimedAt > now - CLAIM_LEASE_MS) return { kind: "busy" };
  if (!content || content.date !== date || (!existing && !content.question))
    return { kind: "prepare", date, question: !existing };
  if (!existing) {
    const post = content.question && (await insert(content, content.question));
    return post ? { kind: "claimed", post, token, uncertain: false, fresh: true } : { kind: "busy" };
  }
  // A failed send, or a claim whose process died: take it over (status and token guard the update).
  const post = await takeOverClaim(db, existing, claim, content.summary);
  return post
    ? { kind: "claimed", post, token, uncertain: existing.status === "claimed", fresh: false }
    : { kind: "busy" };
}

const skip = (db: Db, cfg: QuizConfigRow, date: string, now: number) =>
  markSkipped(db, { guildId: cfg.guildId, localDate: date, channelId: cfg.channelId }, now);

/** One server's step: its plan at the claim (catch-up skips), then its claim; nothing written on `prepare`. */
async function stepDay(
  db: Db,
  guildId: string,
  now: number,
  content: DayContent | null,
  plan: (cfg: QuizConfigRow | undefined) => DayPlan,
): Promise<DayStep | Prepare> {
  const cfg = await configOf(db, guildId);
  const d = plan(cfg);
  if (d.kind === "wait" || !cfg) return { kind: "wait" };
  if (d.kind === "skip") {
    await skip(db, cfg, d.missed, now);
    await setNextRun(db, guildId, d.next);
    return { kind: "skip", date: d.missed };
  }
  const claim = await claimDay(db, cfg, d.date, now, content);
  if (claim.kind === "prepare") return claim; // nothing written: the content is prepared outside
  if (d.missed) await skip(db, cfg, d.missed, now);
  if (claim.kind === "posted" || claim.kind === "skipped") {
    // Someone else finished this day (or it was skipped): move the schedule on.
    const next = d.onDone(claim.kind);
    if (next) await setNextRun(db, guildId, next);
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
  return txEach(db, items, (t, g) => stepDay(t, g.guildId, now, g.content, plan));
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
async function posted(
  db: Db,
  post: QuizPostRow,
  messageId: string,
  now: number,
  s: AfterSend,
): Promise<QuizPostRow[]> {
  const closed = await markPosted(db, post, messageId, now);
  const cfg = await configOf(db, post.guildId);
  if (cfg && cfg.nextDate <= post.localDate) {
    const next = s.after(cfg, post.localDate);
    if (next) await setNextRun(db, cfg.guildId, next);
  }
  return closed;
}

/** Records a failed send (only for the claim this process holds) and schedules a retry the same day. */
async function failed(
  db: Db,
  c: Claimed,
  failure: { reason: string; code: number | null },
  s: AfterSend,
): Promise<void> {
  const held = await markFailed(db, c.post.id, c.token, failure);
  const cfg = await configOf(db, c.post.guildId);
  if (held && cfg && cfg.nextDate === c.post.localDate)
    await setNextRun(db, cfg.guildId, { date: cfg.nextDate, at: s.retryAt(c.post.attempts) });
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
  return txEach(db, items, async (t, { claimed, sent }) => {
    if ("failure" in sent) {
      await failed(t, claimed, sent.failure, s);
      return [];
    }
    return posted(t, claimed.post, sent.messageId, now, s);
  });
}
