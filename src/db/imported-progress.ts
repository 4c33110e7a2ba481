/**
 * A member's progress brought from Anki (`/deck import import_progress:true`), written inside the import's
 * transaction (deck-imports.ts): each card's replayed state (card_states) and its reviews (review_logs, source
 * "import"), and those reviews in the member's own /stats history (stat_user_slots: periods, heatmap, retention,
 * time spent). Nothing else counts them: no leaderboard points, no server totals (guild_id is null, and
 * stat_guild_* are not written), no study days or streak (stat_user_days, stat_streaks: a streak is days studied
 * here, and its bonus is points). A card the member already has a state for keeps the schedule it has here.
 *
 * Every write is one statement over a JSON array per chunk (as deck-cards.ts `upsertCards`): a 5,000-card deck
 * with 30 reviews a card is 150,000 log lines, which one statement a line would take minutes to write on
 * PostgreSQL. Each row is an array of its columns' values in order: reading an object's fields by name cost 1.7×
 * on SQLite and 1.3× on PostgreSQL (measured, 150,000 lines).
 */
import { and, eq, isNull, type SQL, sql } from "drizzle-orm";
import type { ReplayedHistory } from "../core/anki-replay.ts";
import { State } from "../core/scheduling.ts";
import type { Db, EngineKind } from "./client.ts";
import { perConnection } from "./prepared.ts";
import { SLOT_MS, statSlot } from "./review-stats.ts";
import { cardStates, cards, reviewLogs, statUserSlots } from "./schema.ts";

/** One imported card's replayed history (core/anki-replay.ts), by its key in the deck. */
export interface ImportedCardProgress extends Omit<ReplayedHistory, "future"> {
  key: string;
}

/**
 * What the import wrote: cards given their Anki history (a state, unless reset to new since), reviews logged, and
 * cards with a history that kept the state they have here.
 */
export interface ProgressWritten {
  cards: number;
  reviews: number;
  kept: number;
}

/** One imported review as the /stats aggregates count it (the rebuild's too: stat-rebuild.ts). */
export interface ImportedReviewFact {
  userId: string;
  at: number;
  rating: number;
  /** The card's ts-fsrs state before the review. */
  stateBefore: number;
  ms: number;
}

/** Rows per statement: a JSON parameter of a few MB at most. */
const CHUNK = 5_000;

const p = (name: string) => sql.placeholder(name);
const rows = (kind: EngineKind, param: string): SQL =>
  kind === "pg" ? sql`json_array_elements(${p(param)}::json) j(value)` : sql`json_each(${p(param)}) j`;
/** Element `k` of a row as its column's type: PostgreSQL's `->>` gives text, SQLite's the JSON value itself. */
const at = (kind: EngineKind, k: number, pgType: string): SQL =>
  kind === "pg" ? sql.raw(`(j.value ->> ${k})::${pgType}`) : sql.raw(`j.value ->> ${k}`);
/** Elements `from`… of a row in order, each as its column's PostgreSQL type (`types`, space-separated). */
const elements = (kind: EngineKind, types: string, from = 0): SQL =>
  sql.join(
    types.split(" ").map((t, k) => at(kind, from + k, t)),
    sql`, `,
  );
const plusExcluded = (column: { name: string }) => sql`${column} + ${sql.raw(`excluded.${column.name}`)}`;

// Insert-selects over a JSON array list every column in the table's order (drizzle's rule for `.select`).
const statements = perConnection((db, kind) => ({
  // The deck's active cards by key, and whether the member has a state of each (a re-import keeps it).
  // Cards whose Anki history an earlier import wrote: a card reset (Forget) in Anki replays to no state, so its
  // state alone cannot tell a re-import that its reviews are in already. The member's review index, once.
  importedBefore: db
    .selectDistinct({ cardId: reviewLogs.cardId })
    .from(reviewLogs)
    .where(
      and(
        eq(reviewLogs.userId, p("userId")),
        eq(reviewLogs.deckId, p("deckId")),
        eq(reviewLogs.source, "import"),
      ),
    )
    .prepare(),
  deckCards: db
    .select({ id: cards.id, key: cards.key, stated: cardStates.cardId })
    .from(cards)
    .leftJoin(cardStates, and(eq(cardStates.userId, p("userId")), eq(cardStates.cardId, cards.id)))
    .where(and(eq(cards.deckId, p("deckId")), isNull(cards.retiredAt)))
    .prepare(),
  insertStates: db
    .insert(cardStates)
    .select(
      // [card_id, due, stability, difficulty, elapsed_days, scheduled_days, learning_steps, reps, lapses,
      // state, last_review]
      sql`select ${p("userId")}, ${at(kind, 0, "int")}, ${p("deckId")},
        ${elements(kind, "bigint float8 float8 int int int int int int bigint", 1)}
        from ${rows(kind, "states")} where true`,
    )
    .onConflictDoNothing({ target: [cardStates.userId, cardStates.cardId] })
    .prepare(),
  insertLogs: db
    .insert(reviewLogs)
    .select(
      // [card_id, rating, state, due, stability, difficulty, elapsed_days, last_elapsed_days, scheduled_days,
      // learning_steps, review, duration_ms]; no server (guild_id null), source "import"
      sql`select ${kind === "pg" ? sql`nextval(pg_get_serial_sequence('review_logs', 'id'))` : sql`null`},
        ${p("userId")}, ${at(kind, 0, "int")}, ${p("deckId")}, ${kind === "pg" ? sql`null::text` : sql`null`},
        ${elements(kind, "int int bigint float8 float8 int int int int bigint int", 1)}, 'import'
        from ${rows(kind, "logs")}`,
    )
    .prepare(),
  addSlots: db
    .insert(statUserSlots)
    // [user_id, slot, reviews, again, review_state_reviews, review_state_again, ms]
    .select(
      sql`select ${elements(kind, "text int int int int int int")} from ${rows(kind, "slots")} where true`,
    )
    .onConflictDoUpdate({
      target: [statUserSlots.userId, statUserSlots.slot],
      set: {
        reviews: plusExcluded(statUserSlots.reviews),
        again: plusExcluded(statUserSlots.again),
        matureReviews: plusExcluded(statUserSlots.matureReviews),
        matureAgain: plusExcluded(statUserSlots.matureAgain),
        ms: plusExcluded(statUserSlots.ms),
      },
    })
    .prepare(),
}));

/** A log row's review instant (its element 10). */
const REVIEW = 10;

function chunks<T>(all: T[]): T[][] {
  const out: T[][] = [];
  for (let from = 0; from < all.length; from += CHUNK) out.push(all.slice(from, from + CHUNK));
  return out;
}

/**
 * Adds imported reviews to the members' /stats slots (stat_user_slots), never their study days, streak or any
 * server's totals. A slot's time is at most the slot itself (SLOT_MS): real reviews never spend more, and a
 * crafted history cannot grow a total past what the column holds.
 */
export async function addImportedReviewSlots(db: Db, facts: readonly ImportedReviewFact[]): Promise<void> {
  const slots = new Map<
    string,
    {
      userId: string;
      slot: number;
      reviews: number;
      again: number;
      mature: number;
      matureAgain: number;
      ms: number;
    }
  >();
  for (const f of facts) {
    const slot = statSlot(f.at);
    const key = `${f.userId}:${slot}`;
    let s = slots.get(key);
    if (!s) {
      s = { userId: f.userId, slot, reviews: 0, again: 0, mature: 0, matureAgain: 0, ms: 0 };
      slots.set(key, s);
    }
    const again = f.rating === 1 ? 1 : 0;
    const mature = f.stateBefore === State.Review ? 1 : 0;
    s.reviews++;
    s.again += again;
    s.mature += mature;
    s.matureAgain += mature & again;
    s.ms = Math.min(SLOT_MS, s.ms + f.ms);
  }
  const st = statements(db);
  const values = [...slots.values()].map((s) => [
    s.userId,
    s.slot,
    s.reviews,
    s.again,
    s.mature,
    s.matureAgain,
    s.ms,
  ]);
  for (const part of chunks(values)) await st.addSlots.run({ slots: JSON.stringify(part) });
}

/**
 * Writes the importer's progress on deck `deckId` (its cards just written, in the import's transaction): the
 * state and reviews of every card of `progress` the member has no state of yet; a card they have one of keeps it
 * (and logs nothing more: a re-import does not repeat its history).
 */
export async function writeImportedProgress(
  db: Db,
  input: { userId: string; deckId: string; progress: readonly ImportedCardProgress[] },
): Promise<ProgressWritten> {
  const { userId, deckId } = input;
  const st = statements(db);
  const byKey = new Map((await st.deckCards.all({ userId, deckId })).map((c) => [c.key, c]));
  const before = new Set((await st.importedBefore.all({ userId, deckId })).map((r) => r.cardId));
  const states: (number | null)[][] = [];
  const logs: number[][] = [];
  const facts: ImportedReviewFact[] = [];
  let kept = 0;
  let written = 0;
  for (const h of input.progress) {
    const card = byKey.get(h.key);
    if (!card || h.reviews.length === 0) continue;
    if (card.stated !== null || before.has(card.id)) {
      kept++;
      continue;
    }
    written++;
    const cardId = card.id;
    if (h.card)
      states.push([
        cardId,
        h.card.due.getTime(),
        h.card.stability,
        h.card.difficulty,
        h.card.elapsed_days,
        h.card.scheduled_days,
        h.card.learning_steps,
        h.card.reps,
        h.card.lapses,
        h.card.state,
        h.card.last_review?.getTime() ?? null,
      ]);
    for (const { log, durationMs } of h.reviews) {
      const review = log.review.getTime();
      logs.push([
        cardId,
        log.rating,
        log.state,
        log.due.getTime(),
        log.stability,
        log.difficulty,
        log.elapsed_days,
        log.last_elapsed_days,
        log.scheduled_days,
        log.learning_steps,
        review,
        durationMs,
      ]);
      facts.push({ userId, at: review, rating: log.rating, stateBefore: log.state, ms: durationMs });
    }
  }
  for (const part of chunks(states))
    await st.insertStates.run({ userId, deckId, states: JSON.stringify(part) });
  // In time order: the log's ids follow the reviews' dates, and the member's (user, review) index is appended to.
  logs.sort((a, b) => (a[REVIEW] ?? 0) - (b[REVIEW] ?? 0));
  for (const part of chunks(logs)) await st.insertLogs.run({ userId, deckId, logs: JSON.stringify(part) });
  await addImportedReviewSlots(db, facts);
  return { cards: written, reviews: logs.length, kept };
}
