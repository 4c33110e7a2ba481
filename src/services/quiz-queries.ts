/**
 * SQL the daily quiz needs: who is a member here and what is due, the server's decks, posts and tallies.
 *
 * The tick runs these for every server every day, so the per-server statements are plain SQL prepared once per
 * connection (as in db/study-queries.ts) and every one of them is a search on an index: nothing here reads
 * review_logs, and card_states is only read per member through its (user_id, …) indexes. test/quiz/
 * tick-queries.test.ts holds them to their plain definitions and to their query plans.
 */
import type Database from "better-sqlite3";
import { and, desc, eq } from "drizzle-orm";
import { answerKey, type QuizCard, type QuizDeck } from "../core/quiz.ts";
import { type DeckAnswers, indexAnswers } from "../core/quiz-shape.ts";
import type { Db } from "../db/client.ts";
import { DECK_VISIBLE } from "../db/deck-visibility.ts";
import { preparedOnce } from "../db/prepared.ts";
import { guilds, quizAnswers, type quizConfigs, quizPosts } from "../db/schema.ts";

export type QuizConfigRow = typeof quizConfigs.$inferSelect;
export type QuizPostRow = typeof quizPosts.$inferSelect;

/** The decks a member studies as `/study` in this server would: subscribed, visible here, not retired. */
const STUDY_DECKS = `(
  SELECT s.deck_id FROM subscriptions s JOIN decks d ON d.id = s.deck_id
  WHERE s.user_id = @userId AND ${DECK_VISIBLE})`;

/** The server's own decks for the question: shipped files and this server's imports, not personal decks. */
const SERVER_DECK =
  "d.retired_at IS NULL AND (d.source = 'file' OR (d.guild_id = @guildId AND d.owner_id IS NULL))";

const CONFIG_COLUMNS = `guild_id AS guildId, channel_id AS channelId, time, timezone, paused, next_date AS nextDate,
  next_run_at AS nextRunAt, updated_at AS updatedAt`;
const POST_COLUMNS = `id, guild_id AS guildId, local_date AS localDate, channel_id AS channelId, status,
  claim_token AS claimToken, claimed_at AS claimedAt, attempts, reason, error_code AS errorCode,
  message_id AS messageId, posted_at AS postedAt, closed_at AS closedAt, due_members AS dueMembers,
  due_cards AS dueCards, pinged, pinged_more AS pingedMore, card_id AS cardId, deck_id AS deckId,
  deck_name AS deckName, front, choices, correct_index AS correctIndex`;

// Counting note (as in db/study-queries.ts): "due states of active cards in the member's decks" = "due states in
// those decks" (a range count on card_states_user_deck_due_idx alone) − "due states of their retired cards".
const SQL = {
  config: `SELECT ${CONFIG_COLUMNS} FROM quiz_configs WHERE guild_id = ?`,
  post: `SELECT ${POST_COLUMNS} FROM quiz_posts WHERE guild_id = ? AND local_date = ?`,
  postById: `SELECT ${POST_COLUMNS} FROM quiz_posts WHERE id = ?`,
  openPosts: `SELECT ${POST_COLUMNS} FROM quiz_posts
    WHERE guild_id = ? AND status = 'posted' AND closed_at IS NULL AND id <> ?`,
  tally: "SELECT count(*) AS answered, sum(correct) AS correct FROM quiz_answers WHERE post_id = ?",
  recentCards: `SELECT card_id AS cardId FROM quiz_posts WHERE guild_id = ? AND card_id IS NOT NULL
    ORDER BY local_date DESC LIMIT ?`,
  insertClaim: `INSERT INTO quiz_posts (guild_id, local_date, channel_id, status, claim_token, claimed_at, attempts,
      due_members, due_cards, pinged, pinged_more, card_id, deck_id, deck_name, front, choices, correct_index)
    VALUES (@guildId, @localDate, @channelId, 'claimed', @claimToken, @claimedAt, 1, @dueMembers, @dueCards,
      @pinged, @pingedMore, @cardId, @deckId, @deckName, @front, @choices, @correctIndex)
    ON CONFLICT DO NOTHING RETURNING id`,
  /** A failed send or a claim whose process died, taken over: status and token guard the update. */
  takeOver: `UPDATE quiz_posts SET status = 'claimed', claim_token = @claimToken, claimed_at = @claimedAt,
      attempts = attempts + 1, channel_id = @channelId, due_members = @dueMembers, due_cards = @dueCards,
      pinged = @pinged, pinged_more = @pingedMore
    WHERE id = @id AND status = @status AND claim_token IS @oldToken RETURNING ${POST_COLUMNS}`,
  markPosted: `UPDATE quiz_posts SET status = 'posted', message_id = ?, posted_at = ?, reason = NULL,
    error_code = NULL WHERE id = ?`,
  close: "UPDATE quiz_posts SET closed_at = ? WHERE id = ?",
  markFailed: `UPDATE quiz_posts SET status = 'failed', reason = ?, error_code = ?
    WHERE id = ? AND status = 'claimed' AND claim_token = ?`,
  setNext: "UPDATE quiz_configs SET next_date = ?, next_run_at = ? WHERE guild_id = ?",
  /** Servers of more than 64 members last (a bounded count each), soonest first within each group. */
  dueGuilds: `SELECT q.guild_id AS g FROM quiz_configs q WHERE q.paused = 0 AND q.next_run_at <= ?
    ORDER BY (SELECT count(*) FROM (SELECT 1 FROM stat_guild_members m WHERE m.guild_id = q.guild_id LIMIT 65)) > 64,
      q.next_run_at`,

  // ── due summary ──
  members: `SELECT m.user_id AS userId, COALESCE(us.reminders, 0) AS reminders
    FROM stat_guild_members m LEFT JOIN user_settings us ON us.user_id = m.user_id
    WHERE m.guild_id = ? ORDER BY m.user_id`,
  /** Has the member at least one card due (walks their due states in their decks, stops at the first active). */
  hasDue: `SELECT EXISTS (SELECT 1 FROM card_states cs JOIN cards c ON c.id = cs.card_id
      WHERE cs.user_id = @userId AND cs.deck_id IN ${STUDY_DECKS} AND cs.due <= @until
        AND c.retired_at IS NULL) AS n`,
  retiredDue: `SELECT count(*) AS n FROM cards c CROSS JOIN card_states cs ON cs.user_id = @userId AND cs.card_id = c.id
    WHERE c.deck_id IN ${STUDY_DECKS} AND c.retired_at IS NOT NULL AND cs.due <= @until`,
  /**
   * The decks the member studies here, as a key (their due count is the same wherever the key is), those of them
   * that are the server's (`SERVER_DECK`: the visible ones that are not their personal imports), and whether they
   * subscribe to a server's import (`local`): if not, both are the same in every server.
   */
  studyDecks: `SELECT json_group_array(id) FILTER (WHERE here) AS key,
      json_group_array(id) FILTER (WHERE here AND (source = 'file' OR owner_id IS NULL)) AS server,
      count(*) FILTER (WHERE retired_at IS NULL AND NOT (source = 'file' OR owner_id IS @userId)) > 0 AS local
    FROM (SELECT s.deck_id AS id, d.source, d.owner_id, d.retired_at, (${DECK_VISIBLE}) AS here
      FROM subscriptions s JOIN decks d ON d.id = s.deck_id WHERE s.user_id = @userId ORDER BY s.deck_id)`,
  /** Due states in the member's decks, retired cards included, counted up to @limit (covering index only). */
  dueStatesUpTo: `SELECT count(*) AS n FROM (SELECT 1 FROM card_states cs
    WHERE cs.user_id = @userId AND cs.deck_id IN ${STUDY_DECKS} AND cs.due <= @until LIMIT @limit)`,

  // ── the question ──
  /** The server's decks (id order); whether one has the 4 active cards a question needs is seen when it is read. */
  serverDecks: `SELECT d.id, d.name FROM decks d WHERE ${SERVER_DECK} ORDER BY d.id`,
  /** `serverDecks` in two parts, the shipped ones (the same for every server) and the server's own imports. */
  fileDecks:
    "SELECT d.id, d.name FROM decks d WHERE d.retired_at IS NULL AND d.source = 'file' ORDER BY d.id",
  importedDecks: `SELECT d.id, d.name FROM decks d
    WHERE d.guild_id = @guildId AND d.owner_id IS NULL AND d.retired_at IS NULL AND d.source <> 'file'`,
  /** The server's decks its members study: their subscriptions, a few per member. */
  studiedDecks: `SELECT DISTINCT d.id, d.name
    FROM stat_guild_members m JOIN subscriptions s ON s.user_id = m.user_id JOIN decks d ON d.id = s.deck_id
    WHERE m.guild_id = @guildId AND ${SERVER_DECK} ORDER BY d.id`,
  /** The deck's active cards' ids and answers in deck order (the (deck_id, retired_at, position) index, then rows). */
  activeCards: "SELECT id, back FROM cards WHERE deck_id = ? AND retired_at IS NULL ORDER BY position, id",
  deckName: "SELECT name FROM decks WHERE id = ?",
  cardFront: "SELECT front FROM cards WHERE id = ?",
} as const;

const statements = preparedOnce(SQL);

/** The statements' text, for the query-plan tests. */
export const QUIZ_SQL: Readonly<Record<string, string>> = SQL;

type RawConfig = Omit<QuizConfigRow, "paused" | "updatedAt"> & { paused: number; updatedAt: number };
type RawPost = Omit<QuizPostRow, "pinged" | "choices"> & { pinged: string; choices: string | null };

const toConfig = (r: RawConfig | undefined): QuizConfigRow | undefined =>
  r && { ...r, paused: r.paused === 1, updatedAt: new Date(r.updatedAt) };
const toPost = (r: RawPost | undefined): QuizPostRow | undefined =>
  r && { ...r, pinged: JSON.parse(r.pinged), choices: r.choices === null ? null : JSON.parse(r.choices) };

export function getConfig(db: Db, guildId: string): QuizConfigRow | undefined {
  return toConfig(statements(db).config.get(guildId) as RawConfig | undefined);
}

export function getPost(db: Db, guildId: string, date: string): QuizPostRow | undefined {
  return toPost(statements(db).post.get(guildId, date) as RawPost | undefined);
}

export function getPostById(db: Db, id: number): QuizPostRow | undefined {
  return toPost(statements(db).postById.get(id) as RawPost | undefined);
}

/** The most recent post row of a server (any status), for `/quiz status`. */
export function lastPost(db: Db, guildId: string): QuizPostRow | undefined {
  return db
    .select()
    .from(quizPosts)
    .where(eq(quizPosts.guildId, guildId))
    .orderBy(desc(quizPosts.localDate))
    .limit(1)
    .get();
}

/**
 * Guilds whose quiz is due at `now` and not paused, soonest first; servers of more than 64 members after the others,
 * so that their summaries find most members' due counts already made in the tick (quiz.ts `TickMemo`).
 */
export function dueGuilds(db: Db, now: number): string[] {
  return (statements(db).dueGuilds.all(now) as { g: string }[]).map((r) => r.g);
}

/** Posts of a server that went out and are still open (answers accepted), except `exceptId`. */
export function openPosts(db: Db, guildId: string, exceptId: number): QuizPostRow[] {
  return (statements(db).openPosts.all(guildId, exceptId) as RawPost[]).map((r) => toPost(r) as QuizPostRow);
}

export function tally(db: Db, postId: number): { answered: number; correct: number } {
  const r = statements(db).tally.get(postId) as { answered: number; correct: number | null } | undefined;
  return { answered: r?.answered ?? 0, correct: r?.correct ?? 0 };
}

export function getAnswer(db: Db, postId: number, userId: string) {
  return db
    .select()
    .from(quizAnswers)
    .where(and(eq(quizAnswers.postId, postId), eq(quizAnswers.userId, userId)))
    .get();
}

/** Card ids asked in this server's most recent `n` posts (so questions do not repeat soon). */
export function recentQuestionCards(db: Db, guildId: string, n = 60): Set<number> {
  const rows = statements(db).recentCards.all(guildId, n) as { cardId: number }[];
  return new Set(rows.map((r) => r.cardId));
}

export function setGuildTimezone(db: Db, guildId: string, zone: string, now: Date): void {
  db.insert(guilds)
    .values({ id: guildId, timezone: zone, createdAt: now })
    .onConflictDoUpdate({ target: guilds.id, set: { timezone: zone } })
    .run();
}

// ── Writes of the claim and its outcome ─────────────────────────────────────────────────────────────

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

const summaryParams = (s: DueSummary) => ({
  dueMembers: s.dueMembers,
  dueCards: s.dueCards,
  pinged: JSON.stringify(s.pinged),
  pingedMore: s.pingedMore,
});

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
  const choices = q.choices === null ? null : JSON.stringify(q.choices);
  const r = statements(db).insertClaim.get({ ...c, ...summaryParams(summary), ...q, choices }) as
    | { id: number }
    | undefined;
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
      dueMembers: summary.dueMembers,
      dueCards: summary.dueCards,
      pinged: summary.pinged,
      pingedMore: summary.pingedMore,
      ...q,
    }
  );
}

/** Takes over a failed or abandoned claim if it is still as read (status and token); the row when it did. */
export function takeOverClaim(
  db: Db,
  p: Pick<QuizPostRow, "id" | "status" | "claimToken">,
  c: { channelId: string; claimToken: string; claimedAt: number },
  summary: DueSummary,
): QuizPostRow | undefined {
  return toPost(
    statements(db).takeOver.get({
      id: p.id,
      status: p.status,
      oldToken: p.claimToken,
      ...c,
      ...summaryParams(summary),
    }) as RawPost | undefined,
  );
}

export function setPosted(db: Db, postId: number, messageId: string, now: number): void {
  statements(db).markPosted.run(messageId, now, postId);
}

export function setClosed(db: Db, postId: number, now: number): void {
  statements(db).close.run(now, postId);
}

/** Records a failed send for the claim `token` holds; true when it still held it. */
export function setFailed(
  db: Db,
  postId: number,
  token: string,
  failure: { reason: string; code: number | null },
): boolean {
  return statements(db).markFailed.run(failure.reason, failure.code, postId, token).changes > 0;
}

export function setNextRun(db: Db, guildId: string, next: { date: string; at: number }): void {
  statements(db).setNext.run(next.date, next.at, guildId);
}

// ── The due summary's reads ─────────────────────────────────────────────────────────────────────────

export interface Member {
  userId: string;
  reminders: boolean;
}

/**
 * Members of a server, with their reminders setting, in user id order. A member is, as far as the bot can know
 * with only the Guilds intent (no member list), a user with a row in `stat_guild_members` for the server, which
 * the transaction of the act itself creates: reviewing a card in this server (any source: /study, Start my
 * review, a quiz answer fed to their schedule — stats-record.ts), or answering its question of the day without a
 * review, right or wrong (points.ts `awardQuizPoints`). A member who subscribed here but never reviewed anything
 * has no card states, hence nothing due, so the due counts and pings lose nothing by leaving them out. Rows are
 * never removed; `rebuildStats` replays review_logs only, so it does not restore the row of a member whose only
 * act here was a quiz answer without a review.
 */
export function serverMembers(db: Db, guildId: string): Member[] {
  return (statements(db).members.all(guildId) as { userId: string; reminders: number }[]).map((r) => ({
    userId: r.userId,
    reminders: r.reminders === 1,
  }));
}

/** Whether the member has at least one card due at `now`, counted as `/study` in this server would. */
export function hasDue(db: Db, guildId: string, userId: string, now: number): boolean {
  return (statements(db).hasDue.get({ userId, guildId, until: now }) as { n: number }).n === 1;
}

/**
 * The member's cards due at `now`, counted as `/study` in this server would (subscribed, deck visible here, card
 * and deck not retired), but never past `limit`: min(due, limit). The walk is a range count on the covering
 * (user_id, deck_id, due) index, plus one lookup per retired card of their decks.
 */
export function dueUpTo(db: Db, guildId: string, userId: string, now: number, limit: number): number {
  if (limit <= 0) return 0;
  const st = statements(db);
  const p = { userId, guildId, until: now };
  const retired = (st.retiredDue.get(p) as { n: number }).n;
  const states = (st.dueStatesUpTo.get({ ...p, limit: limit + retired }) as { n: number }).n;
  return Math.min(limit, states - retired);
}

export interface StudyDecks {
  key: string;
  server: string;
  local: number;
}

/**
 * The decks the member studies in this server, as JSON arrays of ids in id order: all of them as `dueUpTo` counts
 * them (`key`: equal keys, equal counts), and those that are the server's own (`server`, as `serverDecks`); `local`
 * is 1 when the answer depends on the server (they subscribe to some server's import), else 0.
 */
export function studyDecks(db: Db, guildId: string, userId: string): StudyDecks {
  return statements(db).studyDecks.get({ userId, guildId }) as StudyDecks;
}

/**
 * The member's due card states in their decks here, counted up to `limit`, retired cards' states included: the
 * covering index alone, no lookup per retired card. For ranking members (which pings go first), not for a figure.
 */
export function dueStatesUpTo(db: Db, guildId: string, userId: string, now: number, limit: number): number {
  return (statements(db).dueStatesUpTo.get({ userId, guildId, until: now, limit }) as { n: number }).n;
}

export interface ServerDeck {
  id: string;
  name: string;
}

/** Ids in SQLite's order (BINARY: UTF-8 bytes), which JS's string order differs from past U+FFFF. */
const byId = (a: ServerDeck, b: ServerDeck) => Buffer.compare(Buffer.from(a.id), Buffer.from(b.id));

/**
 * The server's decks: shipped files and this server's own imports (not personal decks), in id order. With `memo`
 * (a tick's), the shipped ones are read once into it and only the server's own imports per server.
 */
export function serverDecks(db: Db, guildId: string, memo?: { fileDecks?: ServerDeck[] }): ServerDeck[] {
  const st = statements(db);
  if (!memo) return st.serverDecks.all({ guildId }) as ServerDeck[];
  memo.fileDecks ??= st.fileDecks.all() as ServerDeck[];
  const own = st.importedDecks.all({ guildId }) as ServerDeck[]; // on decks_guild_idx, unordered
  return own.length === 0 ? memo.fileDecks : [...memo.fileDecks, ...own].sort(byId);
}

export function deckName(db: Db, deckId: string): string {
  return statements(db).deckName.pluck().get(deckId) as string;
}

/** The server's decks (as `serverDecks`) that at least one of its members studies, in id order. */
export function studiedDecks(db: Db, guildId: string): ServerDeck[] {
  return statements(db).studiedDecks.all({ guildId }) as ServerDeck[];
}

/** A card whose question is read when first asked for (a question shows one card's, not the deck's). */
class LazyCard implements QuizCard {
  readonly id: number;
  readonly back: string;
  #front: string | undefined;
  readonly #read: Database.Statement;
  constructor(id: number, back: string, read: Database.Statement) {
    this.id = id;
    this.back = back;
    this.#read = read;
  }
  get front(): string {
    this.#front ??= this.#read.pluck().get(this.id) as string;
    return this.#front;
  }
}

/** A deck's active cards as a tick shares them: ids and answers in deck order, the shape index once asked. */
export interface DeckCards {
  ids: number[];
  backs: string[];
  answers?: DeckAnswers;
}

/**
 * The deck's active cards in deck order, as `pickQuestion` takes them. Ids and answers are read up front in one
 * query (or taken from `memo`, by deck): the distractors are chosen by the answers' shapes. A card's question is
 * read only for the card asked.
 */
export function activeCards(db: Db, deckId: string, memo?: Map<string, DeckCards>): QuizDeck {
  const st = statements(db);
  let deck = memo?.get(deckId);
  if (!deck) {
    const rows = st.activeCards.raw().all(deckId) as [number, string][];
    deck = { ids: rows.map((r) => r[0]), backs: rows.map((r) => r[1]) };
    memo?.set(deckId, deck);
  }
  const d = deck;
  const cards = new Map<number, LazyCard>();
  return {
    size: d.ids.length,
    card(k) {
      let c = cards.get(k);
      if (!c) {
        c = new LazyCard(d.ids[k] as number, d.backs[k] as string, st.cardFront);
        cards.set(k, c);
      }
      return c;
    },
    answers() {
      d.answers ??= indexAnswers(d.backs, answerKey);
      return d.answers;
    },
  };
}
