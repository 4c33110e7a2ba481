/**
 * Members' histories, a chunk of members at a time: card states, review logs (in time order within a chunk, as a
 * live bot would append them) and the leaderboard/stats aggregates, written with multi-row prepared INSERTs.
 * Runs against any connection holding the tables (the seeded file itself, or a part file of a parallel seed).
 */
import type Database from "better-sqlite3";
import type { ReviewLog } from "ts-fsrs";
import { createScheduler } from "../../src/core/scheduling.ts";
import { MemberAggregates } from "./aggregates.ts";
import { BatchInsert } from "./batch.ts";
import { absState, DAY_MS, HistorySimulator, HOUR_MS, type ReviewSink, type SimNode } from "./history.ts";
import { intIn, substream } from "./rng.ts";
import {
  BENCH_NOW,
  cardIdOf,
  deckId,
  guildId,
  layout,
  pickGuild,
  type SeedParams,
  userDecks,
  userGuilds,
  userId,
} from "./world.ts";

export interface MembersSummary {
  cardStates: number;
  reviewLogs: number;
  fsrsCalls: number;
}

const CHUNK = 50;

/** Generates members [from, to) into `db` (inside its own transactions, one per chunk). */
export function generateMembers(
  db: Database.Database,
  p: SeedParams,
  from: number,
  to: number,
  progress: (done: number, s: MembersSummary) => void = () => {},
): MembersSummary {
  const l = layout(p);
  const sim = new HistorySimulator(createScheduler({ fuzz: false }));
  const summary: MembersSummary = { cardStates: 0, reviewLogs: 0, fsrsCalls: 0 };
  const ins = writers(db);
  const nowDay = Math.floor(BENCH_NOW / DAY_MS);
  const deckIds = Array.from({ length: l.numDecks }, (_, d) => deckId(d));

  for (let c0 = from; c0 < to; c0 += CHUNK) {
    const c1 = Math.min(to, c0 + CHUNK);
    // Column arrays, one entry per review: far less garbage than an object per review.
    const sink: ReviewSink = { nodes: [], shifts: [] };
    const logUser: number[] = [];
    const logCard: number[] = [];
    const logDeck: number[] = [];
    const logGuild: number[] = [];
    const logDur: number[] = [];
    const logDaily: number[] = [];
    const logAt: number[] = [];
    const states: { node: SimNode; shift: number; user: number; card: number; deck: number; at: number }[] =
      [];
    const aggs: { user: string; agg: MemberAggregates }[] = [];

    for (let u = c0; u < c1; u++) {
      const rng = substream(p.seed, 4, u);
      const guilds = userGuilds(p, u);
      // One daily session hour per member; some stopped studying a while ago (their cards pile up).
      const slotMs = intIn(rng, 7, 21) * HOUR_MS;
      const startDay = nowDay - intIn(rng, Math.ceil(p.days * 0.3), p.days);
      const active = rng() < 0.65;
      const endDay = active ? nowDay : intIn(rng, startDay + Math.ceil((nowDay - startDay) / 2), nowDay - 1);
      const endMs = active ? BENCH_NOW : endDay * DAY_MS + slotMs + 2 * HOUR_MS;
      const lastIntroDay = Math.max(
        startDay,
        endDay * DAY_MS + slotMs + HOUR_MS <= endMs ? endDay : endDay - 1,
      );
      const span = lastIntroDay - startDay + 1;
      const decks = userDecks(p, u);
      const first = sink.nodes.length;
      for (let k = 0; k < p.cards; k++) {
        const deck = decks[Math.floor(k / l.perDeck)] ?? decks[decks.length - 1] ?? 0;
        const card = cardIdOf(l, deck, k % l.perDeck);
        const introDay = startDay + Math.floor((k * span) / p.cards);
        const before = sink.nodes.length;
        const end = sim.simulate(introDay, slotMs, intIn(rng, 0, 3_599_999), endMs, rng, sink);
        if (!end) continue;
        const at0 = (sink.nodes[before]?.at ?? 0) + (sink.shifts[before] ?? 0);
        states.push({ node: end.node, shift: end.shift, user: u, card, deck, at: at0 });
        for (let i = before; i < sink.nodes.length; i++) {
          logUser.push(u);
          logCard.push(card);
          logDeck.push(deck);
          logGuild.push(pickGuild(rng, guilds));
          logDur.push(rng() < 0.05 ? intIn(rng, 300, 999) : intIn(rng, 1500, 25_000));
          logDaily.push(rng() < 0.03 ? 1 : 0);
          logAt.push((sink.nodes[i]?.at ?? 0) + (sink.shifts[i] ?? 0));
        }
      }
      // The member's aggregates, fed in time order as the bot would have.
      const mine = Array.from({ length: sink.nodes.length - first }, (_, i) => first + i);
      mine.sort((a, b) => (logAt[a] ?? 0) - (logAt[b] ?? 0));
      const agg = new MemberAggregates();
      for (const i of mine) {
        const g = logGuild[i] ?? -1;
        const lg = sink.nodes[i]?.log;
        agg.add({
          at: logAt[i] ?? 0,
          rating: lg?.rating ?? 0,
          stateBefore: lg?.state ?? 0,
          durationMs: logDur[i] ?? 0,
          source: logDaily[i] ? "daily" : "study",
          guildId: g < 0 ? null : guildId(g),
        });
      }
      aggs.push({ user: userId(u), agg });
    }

    const order = Array.from({ length: sink.nodes.length }, (_, i) => i);
    order.sort((a, b) => (logAt[a] ?? 0) - (logAt[b] ?? 0));
    states.sort((a, b) => a.at - b.at);
    const users = Array.from({ length: c1 - c0 }, (_, k) => userId(c0 + k));

    db.transaction(() => {
      for (const st of states) {
        const s = absState(st.node, st.shift);
        ins.states.add(
          users[st.user - c0],
          st.card,
          deckIds[st.deck],
          s.due,
          s.stability,
          s.difficulty,
          s.elapsedDays,
          s.scheduledDays,
          s.learningSteps,
          s.reps,
          s.lapses,
          s.state,
          s.lastReview,
        );
      }
      ins.states.flush();
      for (const i of order) {
        const node = sink.nodes[i] as SimNode;
        const lg = node.log as ReviewLog;
        const shift = sink.shifts[i] ?? 0;
        const g = logGuild[i] ?? -1;
        ins.logs.add(
          users[(logUser[i] ?? 0) - c0],
          logCard[i],
          deckIds[logDeck[i] ?? 0],
          g < 0 ? null : guildId(g),
          lg.rating,
          lg.state,
          node.logDue + shift,
          lg.stability,
          lg.difficulty,
          lg.elapsed_days,
          lg.last_elapsed_days,
          lg.scheduled_days,
          lg.learning_steps,
          node.at + shift,
          logDur[i],
          logDaily[i] ? "daily" : "study",
        );
      }
      ins.logs.flush();
      for (const { user, agg } of aggs) {
        for (const [day, t] of agg.days)
          ins.userDays.add(user, day, t.reviews, t.again, t.matureReviews, t.matureAgain, t.points, t.ms);
        for (const [slot, t] of agg.slots)
          ins.userSlots.add(user, slot, t.reviews, t.again, t.matureReviews, t.matureAgain, t.ms);
        for (const [key, t] of agg.guildDays) {
          const [g = "", day = "0"] = key.split("|");
          ins.guildDays.add(g, Number(day), user, t.reviews, t.again, t.points, t.ms);
        }
        for (const [g, t] of agg.guilds) ins.guildMembers.add(g, user, t.reviews, t.again, t.points, t.ms);
        if (agg.streak)
          ins.streaks.add(
            user,
            agg.streak.lastDay,
            agg.streak.lastZone,
            agg.streak.runDays,
            agg.streak.longest,
          );
      }
      ins.userDays.flush();
      ins.userSlots.flush();
      ins.guildDays.flush();
      ins.guildMembers.flush();
      ins.streaks.flush();
    })();
    summary.cardStates += states.length;
    summary.reviewLogs += order.length;
    summary.fsrsCalls = sim.calls;
    progress(c1 - from, summary);
  }
  return summary;
}

/** Tables `generateMembers` writes (a part file needs only these). */
export const MEMBER_TABLES = [
  "card_states",
  "review_logs",
  "stat_user_days",
  "stat_user_slots",
  "stat_guild_days",
  "stat_guild_members",
  "stat_streaks",
] as const;
export type MemberTable = (typeof MEMBER_TABLES)[number];

/**
 * The columns `generateMembers` writes, per table: a part file of a parallel seed holds exactly these, and the copy
 * into the seeded database names exactly these, so every other column (the running totals, ids) gets the seeded
 * table's own default, as in the one-process path.
 */
export const MEMBER_COLUMNS: Record<MemberTable, readonly string[]> = {
  card_states: [
    "user_id",
    "card_id",
    "deck_id",
    "due",
    "stability",
    "difficulty",
    "elapsed_days",
    "scheduled_days",
    "learning_steps",
    "reps",
    "lapses",
    "state",
    "last_review",
  ],
  review_logs: [
    "user_id",
    "card_id",
    "deck_id",
    "guild_id",
    "rating",
    "state",
    "due",
    "stability",
    "difficulty",
    "elapsed_days",
    "last_elapsed_days",
    "scheduled_days",
    "learning_steps",
    "review",
    "duration_ms",
    "source",
  ],
  stat_user_days: [
    "user_id",
    "day",
    "reviews",
    "again",
    "review_state_reviews",
    "review_state_again",
    "points",
    "ms",
  ],
  stat_user_slots: [
    "user_id",
    "slot",
    "reviews",
    "again",
    "review_state_reviews",
    "review_state_again",
    "ms",
  ],
  stat_guild_days: ["guild_id", "day", "user_id", "reviews", "again", "points", "ms"],
  stat_guild_members: ["guild_id", "user_id", "reviews", "again", "points", "ms"],
  stat_streaks: ["user_id", "last_day", "last_zone", "run_days", "longest"],
};

function writers(db: Database.Database) {
  const ins = (t: MemberTable) => new BatchInsert(db, t, MEMBER_COLUMNS[t]);
  return {
    states: ins("card_states"),
    logs: ins("review_logs"),
    userDays: ins("stat_user_days"),
    userSlots: ins("stat_user_slots"),
    guildDays: ins("stat_guild_days"),
    guildMembers: ins("stat_guild_members"),
    streaks: ins("stat_streaks"),
  };
}
