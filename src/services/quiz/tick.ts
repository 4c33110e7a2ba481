/**
 * The scheduler's tick and `/quiz now`: claimed days (day.ts) are sent through the transport, their outcomes
 * recorded (db/quiz-posts.ts `recordSends`), and the earlier posts a day closed re-rendered with their answer.
 * Servers go in batches of TICK_BATCH, a few batches at once; one server's failure (or bug) is logged and
 * reported and never stops the others.
 */
import { UserError } from "../../core/errors.ts";
import { parseTimeOfDay, retryDelayMs, runAfter } from "../../core/quiz.ts";
import { runsSideBySide } from "../../db/client.ts";
import { tally } from "../../db/quiz-answers.ts";
import { type AfterSend, type Claimed, recordSends, type Sent } from "../../db/quiz-claims.ts";
import { dueGuilds, type ShardFilter } from "../../db/quiz-configs.ts";
import { type TickMemo, tickMemo } from "../../db/quiz-due.ts";
import type { QuizPostRow } from "../../db/quiz-posts.ts";
import { questionImage } from "../card-image.ts";
import type { Deps } from "../deps.ts";
import { type Turns, turns } from "../turns.ts";
import { claimServerDays } from "./day.ts";
import { postView } from "./post-view.ts";
import { postNonce, type QuizTransport, SendFailure } from "./transport.ts";

export type { ShardFilter };

/** Servers posted in parallel per tick; sends also queue in discord.js's REST manager. */
export const TICK_CONCURRENCY = 4;
/**
 * Servers a tick worker claims in one transaction and records in another (`tickBatch`). Bounds how long those
 * transactions hold the write lock (a server's claim or record is ~50 µs).
 */
export const TICK_BATCH = 8;

export interface TickReport {
  posted: string[];
  failed: { guildId: string; reason: string }[];
  skipped: { guildId: string; date: string }[];
}

export type DeliverResult =
  | { kind: "posted"; post: QuizPostRow; messageId: string }
  | { kind: "failed"; post: QuizPostRow; reason: string };

/** The schedule after a send, from src/core's planning. */
const afterSend = (now: number): AfterSend => ({
  after(cfg, date) {
    const time = parseTimeOfDay(cfg.time);
    return time ? runAfter(date, time, cfg.timezone) : null;
  },
  retryAt: (attempts) => now + retryDelayMs(attempts),
});

function asFailure(err: unknown): SendFailure {
  if (err instanceof SendFailure) return err;
  return new SendFailure(`could not send: ${err instanceof Error ? err.message : String(err)}`.slice(0, 300));
}

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
    const view = postView(c.post, c.fresh ? { answered: 0, correct: 0 } : await tally(deps.db, c.post.id));
    const image = await questionImage(deps, c.post.cardId);
    return { messageId: await transport.post(c.post.channelId, view, postNonce(c.post.id), image) };
  } catch (err) {
    const failure = asFailure(err);
    postLog(deps, c).warn(
      { reason: failure.reason, code: failure.code, channel: c.post.channelId },
      "quiz post failed",
    );
    return { failure };
  }
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
    const view = postView(old, await tally(deps.db, old.id));
    await transport.edit(old.channelId, old.messageId, view).catch((err) => {
      postLog(deps, c).warn({ err, closing: old.id }, "could not show the answer on an earlier quiz post");
    });
  }
  // The row as recordSends wrote it, without reading it back.
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

type Delivered = { ok: true; value: DeliverResult } | { ok: false; error: unknown };

/**
 * Sends claimed posts one by one, records their outcomes in one transaction (in `turn`: see `tick`), then
 * finishes each.
 */
async function deliver(
  deps: Deps,
  transport: QuizTransport,
  claimed: Claimed[],
  now: number,
  turn: Turns = (work) => work(),
): Promise<Delivered[]> {
  const items: { claimed: Claimed; sent: Sent }[] = [];
  for (const c of claimed) items.push({ claimed: c, sent: await send(deps, transport, c) });
  const recorded = await turn(() => recordSends(deps.db, items, now, afterSend(now)));
  const out: Delivered[] = [];
  for (const [k, { claimed: c, sent: s }] of items.entries()) {
    const rec = recorded[k];
    if (!rec?.ok) out.push({ ok: false, error: rec?.error });
    else out.push({ ok: true, value: await finish(deps, transport, c, s, rec.value, now) });
  }
  return out;
}

function tickFailed(deps: Deps, r: TickReport, guildId: string, err: unknown): void {
  deps.log.error({ err, guild: guildId }, "quiz tick failed for a server");
  r.failed.push({ guildId, reason: err instanceof Error ? err.message : String(err) });
}

/**
 * A few servers at once: their content read first (no transaction), then claimed in one transaction, sent one
 * by one, and their outcomes recorded in one transaction. Two commits per batch instead of two per server: each
 * commit costs its WAL writes (and their checkpoint later) for pages that consecutive servers share. The reads
 * and claims, and the record, each take a `turn`.
 */
async function tickBatch(
  deps: Deps,
  transport: QuizTransport,
  guildIds: readonly string[],
  now: number,
  r: TickReport,
  memo: TickMemo,
  turn: Turns,
): Promise<void> {
  const claimed: Claimed[] = [];
  const days = await turn(() => claimServerDays(deps, guildIds, now, "scheduled", memo));
  for (const { guildId, step } of days) {
    if (!step.ok) {
      tickFailed(deps, r, guildId, step.error);
      continue;
    }
    const s = step.value;
    if (s.missed) r.skipped.push({ guildId, date: s.missed });
    if (s.kind === "skip") r.skipped.push({ guildId, date: s.date });
    if (s.kind === "claimed") claimed.push(s);
  }
  const delivered = await deliver(deps, transport, claimed, now, turn);
  for (const [k, c] of claimed.entries()) {
    const d = delivered[k];
    if (!d?.ok) tickFailed(deps, r, c.post.guildId, d?.error);
    else if (d.value.kind === "posted") r.posted.push(c.post.guildId);
    else r.failed.push({ guildId: c.post.guildId, reason: d.value.reason });
  }
}

/**
 * Posts every due server's quiz (with `shards`, every due server those shards hold: other processes tick the
 * rest, and the day's claim keeps any overlap to one post). Servers run with small bounded concurrency, in
 * batches of TICK_BATCH; one server's failure (or bug) is logged and recorded and never stops the others.
 */
export async function tick(
  deps: Deps,
  transport: QuizTransport,
  at: Date = deps.clock.now(),
  shards: ShardFilter = null,
): Promise<TickReport> {
  const now = at.getTime();
  const report: TickReport = { posted: [], failed: [], skipped: [] };
  const queue = await dueGuilds(deps.db, now, shards);
  // Per tick, dropped after it: a review another process writes meanwhile is seen by the next day's reads.
  const memo = tickMemo();
  // The workers overlap their sends; on SQLite their database work takes turns, so that no worker's reads and
  // question choice run inside another's claim transaction (the longest write transaction of a full tick was
  // 27–37 ms with the work interleaved, against ~3 ms before the storage boundary made it awaitable).
  const turn = turns(runsSideBySide(deps.db));
  const worker = async () => {
    for (let batch = queue.splice(0, TICK_BATCH); batch.length > 0; batch = queue.splice(0, TICK_BATCH)) {
      try {
        await tickBatch(deps, transport, batch, now, report, memo, turn);
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
  const [day] = await claimServerDays(deps, [guildId], now, "now");
  const step = day?.step ?? { ok: false, error: new Error("no claim") };
  if (!step.ok) throw step.error;
  const claim = step.value;
  if (claim.kind === "posted")
    throw new UserError(
      `Today's quiz is already posted${claim.post.messageId ? `: https://discord.com/channels/${guildId}/${claim.post.channelId}/${claim.post.messageId}` : "."}`,
    );
  if (claim.kind !== "claimed") throw new UserError("Today's quiz is being posted right now.");
  const [d = { ok: false, error: new Error("not delivered") }] = await deliver(deps, transport, [claim], now);
  if (!d.ok) throw d.error;
  return d.value;
}
