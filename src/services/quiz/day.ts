/**
 * What a server's day needs: its plan (wait, skip a missed day, post), the content a post shows (due summary,
 * question of the day) and the claim. ONE path, `claimServerDays`, for the tick (and the catch-up tick at start)
 * and for `/quiz now`: read the plan and what the day's row needs, prepare the content outside any transaction,
 * claim in one IMMEDIATE transaction per batch (db/quiz-posts.ts `claimDays`), and when the day changed in between
 * (a concurrent /quiz setup, another process), prepare what the claim asks for and claim again.
 */
import { UserError } from "../../core/errors.ts";
import {
  dateKey,
  decideDue,
  localDateOf,
  parseTimeOfDay,
  pickQuestion,
  type Question,
  quizSeed,
  randomOrder,
  runAfter,
  seededRandom,
} from "../../core/quiz.ts";
import {
  claimDays,
  type DayPlan,
  type DayStep,
  dayNeeds,
  type Outcome,
  type Prepare,
} from "../../db/quiz-claims.ts";
import { type QuizConfigRow, quizConfig } from "../../db/quiz-configs.ts";
import {
  type DueCaps,
  type MemberDues,
  readDayContent,
  readMemberDues,
  type TickMemo,
} from "../../db/quiz-due.ts";
import type { DayContent, DueSummary, QuestionFields } from "../../db/quiz-posts.ts";
import { type QuestionReads, readQuestion } from "../../db/quiz-questions.ts";
import type { Deps } from "../deps.ts";
import { NOT_SET_UP } from "./config.ts";

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
/** Claims of one server's day per tick or `/quiz now`: the first, and again while the day changes under it. */
const CLAIM_ATTEMPTS = 4;

const CAPS: DueCaps = { cards: DUE_CARDS_CAP, rank: PING_RANK_CAP };

// ── The content ─────────────────────────────────────────────────────────────────────────────────────

/** Pings: most cards due first; members come in user id order and the sort is stable, so ties stay in it. */
function summaryOf(d: MemberDues): DueSummary {
  const opted = [...d.opted].sort((a, b) => b.rank - a.rank);
  return {
    dueMembers: d.dueMembers,
    dueCards: d.dueCards,
    pinged: opted.slice(0, MAX_PINGS).map((o) => o.userId),
    pingedMore: Math.max(0, opted.length - MAX_PINGS),
  };
}

/**
 * The post's due summary at `now`: members of the server (db/quiz-due.ts `serverMembers`) with at least one card
 * due as `/study` here would count it, their due cards in total, and the opted-in ones to ping (most cards due
 * first, counted up to PING_RANK_CAP, then by user id; at most MAX_PINGS). Reads only, outside any write
 * transaction. Cards are counted up to DUE_CARDS_CAP in all; past it, a member only needs an existence check.
 */
export async function dueSummary(
  deps: Pick<Deps, "db">,
  guildId: string,
  now: number,
  caps: DueCaps = CAPS,
  memo?: TickMemo,
): Promise<DueSummary> {
  return summaryOf(await readMemberDues(deps.db, guildId, now, caps, memo));
}

type Chosen = (Question & { deckId: string; deckName: string }) | null;

/**
 * The question of the day from a server's reads: deterministic for (server, date) given the decks' content.
 * Decks the members study come first (`studied`, ids in id order, when the due summary found them), then the
 * server's other decks, each in a random order; the first deck that can make a question gives it (most often the
 * first one tried, so only that deck is read).
 */
async function pick(
  reads: QuestionReads,
  guildId: string,
  date: string,
  studied?: readonly string[],
): Promise<Chosen> {
  const rng = seededRandom(quizSeed(guildId, date));
  const recent = await reads.recent();
  const fromDecks = async (decks: readonly { id: string; name?: string }[]): Promise<Chosen> => {
    for (const k of randomOrder(decks.length, rng)) {
      const deck = decks[k];
      if (!deck) continue;
      const q = pickQuestion(await reads.cards(deck.id), rng, recent);
      // Only the chosen card's question is read.
      if (q)
        return {
          ...q,
          front: await reads.front(q.cardId),
          deckId: deck.id,
          deckName: deck.name ?? (await reads.deckName(deck.id)),
        };
    }
    return null;
  };
  const first = studied?.map((id) => ({ id })) ?? (await reads.studied());
  const ids = new Set(first.map((d) => d.id));
  return (await fromDecks(first)) ?? fromDecks((await reads.all()).filter((d) => !ids.has(d.id)));
}

/** The question of the day for a server (see `pick`); a tick passes its memo and the decks its summary found. */
export function chooseQuestion(
  deps: Pick<Deps, "db">,
  guildId: string,
  date: string,
  memo?: TickMemo,
  studied?: readonly string[],
): Promise<Chosen> {
  return readQuestion(deps.db, guildId, (reads) => pick(reads, guildId, date, studied), memo);
}

const fields = (q: Chosen): QuestionFields => ({
  cardId: q?.cardId ?? null,
  deckId: q?.deckId ?? null,
  deckName: q?.deckName ?? null,
  front: q?.front ?? null,
  choices: q?.choices ?? null,
  correctIndex: q?.correctIndex ?? null,
});

/** The content a claim of `date` writes: the summary, and the question when `withQuestion`. */
async function prepareContent(
  deps: Pick<Deps, "db">,
  guildId: string,
  need: { date: string; question: boolean },
  now: number,
  memo?: TickMemo,
): Promise<DayContent> {
  const { dues, question } = await readDayContent(
    deps.db,
    guildId,
    now,
    CAPS,
    memo,
    need.question ? (reads, studied) => pick(reads, guildId, need.date, studied ?? undefined) : null,
  );
  return { date: need.date, summary: summaryOf(dues), question: need.question ? fields(question) : null };
}

// ── The plan and the claim ──────────────────────────────────────────────────────────────────────────

/** `scheduled`: the tick's catch-up rules at the configured time; `now`: today's post at once (`/quiz now`). */
export type DayMode = "scheduled" | "now";

/** What the server's day is at `now` from its settings (pure; runs inside the claim's transaction too). */
export function planDay(cfg: QuizConfigRow | undefined, now: number, mode: DayMode): DayPlan {
  if (mode === "now") {
    if (!cfg) throw new UserError(NOT_SET_UP);
    const today = dateKey(localDateOf(now, cfg.timezone));
    return {
      kind: "post",
      date: today,
      missed: null,
      // Make sure the schedule has moved past today.
      onDone: (done) => {
        const time = parseTimeOfDay(cfg.time);
        return done === "posted" && time && cfg.nextDate <= today
          ? runAfter(today, time, cfg.timezone)
          : null;
      },
    };
  }
  if (!cfg || cfg.paused || cfg.nextRunAt > now) return { kind: "wait" };
  const time = parseTimeOfDay(cfg.time);
  if (!time) return { kind: "wait" };
  const d = decideDue(now, cfg, time, cfg.timezone);
  if (d.kind === "wait") return d;
  if (d.kind === "skip") return { kind: "skip", missed: d.missed, next: d.next };
  return { kind: "post", date: d.date, missed: d.missed, onDone: () => runAfter(d.date, time, cfg.timezone) };
}

/**
 * What the day's claim will need, read without a transaction. The tick assumes a due server's usual case (no row
 * for the day yet: content with a question) and lets the claim read the row only if it exists; `/quiz now` reads
 * the row first (nothing to prepare when the day is posted or busy).
 */
async function firstNeed(deps: Deps, guildId: string, now: number, mode: DayMode): Promise<Prepare | null> {
  const cfg = await quizConfig(deps.db, guildId);
  const plan = planDay(cfg, now, mode);
  if (plan.kind !== "post") return null;
  return mode === "now"
    ? dayNeeds(deps.db, guildId, plan.date, now)
    : { kind: "prepare", date: plan.date, question: true };
}

const failed = (error: unknown): Outcome<DayStep> => ({ ok: false, error });

/**
 * Claims these servers' day (see the file's comment): each server's outcome, in their order. A server whose day
 * keeps changing under its claim is `busy` for now; one whose reads or claim failed has the error.
 */
export async function claimServerDays(
  deps: Deps,
  guildIds: readonly string[],
  now: number,
  mode: DayMode,
  memo?: TickMemo,
): Promise<{ guildId: string; step: Outcome<DayStep> }[]> {
  const out = guildIds.map((guildId) => ({ guildId, step: failed(new Error("not claimed")) }));
  let round: { k: number; need: Prepare | null }[] = [];
  for (const [k, guildId] of guildIds.entries()) {
    try {
      round.push({ k, need: await firstNeed(deps, guildId, now, mode) });
    } catch (err) {
      out[k] = { guildId, step: failed(err) };
    }
  }
  const plan = (cfg: QuizConfigRow | undefined) => planDay(cfg, now, mode);
  for (let attempt = 1; round.length > 0; attempt++) {
    const items: { k: number; guildId: string; content: DayContent | null }[] = [];
    for (const { k, need } of round) {
      const guildId = guildIds[k] ?? "";
      try {
        items.push({ k, guildId, content: need && (await prepareContent(deps, guildId, need, now, memo)) });
      } catch (err) {
        out[k] = { guildId, step: failed(err) };
      }
    }
    const steps = await claimDays(deps.db, items, now, plan);
    round = [];
    for (const [j, s] of steps.entries()) {
      const { k, guildId } = items[j] ?? { k: -1, guildId: "" };
      if (!s.ok) {
        out[k] = { guildId, step: s };
        continue;
      }
      const v = s.value;
      if (v.kind !== "prepare") out[k] = { guildId, step: { ok: true, value: v } };
      else if (attempt < CLAIM_ATTEMPTS) round.push({ k, need: v });
      else out[k] = { guildId, step: { ok: true, value: { kind: "busy" } } };
    }
  }
  return out;
}
