/**
 * What the question of the day is drawn from: the server's decks (shipped files and its own imports, not personal
 * decks), those its members study, the decks' active cards, and the cards asked lately. Synchronous reads, run
 * inside the content's read transaction (quiz-due.ts `readDayContent`) or `readQuestion`'s; the choice itself is
 * services/quiz/day.ts's (src/core `pickQuestion`), passed in.
 */
import { and, asc, eq, isNull, ne, or, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { answerKey, type QuizCard, type QuizDeck } from "../core/quiz.ts";
import { type DeckAnswers, indexAnswers } from "../core/quiz-shape.ts";
import { type Db, readTx } from "./client.ts";
import { perConnection, rawTuples } from "./prepared.ts";
import { recentQuestionCards } from "./quiz-posts.ts";
import { cards, decks, statGuildMembers, subscriptions } from "./schema.ts";

export interface ServerDeck {
  id: string;
  name: string;
}

/** A deck's active cards as a tick shares them: ids and answers in deck order, the shape index once asked. */
export interface DeckCards {
  ids: number[];
  backs: string[];
  answers?: DeckAnswers;
}

/** What a tick reads once for the question and reuses across its servers (part of quiz-due.ts `TickMemo`). */
export interface QuestionMemo {
  /** Active cards' ids and answers by deck (`activeCards`): one read per deck, not per server. */
  cards: Map<string, DeckCards>;
  /** The shipped decks (`serverDecks`), read when a server first needs them. */
  fileDecks?: ServerDeck[];
}

const d = alias(decks, "d");
const m = alias(statGuildMembers, "m");
const s = alias(subscriptions, "s");
const guildId = sql.placeholder("guildId");

/** The server's own decks for the question: shipped files and this server's imports, not personal decks. */
const serverDeck = and(
  isNull(d.retiredAt),
  or(eq(d.source, "file"), and(eq(d.guildId, guildId), isNull(d.ownerId))),
);

const statements = perConnection((db) => ({
  /** The server's decks (id order); whether one has the 4 active cards a question needs is seen when it is read. */
  serverDecks: db.select({ id: d.id, name: d.name }).from(d).where(serverDeck).orderBy(asc(d.id)).prepare(),
  /** `serverDecks` in two parts, the shipped ones (the same for every server) and the server's own imports. */
  fileDecks: db
    .select({ id: d.id, name: d.name })
    .from(d)
    .where(and(isNull(d.retiredAt), eq(d.source, "file")))
    .orderBy(asc(d.id))
    .prepare(),
  importedDecks: db
    .select({ id: d.id, name: d.name })
    .from(d)
    .where(and(eq(d.guildId, guildId), isNull(d.ownerId), isNull(d.retiredAt), ne(d.source, "file")))
    .prepare(),
  /** The server's decks its members study: their subscriptions, a few per member. */
  studiedDecks: db
    .selectDistinct({ id: d.id, name: d.name })
    .from(m)
    .innerJoin(s, eq(s.userId, m.userId))
    .innerJoin(d, eq(d.id, s.deckId))
    .where(and(eq(m.guildId, guildId), serverDeck))
    .orderBy(asc(d.id))
    .prepare(),
  /**
   * The deck's active cards' ids and answers in deck order (the (deck_id, retired_at, position) index, then rows).
   * Rows as arrays (`rawTuples`): a deck's thousands of rows per server read, where an object per row (drizzle's
   * mapping) measured ~1.5× the tick's per-server service time at the target size.
   */
  activeCards: rawTuples<[id: number, back: string]>(sql`SELECT ${cards.id}, ${cards.back} FROM ${cards}
      WHERE ${cards.deckId} = ${sql.placeholder("deckId")} AND ${cards.retiredAt} IS NULL
      ORDER BY ${cards.position}, ${cards.id}`),
  deckName: db
    .select({ name: decks.name })
    .from(decks)
    .where(eq(decks.id, sql.placeholder("deckId")))
    .prepare(),
  cardFront: db
    .select({ front: cards.front })
    .from(cards)
    .where(eq(cards.id, sql.placeholder("cardId")))
    .prepare(),
}));

/** Ids in SQLite's order (BINARY: UTF-8 bytes), which JS's string order differs from past U+FFFF. */
const byId = (a: ServerDeck, b: ServerDeck) => Buffer.compare(Buffer.from(a.id), Buffer.from(b.id));

/**
 * The server's decks: shipped files and this server's own imports (not personal decks), in id order. With `memo`
 * (a tick's), the shipped ones are read once into it and only the server's own imports per server.
 */
export async function serverDecks(db: Db, guildId: string, memo?: QuestionMemo): Promise<ServerDeck[]> {
  const st = statements(db);
  if (!memo) return st.serverDecks.all({ guildId });
  memo.fileDecks ??= await st.fileDecks.all();
  const own = await st.importedDecks.all({ guildId }); // on decks_guild_idx, unordered
  return own.length === 0 ? memo.fileDecks : [...memo.fileDecks, ...own].sort(byId);
}

/** The server's decks (as `serverDecks`) that at least one of its members studies, in id order. */
export async function studiedDecks(db: Db, guildId: string): Promise<ServerDeck[]> {
  return statements(db).studiedDecks.all({ guildId });
}

export async function deckName(db: Db, deckId: string): Promise<string> {
  return (await statements(db).deckName.get({ deckId }))?.name ?? "";
}

/** A card's question (a party round's, the question of the day's). */
export async function cardFront(db: Db, cardId: number): Promise<string> {
  return (await statements(db).cardFront.get({ cardId }))?.front ?? "";
}

/**
 * The deck's active cards in deck order, as `pickQuestion` takes them. Ids and answers are read up front in one
 * query (or taken from `memo`, by deck): the distractors are chosen by the answers' shapes. The cards' questions
 * are not read (`front` is empty): only the chosen card's is, by `QuestionReads.front`.
 */
export async function activeCards(db: Db, deckId: string, memo?: Map<string, DeckCards>): Promise<QuizDeck> {
  const st = statements(db);
  let deck = memo?.get(deckId);
  if (!deck) {
    const rows = await st.activeCards.all({ deckId });
    deck = { ids: rows.map((r) => r[0]), backs: rows.map((r) => r[1]) };
    memo?.set(deckId, deck);
  }
  const dc = deck;
  const made = new Map<number, QuizCard>();
  return {
    size: dc.ids.length,
    card(k) {
      let c = made.get(k);
      if (!c) {
        c = { id: dc.ids[k] ?? 0, back: dc.backs[k] ?? "", front: "" };
        made.set(k, c);
      }
      return c;
    },
    answers() {
      dc.answers ??= indexAnswers(dc.backs, answerKey);
      return dc.answers;
    },
  };
}

/** The reads a question is chosen from, for one server (inside one read transaction). */
export interface QuestionReads {
  /** Card ids asked in the server's recent posts. */
  recent(): Promise<Set<number>>;
  /** The server's decks its members study (id order). */
  studied(): Promise<ServerDeck[]>;
  /** All the server's decks (id order). */
  all(): Promise<ServerDeck[]>;
  cards(deckId: string): Promise<QuizDeck>;
  /** The question of the card chosen. */
  front(cardId: number): Promise<string>;
  deckName(deckId: string): Promise<string>;
}

export function questionReads(db: Db, guildId: string, memo?: QuestionMemo): QuestionReads {
  return {
    recent: () => recentQuestionCards(db, guildId),
    studied: () => studiedDecks(db, guildId),
    all: () => serverDecks(db, guildId, memo),
    cards: (deckId) => activeCards(db, deckId, memo?.cards),
    front: (cardId) => cardFront(db, cardId),
    deckName: (deckId) => deckName(db, deckId),
  };
}

/** Runs `pick` over the server's question reads in one read transaction (one snapshot for all of them). */
export async function readQuestion<Q>(
  db: Db,
  guildId: string,
  pick: (reads: QuestionReads) => Promise<Q>,
  memo?: QuestionMemo,
): Promise<Q> {
  return readTx(db, (t) => pick(questionReads(t, guildId, memo)));
}
