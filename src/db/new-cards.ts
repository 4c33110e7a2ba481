/**
 * The new-card budget: how many cards a member may start today (their `/settings newcards`, else the default,
 * minus the cards they started this study day), and their study day itself.
 */
import { eq, sql } from "drizzle-orm";
import { NEW_PER_DAY_DEFAULT } from "../core/new-cards.ts";
import { studyDayBounds } from "../core/time.ts";
import type { Db } from "./client.ts";
import { perConnection } from "./prepared.ts";
import { newIntroducedSince } from "./review-logs.ts";
import { memberZone } from "./review-stats.ts";
import { userSettings } from "./schema.ts";

const statements = perConnection((db) => ({
  perDay: db
    .select({ n: userSettings.newPerDay })
    .from(userSettings)
    .where(eq(userSettings.userId, sql.placeholder("userId")))
    .prepare(),
}));

/** The member's daily new-card limit. */
export async function newPerDay(db: Db, userId: string): Promise<number> {
  return (await statements(db).perDay.get({ userId }))?.n ?? NEW_PER_DAY_DEFAULT;
}

export interface MemberStudyDay {
  zone: string;
  /** When the study day holding `now` started, and when the next one starts (the daily limits reset then). */
  start: number;
  end: number;
}

/**
 * A member's study day: the one definition the new-card budget, streaks and /stats share, 04:00 to 04:00 in the
 * member's zone (`memberZone`: their `/settings timezone`, else the server's, else their last study day's, else UTC).
 */
export async function memberStudyDay(
  db: Db,
  userId: string,
  guildId: string | null,
  now: number,
): Promise<MemberStudyDay> {
  const zone = await memberZone(db, userId, guildId);
  const [start, end] = studyDayBounds(now, zone);
  return { zone, start, end };
}

/** New cards the member may still start today (inside src/db; services call `newCardsLeftToday`). */
export async function newCardsLeft(
  db: Db,
  userId: string,
  guildId: string | null,
  now: number,
): Promise<number> {
  const { start } = await memberStudyDay(db, userId, guildId, now);
  return Math.max(0, (await newPerDay(db, userId)) - (await newIntroducedSince(db, userId, start)));
}

/** See `newCardsLeft`. */
export async function newCardsLeftToday(
  db: Db,
  userId: string,
  guildId: string | null,
  now: number,
): Promise<number> {
  return newCardsLeft(db, userId, guildId, now);
}
