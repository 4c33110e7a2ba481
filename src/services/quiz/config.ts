/** The daily quiz's settings: `/quiz setup`, `pause`, `resume` and `status`. */

import { UserError } from "../../core/errors.ts";
import {
  dateKey,
  formatTimeOfDay,
  localDateOf,
  parseTimeOfDay,
  planNextRun,
  type TimeOfDay,
} from "../../core/quiz.ts";
import { canonicalTimeZone } from "../../core/time.ts";
import { tally } from "../../db/quiz-answers.ts";
import {
  type Next,
  pauseQuizConfig,
  type QuizConfigRow,
  quizConfig,
  resumeQuizConfig,
  saveQuizSetup,
} from "../../db/quiz-configs.ts";
import { lastPost, type QuizPostRow } from "../../db/quiz-posts.ts";
import type { Locale } from "../../i18n/locales.ts";
import type { Deps } from "../deps.ts";

export const NOT_SET_UP = "The daily quiz is not set up here yet. An admin can run `/quiz setup`.";

export interface SetupInput {
  channelId: string;
  time: string;
  timezone: string;
  /** The posts' language (null: the server's Discord language); absent: as it was set before. */
  language?: Locale | null;
}

/** Checks time and zone; throws a UserError naming the problem. Nothing is written. */
export function validateSetup(input: { time: string; timezone: string }): { time: TimeOfDay; zone: string } {
  const time = parseTimeOfDay(input.time);
  if (!time)
    throw new UserError(
      `\`${input.time.slice(0, 20)}\` is not a time of day. Use 24-hour \`HH:MM\`, e.g. \`09:00\` or \`18:30\`.`,
    );
  const zone = canonicalTimeZone(input.timezone);
  if (zone === null)
    throw new UserError(
      `\`${input.timezone.trim().slice(0, 64)}\` is not a timezone I know. Pick one from the list, e.g. \`Europe/Berlin\`.`,
    );
  return { time, zone };
}

/** The next run from `now`: today's if its time is still ahead and the day not posted, otherwise tomorrow's. */
function nextFrom(now: number, time: TimeOfDay, zone: string, postedOn: (date: string) => boolean): Next {
  return planNextRun(now, time, zone, postedOn(dateKey(localDateOf(now, zone))));
}

/** Creates or replaces the server's quiz settings and its study-day timezone, in one transaction. */
export async function setupQuiz(deps: Deps, guildId: string, input: SetupInput): Promise<QuizConfigRow> {
  const { time, zone } = validateSetup(input);
  const now = deps.clock.now();
  return saveQuizSetup(deps.db, guildId, now, (existing, postedOn) => {
    const next = nextFrom(now.getTime(), time, zone, postedOn);
    return {
      guildId,
      channelId: input.channelId,
      time: formatTimeOfDay(time),
      timezone: zone,
      paused: existing?.paused ?? false,
      nextDate: next.date,
      nextRunAt: next.at,
      updatedAt: now,
      // Not given: the language stays as it was set (a re-setup of the time keeps it).
      language: input.language === undefined ? (existing?.language ?? null) : input.language,
    };
  });
}

export async function pauseQuiz(deps: Deps, guildId: string): Promise<{ changed: boolean }> {
  const r = await pauseQuizConfig(deps.db, guildId, deps.clock.now());
  if (!r) throw new UserError(NOT_SET_UP);
  return r;
}

/** Resumes from now: today's quiz if its time is still ahead (and not posted), otherwise tomorrow's. */
export async function resumeQuiz(
  deps: Deps,
  guildId: string,
): Promise<{ changed: boolean; next: Next; timezone: string }> {
  const now = deps.clock.now();
  const r = await resumeQuizConfig(deps.db, guildId, now, (cfg, postedOn) =>
    nextFrom(now.getTime(), parseTimeOfDay(cfg.time) ?? { hour: 9, minute: 0 }, cfg.timezone, postedOn),
  );
  if (!r) throw new UserError(NOT_SET_UP);
  return r;
}

export interface QuizStatus {
  config: QuizConfigRow | undefined;
  last: (QuizPostRow & { answered: number; correct: number }) | undefined;
}

export async function quizStatus(deps: Pick<Deps, "db">, guildId: string): Promise<QuizStatus> {
  const config = await quizConfig(deps.db, guildId);
  const last = await lastPost(deps.db, guildId);
  return { config, last: last ? { ...last, ...(await tally(deps.db, last.id)) } : undefined };
}
