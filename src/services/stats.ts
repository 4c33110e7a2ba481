/**
 * /stats for one member: counts from the quarter-hour aggregates (stat_user_slots), each slot counted in the study
 * day of the member's zone NOW, so a timezone change never empties or shifts a period; card counts and the due
 * forecast from card_states by index. Nothing here reads review_logs.
 */
import { sql } from "drizzle-orm";
import { UserError } from "../core/errors.ts";
import { currentStreak, dayFromNumber, studyDayNumber, weekday } from "../core/streaks.ts";
import { addDays, studyDayBounds, studyDayStart } from "../core/time.ts";
import type { Db } from "../db/client.ts";
import { memberZone, readStreak, SLOT_MS, statSlot } from "../db/review-stats.ts";
import type { Deps } from "./deps.ts";
import { isHidden } from "./settings.ts";

/** Anki's line between young and mature cards: an interval of 21 days. */
export const MATURE_DAYS = 21;
export const FORECAST_DAYS = 30;
/** Heatmap columns: whole weeks (Monday first), the last one holding today. */
export const HEATMAP_WEEKS = 53;

export interface Retention {
  reviews: number; // reviews of Review-state cards
  passed: number; // of those, not rated Again
}

export interface Stats {
  userId: string;
  zone: string;
  today: number; // study day number in the member's zone
  reviews: { today: number; week: number; month: number };
  /** Time spent answering (ms), as logged (each answer capped at 60 s). */
  timeMs: { today: number; month: number };
  retention: { week: Retention; month: Retention };
  due: { today: number; tomorrow: number; week: number };
  cards: { new: number; learning: number; young: number; mature: number };
  streak: { current: number; longest: number };
  decks: number;
  /** Reviews per day from `heatmap.from` (a Monday) to today. */
  heatmap: { from: number; counts: number[] };
  /** Cards due per study day, today (overdue included) first. */
  forecast: number[];
}

interface SlotRow {
  slot: number;
  reviews: number;
  mature_reviews: number;
  mature_again: number;
  ms: number;
}

/** The member's slots from instant `from` on (a study day's start, so it is a slot's start too). */
function userSlots(db: Db, userId: string, from: number): SlotRow[] {
  return db.all<SlotRow>(sql`
    SELECT slot, reviews, review_state_reviews AS mature_reviews, review_state_again AS mature_again, ms
    FROM stat_user_slots WHERE user_id = ${userId} AND slot >= ${statSlot(from)} ORDER BY slot`);
}

/** The decks the member studies: subscribed and not retired (stats span every server). */
const studied = (userId: string) => sql`(
  SELECT s.deck_id FROM subscriptions s JOIN decks d ON d.id = s.deck_id
  WHERE s.user_id = ${userId} AND d.retired_at IS NULL)`;

function dueBefore(db: Db, userId: string, until: number): number[] {
  return db
    .all<{ due: number }>(sql`
      SELECT cs.due FROM card_states cs JOIN cards c ON c.id = cs.card_id
      WHERE cs.user_id = ${userId} AND cs.due < ${until} AND c.retired_at IS NULL
        AND cs.deck_id IN ${studied(userId)}`)
    .map((r) => r.due);
}

function cardCounts(db: Db, userId: string): Stats["cards"] & { decks: number } {
  const rows = db.all<{ state: number; mature: number; n: number }>(sql`
    SELECT cs.state, cs.scheduled_days >= ${MATURE_DAYS} AS mature, count(*) AS n
    FROM card_states cs JOIN cards c ON c.id = cs.card_id
    WHERE cs.user_id = ${userId} AND c.retired_at IS NULL AND cs.deck_id IN ${studied(userId)}
    GROUP BY 1, 2`);
  const unseen =
    db.get<{ n: number }>(sql`
      SELECT count(*) AS n FROM cards c
      WHERE c.deck_id IN ${studied(userId)} AND c.retired_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM card_states cs WHERE cs.user_id = ${userId} AND cs.card_id = c.id)`)
      ?.n ?? 0;
  // The decks the member studies, as everything else here (an unsubscribed deck keeps its progress, unseen).
  const decks = db.get<{ n: number }>(sql`SELECT count(*) AS n FROM ${studied(userId)}`)?.n ?? 0;
  const out = { new: unseen, learning: 0, young: 0, mature: 0, decks };
  for (const r of rows) {
    if (r.state === 0) out.new += r.n;
    else if (r.state === 2) out[r.mature ? "mature" : "young"] += r.n;
    else out.learning += r.n;
  }
  return out;
}

/**
 * Stats of `targetId` as seen by `viewerId` from `guildId`. A member who hid themselves
 * (`/settings leaderboard visible:false`) can see their own stats only.
 */
export function getStats(
  deps: Deps,
  q: { viewerId: string; targetId: string; guildId: string | null },
): Stats {
  const { db } = deps;
  if (q.targetId !== q.viewerId && isHidden(db, q.targetId))
    throw new UserError("That member keeps their stats private.");
  const now = deps.clock.now().getTime();
  const streakState = readStreak(db, q.targetId);
  const zone = memberZone(db, q.targetId, q.guildId, streakState);
  const today = studyDayNumber(now, zone);

  const from = today - weekday(today) - (HEATMAP_WEEKS - 1) * 7;
  const counts = new Array<number>(today - from + 1).fill(0);
  const reviews = { today: 0, week: 0, month: 0 };
  const timeMs = { today: 0, month: 0 };
  const week: Retention = { reviews: 0, passed: 0 };
  const month: Retention = { reviews: 0, passed: 0 };
  // Slots come in time order: a study day's bounds are worked out once and serve all its slots (zone maths is
  // ~9 µs a call; a heavy year is thousands of slots, a few hundred days).
  let dayStart = Number.POSITIVE_INFINITY;
  let dayEnd = Number.NEGATIVE_INFINITY;
  let day = 0;
  for (const r of userSlots(db, q.targetId, studyDayStart(dayFromNumber(from), zone))) {
    const at = r.slot * SLOT_MS;
    if (at < dayStart || at >= dayEnd) {
      [dayStart, dayEnd] = studyDayBounds(at, zone);
      day = studyDayNumber(at, zone);
    }
    if (day < from || day > today) continue;
    counts[day - from] = (counts[day - from] ?? 0) + r.reviews;
    const age = today - day;
    const passed = r.mature_reviews - r.mature_again;
    if (age === 0) {
      reviews.today += r.reviews;
      timeMs.today += r.ms;
    }
    if (age < 7) {
      reviews.week += r.reviews;
      week.reviews += r.mature_reviews;
      week.passed += passed;
    }
    if (age < 30) {
      reviews.month += r.reviews;
      month.reviews += r.mature_reviews;
      month.passed += passed;
      timeMs.month += r.ms;
    }
  }

  // Forecast buckets: the starts of the next FORECAST_DAYS study days in the member's zone.
  const todayDate = dayFromNumber(today);
  const bounds = Array.from({ length: FORECAST_DAYS }, (_, k) =>
    studyDayStart(addDays(todayDate, k + 1), zone),
  );
  const forecast = new Array<number>(FORECAST_DAYS).fill(0);
  for (const due of dueBefore(db, q.targetId, bounds[FORECAST_DAYS - 1] ?? now)) {
    let k = 0;
    while (k < FORECAST_DAYS - 1 && due >= (bounds[k] ?? 0)) k++;
    forecast[k] = (forecast[k] ?? 0) + 1;
  }
  const sum = (a: number[], n: number) => a.slice(0, n).reduce((x, y) => x + y, 0);
  const { decks, ...cards } = cardCounts(db, q.targetId);
  return {
    userId: q.targetId,
    zone,
    today,
    reviews,
    timeMs,
    retention: { week, month },
    due: { today: sum(forecast, 1), tomorrow: forecast[1] ?? 0, week: sum(forecast, 7) },
    cards,
    streak: { current: currentStreak(streakState, now, zone), longest: streakState?.longest ?? 0 },
    decks,
    heatmap: { from, counts },
    forecast,
  };
}
