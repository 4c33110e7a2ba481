/**
 * A member's study day: the one definition the new-card budget, streaks and /stats share, in the member's zone
 * (their `/settings timezone`, else the server's, else the zone of their last study day, else UTC:
 * services/stats-record.ts `memberZone`), 04:00 to 04:00.
 */
import { studyDayBounds } from "../core/time.ts";
import type { Db } from "../db/client.ts";
import { memberZone } from "../db/review-stats.ts";

export interface MemberStudyDay {
  zone: string;
  /** When the study day holding `now` started, and when the next one starts (the daily limits reset then). */
  start: number;
  end: number;
}

export function memberStudyDay(db: Db, userId: string, guildId: string | null, now: number): MemberStudyDay {
  const zone = memberZone(db, userId, guildId);
  const [start, end] = studyDayBounds(now, zone);
  return { zone, start, end };
}
