/**
 * A server's posts, one row per local date (`quiz_posts`): the day's claim (the UNIQUE (guild, date) row makes at
 * most one post per server and date), its send's outcome, and the question as posted. The units of work that
 * write them are quiz-claims.ts's.
 */
import { and, desc, eq, isNotNull, isNull, ne, sql } from "drizzle-orm";
import type { Db } from "./client.ts";
import { once, perConnection } from "./prepared.ts";
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

const statements = perConnection((db, kind) => ({
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
      locale: p("locale"),
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
        sql`${quizPosts.claimToken} ${sql.raw(kind === "pg" ? "IS NOT DISTINCT FROM" : "IS")} ${p("oldToken")}`,
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

/** The server's post of `date`, for the units of work of src/db. */
export async function postOf(db: Db, guildId: string, date: string): Promise<QuizPostRow | undefined> {
  return statements(db).post.get({ guildId, date });
}

export async function postByIdOf(db: Db, id: number): Promise<QuizPostRow | undefined> {
  return statements(db).postById.get({ id });
}

export async function getPost(db: Db, guildId: string, date: string): Promise<QuizPostRow | undefined> {
  return postOf(db, guildId, date);
}

export async function getPostById(db: Db, id: number): Promise<QuizPostRow | undefined> {
  return postByIdOf(db, id);
}

/** Whether the day's post went out or is going out (setup and resume plan past it). */
export async function postedOn(db: Db, guildId: string, date: string): Promise<boolean> {
  const row = await postOf(db, guildId, date);
  return row?.status === "posted" || row?.status === "claimed";
}

/** The most recent post row of a server (any status), for `/quiz status`. */
export async function lastPost(db: Db, guildId: string): Promise<QuizPostRow | undefined> {
  return once(db, (b) =>
    b
      .select()
      .from(quizPosts)
      .where(eq(quizPosts.guildId, guildId))
      .orderBy(desc(quizPosts.localDate))
      .limit(1)
      .prepare(),
  ).get();
}

/** Card ids asked in this server's most recent `n` posts (so questions do not repeat soon). */
export async function recentQuestionCards(db: Db, guildId: string, n = 60): Promise<Set<number>> {
  const rows = await statements(db).recentCards.all({ guildId, n });
  return new Set(rows.flatMap((r) => (r.cardId === null ? [] : [r.cardId])));
}

/**
 * The claim of (guild, date): inserts its row unless one exists. The row when this call inserted it, built from
 * what was inserted (the other columns start NULL) instead of read back.
 */
export async function insertClaim(
  db: Db,
  c: {
    guildId: string;
    localDate: string;
    channelId: string;
    claimToken: string;
    claimedAt: number;
    locale: string | null;
  },
  summary: DueSummary,
  q: QuestionFields,
): Promise<QuizPostRow | undefined> {
  const r = await statements(db).insertClaim.get({ ...c, ...summary, ...q });
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

// ── The claim's and the outcome's writes (inside quiz-claims.ts's units of work) ──────────────────────

/** Takes over a failed or abandoned claim if it is still as read (status and token); the row when it did. */
export async function takeOverClaim(
  db: Db,
  existing: Pick<QuizPostRow, "id" | "status" | "claimToken">,
  claim: { channelId: string; claimToken: string; claimedAt: number },
  summary: DueSummary,
): Promise<QuizPostRow | undefined> {
  return statements(db).takeOver.get({
    id: existing.id,
    status: existing.status,
    oldToken: existing.claimToken,
    ...claim,
    ...summary,
    pinged: JSON.stringify(summary.pinged), // an UPDATE's SET binds as given
  });
}

export async function markSkipped(
  db: Db,
  day: { guildId: string; localDate: string; channelId: string },
  now: number,
): Promise<void> {
  await once(db, (b) =>
    b
      .insert(quizPosts)
      .values({ ...day, status: "skipped", claimedAt: now, reason: "the bot was offline at quiz time" })
      .onConflictDoNothing()
      .prepare(),
  ).run();
}

/** Marks a post sent (final) and closes the server's earlier open posts; the posts it closed. */
export async function markPosted(
  db: Db,
  post: QuizPostRow,
  messageId: string,
  now: number,
): Promise<QuizPostRow[]> {
  const st = statements(db);
  await st.markPosted.run({ id: post.id, messageId, now });
  const toClose = (await st.openPosts.all({ guildId: post.guildId, exceptId: post.id })).filter(
    (o) => o.localDate < post.localDate,
  );
  for (const o of toClose) await st.close.run({ id: o.id, now });
  return toClose.map((o) => ({ ...o, closedAt: now }));
}

/** Records a failed send for the claim `token` holds; true when it still held it. */
export async function markFailed(
  db: Db,
  postId: number,
  token: string,
  failure: { reason: string; code: number | null },
): Promise<boolean> {
  const res = await statements(db).markFailed.run({
    id: postId,
    token,
    reason: failure.reason,
    code: failure.code,
  });
  return res.changes > 0;
}
