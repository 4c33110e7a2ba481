/**
 * /stats for one member: counts from the quarter-hour aggregates (stat_user_slots), each slot counted in the study
 * day of the member's zone NOW, so a timezone change never empties or shifts a period; card counts and the due
 * forecast from card_states by index, the memory model's calibration as its latest fit stored it. Nothing here
 * reads review_logs.
 */
import { UserError } from "../core/errors.ts";
import { currentStreak, dayFromNumber, studyDayNumber, weekday } from "../core/streaks.ts";
import { addDays, studyDayBounds, studyDayStart } from "../core/time.ts";
import { SLOT_MS } from "../db/review-stats.ts";
import { cardCounts, dueBefore, studyZone, userSlots } from "../db/stat-user.ts";
import type { Deps } from "./deps.ts";
import { latestCalibration } from "./memory/optimize.ts";
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
  /**
   * The memory model: true retention per calendar month (the last MONTHS, oldest first, by study day) and, once
   * the member fitted their weights (`/settings memory optimize`), the calibration of FSRS's defaults and of the fitted weights.
   */
  memory: {
    months: { year: number; month: number; retention: Retention }[];
    calibration: Calibration | null;
  };
}

export type Calibration = NonNullable<Awaited<ReturnType<typeof latestCalibration>>>;

/** Calendar months of true retention on the /stats picture. */
export const RETENTION_MONTHS = 12;

/**
 * Stats of `targetId` as seen by `viewerId` from `guildId`. A member who hid themselves
 * (`/settings leaderboard visible:false`) can see their own stats only.
 */
export async function getStats(
  deps: Pick<Deps, "db" | "clock">,
  q: { viewerId: string; targetId: string; guildId: string | null },
): Promise<Stats> {
  const { db } = deps;
  if (q.targetId !== q.viewerId && (await isHidden(db, q.targetId)))
    throw new UserError("That member keeps their stats private.");
  const now = deps.clock.now().getTime();
  const { zone, streak: streakState } = await studyZone(db, q.targetId, q.guildId);
  const today = studyDayNumber(now, zone);

  const from = today - weekday(today) - (HEATMAP_WEEKS - 1) * 7;
  const perDay = new Array<number>(today - from + 1).fill(0);
  const reviews = { today: 0, week: 0, month: 0 };
  const timeMs = { today: 0, month: 0 };
  const week: Retention = { reviews: 0, passed: 0 };
  const month: Retention = { reviews: 0, passed: 0 };
  // Slots come in time order: a study day's bounds are worked out once and serve all its slots (zone maths is
  // ~9 µs a call; a heavy year is thousands of slots, a few hundred days).
  const todayDate = dayFromNumber(today);
  const monthIndex = (d: { year: number; month: number }) => d.year * 12 + d.month - 1;
  const lastMonth = monthIndex(todayDate);
  const months = Array.from({ length: RETENTION_MONTHS }, (_, k) => {
    const m = lastMonth - (RETENTION_MONTHS - 1 - k);
    return { year: Math.floor(m / 12), month: (m % 12) + 1, retention: { reviews: 0, passed: 0 } };
  });
  let dayStart = Number.POSITIVE_INFINITY;
  let dayEnd = Number.NEGATIVE_INFINITY;
  let day = 0;
  for (const [slot, n, matureReviews, matureAgain, ms] of await userSlots(
    db,
    q.targetId,
    studyDayStart(dayFromNumber(from), zone),
  )) {
    const at = slot * SLOT_MS;
    if (at < dayStart || at >= dayEnd) {
      [dayStart, dayEnd] = studyDayBounds(at, zone);
      day = studyDayNumber(at, zone);
    }
    if (day < from || day > today) continue;
    perDay[day - from] = (perDay[day - from] ?? 0) + n;
    const age = today - day;
    const passed = matureReviews - matureAgain;
    if (age === 0) {
      reviews.today += n;
      timeMs.today += ms;
    }
    if (age < 7) {
      reviews.week += n;
      week.reviews += matureReviews;
      week.passed += passed;
    }
    const inMonth = months[RETENTION_MONTHS - 1 - (lastMonth - monthIndex(dayFromNumber(day)))];
    if (inMonth) {
      inMonth.retention.reviews += matureReviews;
      inMonth.retention.passed += passed;
    }
    if (age < 30) {
      reviews.month += n;
      month.reviews += matureReviews;
      month.passed += passed;
      timeMs.month += ms;
    }
  }

  // Forecast buckets: the starts of the next FORECAST_DAYS study days in the member's zone.
  const bounds = Array.from({ length: FORECAST_DAYS }, (_, k) =>
    studyDayStart(addDays(todayDate, k + 1), zone),
  );
  const forecast = new Array<number>(FORECAST_DAYS).fill(0);
  for (const [due] of await dueBefore(db, q.targetId, bounds[FORECAST_DAYS - 1] ?? now)) {
    let k = 0;
    while (k < FORECAST_DAYS - 1 && due >= (bounds[k] ?? 0)) k++;
    forecast[k] = (forecast[k] ?? 0) + 1;
  }
  const sum = (a: number[], n: number) => a.slice(0, n).reduce((x, y) => x + y, 0);
  const owned = await cardCounts(db, q.targetId, MATURE_DAYS);
  const cards = { new: owned.unseen, learning: 0, young: 0, mature: 0 };
  for (const r of owned.byState) {
    if (r.state === 0) cards.new += r.n;
    else if (r.state === 2) cards[r.mature ? "mature" : "young"] += r.n;
    else cards.learning += r.n;
  }
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
    decks: owned.decks,
    heatmap: { from, counts: perDay },
    forecast,
    memory: { months, calibration: await latestCalibration(deps, q.targetId) },
  };
}
