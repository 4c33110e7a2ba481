/**
 * The reads of a day's content (what a post shows): the server's members and their due cards (the due summary),
 * then the question (quiz-questions.ts). The tick runs them for every server every day, so every statement is a
 * search on an index, prepared once per connection: nothing here reads review_logs, and card_states is only read
 * per member through its (user_id, …) indexes. test/quiz/tick-queries.test.ts holds them to their plain
 * definitions and to their query plans.
 *
 * `readDayContent` is one async call per server with a synchronous loop inside: each stretch of members in one
 * read transaction, and between stretches (every ~8 ms of work) a yield to the event loop outside any
 * transaction, so a big server never stalls the bot.
 */
import { type SQL, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { held } from "./card-holds.ts";
import { type Db, type EngineKind, readTx } from "./client.ts";
import { deckVisible } from "./deck-visibility.ts";
import { perConnection, rawPrepared, rawTuples } from "./prepared.ts";
import { type QuestionMemo, type QuestionReads, questionReads } from "./quiz-questions.ts";
import { decks, statGuildMembers, subscriptions, userSettings } from "./schema.ts";
import { studyDecks as studyDecksQuery } from "./study-decks.ts";

/** The due summary yields to the event loop after this much work (ms). */
const SLICE_MS = 8;

/**
 * What a tick reads once and reuses across its servers; made per tick (one `now`) and dropped after it, so what it
 * holds is as of the tick, like the rest of a post.
 */
export interface TickMemo extends QuestionMemo {
  /**
   * Exact due counts by member and the decks they study in the server (`studyDecks` key): a member sees the same
   * decks in most of their servers (the shipped ones), so their other servers reuse the count.
   */
  due: Map<string, number>;
  /** A member's `studyDecks` when the same in every server (no server import among them): one read per member. */
  decks: Map<string, StudyDecks>;
}

export const tickMemo = (): TickMemo => ({ due: new Map(), decks: new Map(), cards: new Map() });

/** The decks a member studies as `/study` in this server would (study-decks.ts; every call binds `deckId: null`). */
const STUDY_DECKS = sql`(${studyDecksQuery})`;
const d = alias(decks, "d");

const until = sql.placeholder("until");
const m = alias(statGuildMembers, "m");
const us = alias(userSettings, "us");

// Counting note (as in db/study-queries.ts): "due states of active cards in the member's decks" = "due states in
// those decks" (a range count on card_states_user_deck_due_idx alone) − "due states of their retired cards".
// The four statements below are whole `sql` templates: each needs what the builder cannot say (an EXISTS without FROM, a CROSS JOIN fixing the join order, FILTER
// aggregates, a count over a LIMITed subquery).
const idArray = (kind: EngineKind, where: SQL): SQL =>
  kind === "pg"
    ? sql`coalesce(json_agg(id ORDER BY id) FILTER (WHERE ${where}), '[]')::text`
    : sql`json_group_array(id) FILTER (WHERE ${where})`;
const sameOwner = (kind: EngineKind): SQL =>
  sql`owner_id ${sql.raw(kind === "pg" ? "IS NOT DISTINCT FROM" : "IS")} ${sql.placeholder("userId")}`;

/** The member's held cards (card-holds.ts) that are due at `until`, active, in `decks`: what the counts leave out. */
const heldDue = (
  userId: SQL,
  decks: SQL,
): SQL => sql`card_holds h JOIN card_states hs ON hs.user_id = h.user_id
      AND hs.card_id = h.card_id AND hs.due <= ${until} AND hs.deck_id IN ${decks}
    JOIN cards hc ON hc.id = h.card_id AND hc.retired_at IS NULL
    WHERE h.user_id = ${userId} AND (h.until IS NULL OR h.until > ${until})`;

const statements = perConnection((_db, kind) => ({
  // Row arrays (`rawTuples`): one row per member of the server, thousands for a big one, read every day; an object
  // per row through drizzle's mapping costs more than the read.
  members: rawTuples<
    [userId: string, reminders: number]
  >(sql`SELECT ${m.userId}, COALESCE(${us.reminders}, 0) FROM ${statGuildMembers} ${m}
      LEFT JOIN ${userSettings} ${us} ON ${us.userId} = ${m.userId}
      WHERE ${m.guildId} = ${sql.placeholder("guildId")} ORDER BY ${m.userId}`),
  /** Has the member at least one card due (walks their due states in their decks, stops at the first active). */
  hasDue: rawPrepared<{
    n: number;
  }>(sql`SELECT EXISTS (SELECT 1 FROM card_states cs JOIN cards c ON c.id = cs.card_id
      WHERE cs.user_id = ${sql.placeholder("userId")} AND cs.deck_id IN ${STUDY_DECKS} AND cs.due <= ${until}
        AND c.retired_at IS NULL AND NOT ${held(sql`cs.card_id`, sql`${sql.placeholder("userId")}`, sql`${until}`)}) AS n`),
  // SQLite's CROSS JOIN fixes the join order (cards first); PostgreSQL takes no ON after CROSS JOIN, and plans the
  // order itself.
  // With them, the member's held cards that are due (card-holds.ts): a few rows by primary key.
  retiredDue: rawPrepared<{
    n: number;
  }>(sql`SELECT (SELECT count(*) FROM cards c ${sql.raw(kind === "pg" ? "JOIN" : "CROSS JOIN")} card_states cs
      ON cs.user_id = ${sql.placeholder("userId")} AND cs.card_id = c.id
      WHERE c.deck_id IN ${STUDY_DECKS} AND c.retired_at IS NOT NULL AND cs.due <= ${until})
    + (SELECT count(*) FROM ${heldDue(sql`${sql.placeholder("userId")}`, STUDY_DECKS)}) AS n`),
  /**
   * The decks the member studies here, as a key (their due count is the same wherever the key is), those of them
   * that are the server's (the visible ones that are not their personal imports), and whether they subscribe to a
   * server's import (`local`): if not, both are the same in every server.
   */
  // A JSON array of ids in id order: SQLite's json_group_array, PostgreSQL's json_agg (NULL over no rows).
  studyDecks: rawPrepared<StudyDecks>(sql`SELECT ${idArray(kind, sql`here`)} AS key,
      ${idArray(kind, sql`here AND (source = 'file' OR owner_id IS NULL)`)} AS server,
      count(*) FILTER (WHERE retired_at IS NULL AND NOT (source = 'file' OR ${sameOwner(kind)})) > 0 AS local
    FROM (SELECT s.deck_id AS id, d.source, d.owner_id, d.retired_at, (${deckVisible(d, sql.placeholder("userId"), sql.placeholder("guildId"))}) AS here
      FROM subscriptions s JOIN decks d ON d.id = s.deck_id WHERE s.user_id = ${sql.placeholder("userId")} ORDER BY s.deck_id) AS sd`),
  /** Due states in the member's decks, retired cards included, counted up to `limit` (covering index only). */
  dueStatesUpTo: rawPrepared<{ n: number }>(sql`SELECT count(*) AS n FROM (SELECT 1 FROM card_states cs
      WHERE cs.user_id = ${sql.placeholder("userId")} AND cs.deck_id IN ${STUDY_DECKS} AND cs.due <= ${until}
      LIMIT ${sql.placeholder("limit")}) AS due`),
}));

// PostgreSQL only: a chunk of members' deck lists and due counts in one statement. Each of the per-member reads
// above is a round trip there, whose protocol work is the bot's CPU (3 ms per server in the tick, 8.8 s for a
// 5,000-member server); here a chunk of 64 is one. The same definitions as `studyDecks` and `dueUpTo` (the
// member's active due states in their decks), with the member as a column of the ids' `unnest`. PostgreSQL takes
// no column in a LIMIT, so the count is one of two: under a small cap (the server's budget is spent: "any due?"),
// a walk of at most `cap` states with a lookup of each card; else every due state counted on the covering index,
// less those of retired cards (a member's states are at most the cards of their decks). On the bench's
// 5,000-member server: 5–7 ms a chunk for the first, 17–30 for the second, where a walk of every state took 147.
const SMALL_CAP = 100;
const s2 = alias(subscriptions, "s2");
const d2 = alias(decks, "d2");
const ID = sql`u.user_id`;
/** The member's decks here (`studyDecks`, for the chunk's member): the due counts' deck filter. */
const STUDIED = sql`(SELECT ${s2.deckId} FROM ${subscriptions} ${s2} JOIN ${decks} ${d2} ON ${d2.id} = ${s2.deckId}
  WHERE ${s2.userId} = ${ID} AND ${deckVisible(d2, ID, sql.placeholder("guildId"))})`;
const COUNTED = sql`(SELECT LEAST(CAST(${sql.placeholder("cap")} AS integer),
    (SELECT count(*) FROM card_states cs WHERE cs.user_id = ${ID} AND cs.due <= ${until} AND cs.deck_id IN ${STUDIED})
    - (SELECT count(*) FROM cards c JOIN card_states cs ON cs.user_id = ${ID} AND cs.card_id = c.id
        WHERE c.retired_at IS NOT NULL AND cs.due <= ${until} AND c.deck_id IN ${STUDIED})
    - (SELECT count(*) FROM ${heldDue(ID, STUDIED)})) AS n)`;
const WALKED = sql`(SELECT count(*) AS n FROM (SELECT 1 FROM card_states cs JOIN cards c ON c.id = cs.card_id
    WHERE cs.user_id = ${ID} AND cs.due <= ${until} AND c.retired_at IS NULL AND cs.deck_id IN ${STUDIED}
      AND NOT ${held(sql`cs.card_id`, ID, sql`${until}`)}
    LIMIT ${sql.placeholder("cap")}) AS due)`;
const chunkQuery = (count: SQL) => sql`
    SELECT u.user_id, sd.key, sd.server, sd.local, dc.n
    FROM unnest(CAST(${sql.placeholder("userIds")} AS text[])) WITH ORDINALITY AS u(user_id, ord)
    CROSS JOIN LATERAL (SELECT ${idArray("pg", sql`here`)} AS key,
        ${idArray("pg", sql`here AND (source = 'file' OR owner_id IS NULL)`)} AS server,
        count(*) FILTER (WHERE retired_at IS NULL AND NOT (source = 'file' OR owner_id IS NOT DISTINCT FROM ${ID})) > 0 AS local
      FROM (SELECT s.deck_id AS id, d.source, d.owner_id, d.retired_at, (${deckVisible(d, ID, sql.placeholder("guildId"))}) AS here
        FROM subscriptions s JOIN decks d ON d.id = s.deck_id WHERE s.user_id = ${ID}) AS sd0) AS sd
    CROSS JOIN LATERAL ${count} AS dc
    ORDER BY u.ord`;
type ChunkRow = [userId: string, key: string, server: string, local: boolean, due: number];
const chunkStatements = perConnection(() => ({
  counted: rawTuples<ChunkRow>(chunkQuery(COUNTED)),
  walked: rawTuples<ChunkRow>(chunkQuery(WALKED)),
}));

/** What `chunkDues` read for one member: their decks here, and their due count, exact when below `cap`. */
interface PrefetchedDues {
  decks: StudyDecks;
  due: number;
  cap: number;
}

/** PostgreSQL: `studyDecks` and `dueUpTo` (capped at `cap`) of each of `userIds`, in one statement. */
export async function chunkDues(
  db: Db,
  guildId: string,
  userIds: string[],
  now: number,
  cap: number,
): Promise<Map<string, PrefetchedDues>> {
  const st = chunkStatements(db);
  const rows = await (cap <= SMALL_CAP ? st.walked : st.counted).all({ userIds, guildId, until: now, cap });
  return new Map(
    rows.map(([userId, key, server, local, due]) => [
      userId,
      { decks: { key, server, local: local ? 1 : 0 }, due: Number(due), cap },
    ]),
  );
}

export interface Member {
  userId: string;
  reminders: boolean;
}

/**
 * Members of a server, with their reminders setting, in user id order. A member is, as far as the bot can know
 * with only the Guilds intent (no member list), a user with a row in `stat_guild_members` for the server, which
 * the transaction of the act itself creates: reviewing a card in this server (any source: /study, Start my
 * review, a quiz answer fed to their schedule — review-stats.ts), or answering its question of the day without a
 * review, right or wrong (review-stats.ts `awardQuizPoints`). A member who subscribed here but never reviewed
 * anything has no card states, hence nothing due, so the due counts and pings lose nothing by leaving them out.
 * Rows are never removed; `rebuildStats` replays review_logs only, so it does not restore the row of a member
 * whose only act here was a quiz answer without a review.
 */
export async function serverMembers(db: Db, guildId: string): Promise<Member[]> {
  const rows = await statements(db).members.all({ guildId });
  return rows.map(([userId, reminders]) => ({ userId, reminders: reminders === 1 }));
}

/** Whether the member has at least one card due at `now`, counted as `/study` in this server would. */
export async function hasDue(db: Db, guildId: string, userId: string, now: number): Promise<boolean> {
  return Boolean((await statements(db).hasDue.get({ userId, guildId, deckId: null, until: now }))?.n);
}

/**
 * The member's cards due at `now`, counted as `/study` in this server would (subscribed, deck visible here, card
 * and deck not retired), but never past `limit`: min(due, limit). The walk is a range count on the covering
 * (user_id, deck_id, due) index, plus one lookup per retired card of their decks.
 */
export async function dueUpTo(
  db: Db,
  guildId: string,
  userId: string,
  now: number,
  limit: number,
): Promise<number> {
  if (limit <= 0) return 0;
  const st = statements(db);
  const p = { userId, guildId, deckId: null, until: now };
  const retired = (await st.retiredDue.get(p))?.n ?? 0;
  const states = (await st.dueStatesUpTo.get({ ...p, limit: limit + retired }))?.n ?? 0;
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
export async function studyDecks(db: Db, guildId: string, userId: string): Promise<StudyDecks> {
  const row = await statements(db).studyDecks.get({ userId, guildId });
  return row ? { ...row, local: Number(row.local) } : { key: "[]", server: "[]", local: 0 };
}

/**
 * The member's due card states in their decks here, counted up to `limit`, retired cards' states included: the
 * covering index alone, no lookup per retired card. For ranking members (which pings go first), not for a figure.
 */
export async function dueStatesUpTo(
  db: Db,
  guildId: string,
  userId: string,
  now: number,
  limit: number,
): Promise<number> {
  return (
    (await statements(db).dueStatesUpTo.get({ userId, guildId, deckId: null, until: now, limit }))?.n ?? 0
  );
}

/** A member's decks read with others (`chunkDues`), kept as `memberDecks` keeps them. */
function rememberDecks(memo: TickMemo, userId: string, decks: StudyDecks): StudyDecks {
  const known = memo.decks.get(userId);
  if (known) return known;
  if (!decks.local) memo.decks.set(userId, decks);
  return decks;
}

async function memberDecks(db: Db, guildId: string, userId: string, memo: TickMemo): Promise<StudyDecks> {
  return memo.decks.get(userId) ?? rememberDecks(memo, userId, await studyDecks(db, guildId, userId));
}

/** Counting stops: the server's due cards at `cards`, a member's rank count (which pings go first) at `rank`. */
export interface DueCaps {
  cards: number;
  rank: number;
}

/**
 * The members' due figures of a server: members with a card due, their cards in total (up to the cap), the
 * opted-in ones with their rank counts (user id order), and with a memo, the server's decks its members study
 * (ids in id order) when every member's decks were read on the way (not past the cards cap), else null.
 */
export interface MemberDues {
  dueMembers: number;
  dueCards: number;
  opted: { userId: string; rank: number }[];
  studied: string[] | null;
}

const CHUNK = 64;

/**
 * The members' reads, 64 members to a read transaction (one snapshot and, on SQLite, one file lock for the chunk
 * instead of one per statement), yielding to the event loop between chunks once a slice of time has gone: never
 * inside a transaction, where other tasks' statements would wait.
 */
async function dueReads(
  db: Db,
  guildId: string,
  now: number,
  caps: DueCaps,
  memo?: TickMemo,
): Promise<MemberDues> {
  let dueMembers = 0;
  let dueCards = 0;
  /** Opted-in members with cards due, and their rank count when already known. */
  const opted: { userId: string; rank: number | null }[] = [];
  const members = await serverMembers(db, guildId);
  /** The members' server decks (JSON arrays), while every member's are known. */
  let studied: Set<string> | null = memo ? new Set() : null;
  /** PostgreSQL: the chunk's members' decks and due counts, read at its start (`chunkDues`). */
  let pre: Map<string, PrefetchedDues> | null = null;
  const prefetch =
    db.kind === "pg"
      ? async (t: Db, chunk: readonly Member[]) => {
          // Capped at the budget left when the chunk starts: a count below it is exact, one at it is past any
          // member's budget in the chunk (the budget only shrinks), and past the budget 1 answers "any due?".
          const cap = Math.max(1, caps.cards - dueCards);
          pre = await chunkDues(
            t,
            guildId,
            chunk.map((mb) => mb.userId),
            now,
            cap,
          );
        }
      : undefined;
  const member = async (t: Db, mb: Member) => {
    let rank: number | null = null;
    let due: boolean;
    const budget = caps.cards - dueCards;
    const got = pre?.get(mb.userId);
    if (budget > 0) {
      const decks =
        memo &&
        (got ? rememberDecks(memo, mb.userId, got.decks) : await memberDecks(t, guildId, mb.userId, memo));
      const key = decks && `${mb.userId} ${decks.key}`;
      const known = key === undefined ? undefined : memo?.due.get(key);
      let n: number;
      if (known !== undefined) n = Math.min(known, budget);
      else if (got) {
        n = Math.min(got.due, budget);
        if (key !== undefined && got.due < budget) memo?.due.set(key, got.due); // kept as dueUpTo's would be
      } else {
        n = await dueUpTo(t, guildId, mb.userId, now, budget);
        if (key !== undefined && n < budget) memo?.due.set(key, n); // below the budget: exact
      }
      if (decks) studied?.add(decks.server);
      dueCards += n;
      due = n > 0;
      if (n < budget || n >= caps.rank) rank = Math.min(n, caps.rank);
    } else {
      const decks = memo?.decks.get(mb.userId);
      const known = decks && memo?.due.get(`${mb.userId} ${decks.key}`);
      if (decks && known !== undefined) {
        due = known > 0;
        rank = Math.min(known, caps.rank);
        studied?.add(decks.server);
      } else {
        due = got ? got.due > 0 : await hasDue(t, guildId, mb.userId, now);
        studied = null;
      }
    }
    if (due) {
      dueMembers++;
      if (mb.reminders) opted.push({ userId: mb.userId, rank });
    }
  };
  const slices = new Slices();
  await inReadChunks(db, members, slices, member, prefetch);
  const ranked: { userId: string; rank: number }[] = [];
  await inReadChunks(db, opted, slices, async (t, o) => {
    ranked.push({
      userId: o.userId,
      rank: o.rank ?? (await dueStatesUpTo(t, guildId, o.userId, now, caps.rank)),
    });
  });
  const union = studied && [...new Set([...studied].flatMap((j) => JSON.parse(j) as string[]))];
  return { dueMembers, dueCards, opted: ranked, studied: union?.sort() ?? null };
}

/** `each` over `items`, CHUNK to a read transaction, letting the event loop run between chunks (see `dueReads`). */
async function inReadChunks<T>(
  db: Db,
  items: readonly T[],
  slices: Slices,
  each: (t: Db, item: T) => Promise<void>,
  before?: (t: Db, chunk: readonly T[]) => Promise<void>,
): Promise<void> {
  for (let i = 0; i < items.length; i += CHUNK) {
    const chunk = items.slice(i, i + CHUNK);
    await readTx(db, async (t) => {
      await before?.(t, chunk);
      for (const item of chunk) await each(t, item);
    });
    await slices.breathe();
  }
}

/** Lets the event loop run (other members' clicks) once a slice of time has gone since the last time. */
class Slices {
  #since = performance.now();
  async breathe(): Promise<void> {
    if (performance.now() - this.#since < SLICE_MS) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.#since = performance.now();
  }
}

/** The members' due figures of a server at `now` (see `MemberDues`), in one call. */
export function readMemberDues(
  db: Db,
  guildId: string,
  now: number,
  caps: DueCaps,
  memo?: TickMemo,
): Promise<MemberDues> {
  return dueReads(db, guildId, now, caps, memo);
}

/**
 * A day's content reads in one call: the members' due figures, then, with `pick`, the question chosen from the
 * server's reads (in one read transaction). `pick` is the service's choice (pure but for the reads it awaits).
 */
export async function readDayContent<Q>(
  db: Db,
  guildId: string,
  now: number,
  caps: DueCaps,
  memo: TickMemo | undefined,
  pick: ((reads: QuestionReads, studied: string[] | null) => Promise<Q>) | null,
): Promise<{ dues: MemberDues; question: Q | null }> {
  const dues = await dueReads(db, guildId, now, caps, memo);
  const question = pick ? await readTx(db, (t) => pick(questionReads(t, guildId, memo), dues.studied)) : null;
  return { dues, question };
}
