/** A member's settings: read with their defaults, changed after validation, and the /settings view. */
import { UserError } from "../core/errors.ts";
import {
  LEECH_ACTIONS,
  LEECH_THRESHOLD_DEFAULT,
  LEECH_THRESHOLD_MAX,
  LEECH_THRESHOLD_MIN,
  validLeechThreshold,
} from "../core/leeches.ts";
import { NEW_PER_DAY_MAX, REVIEW_LIMIT_MAX } from "../core/new-cards.ts";
import { RATING_STYLES } from "../core/rating-styles.ts";
import {
  formatSteps,
  MAX_INTERVAL_MAX,
  parseSteps,
  parseWeights,
  RETENTION_MAX,
  RETENTION_MIN,
  reviewsPerDay,
  STEPS_MAX,
} from "../core/scheduling.ts";
import { canonicalTimeZone } from "../core/time.ts";
import { reviewStabilities } from "../db/card-states.ts";
import type { Db } from "../db/client.ts";
import { studyZone } from "../db/stat-user.ts";
import { deckNewPerDay, setDeckNewPerDay } from "../db/subscriptions.ts";
import { readSettings, type SettingsPatch, type UserSettings, writeSettings } from "../db/user-settings.ts";
import { noSuchDeck } from "./decks.ts";
import type { Deps } from "./deps.ts";

export type { SettingsPatch, UserSettings };

export async function getSettings(db: Db, userId: string): Promise<UserSettings> {
  return readSettings(db, userId);
}

/** Hidden members appear on no board and in no one else's /stats (`/settings leaderboard visible:false`). */
export async function isHidden(db: Db, userId: string): Promise<boolean> {
  return !(await readSettings(db, userId)).leaderboardVisible;
}

/** A number of new cards per day, for all decks or one: a whole number within the bounds. */
function checkNewPerDay(n: number): void {
  if (!Number.isInteger(n) || n < 0 || n > NEW_PER_DAY_MAX)
    throw new UserError(`New cards per day must be a whole number from 0 to ${NEW_PER_DAY_MAX}.`);
}

/** Validates first (a timezone is stored under its IANA spelling), then writes one row: bad input changes nothing. */
export async function updateSettings(db: Db, userId: string, patch: SettingsPatch): Promise<UserSettings> {
  if (patch.timezone != null) {
    const zone = canonicalTimeZone(patch.timezone);
    if (zone === null)
      throw new UserError(
        `\`${patch.timezone.trim().slice(0, 64)}\` is not a timezone I know. Pick one from the list, e.g. \`Europe/Berlin\`.`,
      );
    patch = { ...patch, timezone: zone };
  }
  if (patch.newPerDay !== undefined) checkNewPerDay(patch.newPerDay);
  if (
    patch.reviewLimit !== undefined &&
    (!Number.isInteger(patch.reviewLimit) || patch.reviewLimit < 0 || patch.reviewLimit > REVIEW_LIMIT_MAX)
  )
    throw new UserError(`Reviews per day must be a whole number from 0 to ${REVIEW_LIMIT_MAX}.`);
  if (
    patch.retention !== undefined &&
    !(patch.retention >= RETENTION_MIN && patch.retention <= RETENTION_MAX)
  )
    throw new UserError(
      `Desired retention must be from ${RETENTION_MIN} to ${RETENTION_MAX} (0.90 is the default).`,
    );
  if (
    patch.maxInterval !== undefined &&
    (!Number.isInteger(patch.maxInterval) || patch.maxInterval < 1 || patch.maxInterval > MAX_INTERVAL_MAX)
  )
    throw new UserError(`The maximum interval must be a whole number of days from 1 to ${MAX_INTERVAL_MAX}.`);
  if (patch.leechThreshold !== undefined && !validLeechThreshold(patch.leechThreshold))
    throw new UserError(
      `The leech threshold is the lapse that makes a card a leech: ${LEECH_THRESHOLD_MIN} to ${LEECH_THRESHOLD_MAX}, or 0 for no leeches (Anki's default is ${LEECH_THRESHOLD_DEFAULT}).`,
    );
  if (patch.leechAction !== undefined && !LEECH_ACTIONS.includes(patch.leechAction))
    throw new UserError("A leech is either suspended (`suspend`) or only tagged (`tag`).");
  if (patch.ratingStyle !== undefined && !RATING_STYLES.includes(patch.ratingStyle))
    throw new UserError("The rating style is `anki` (Again / Hard / Good / Easy) or `confidence` (1–5).");
  for (const key of ["learningSteps", "relearningSteps"] as const) {
    const text = patch[key];
    if (text === undefined) continue;
    const steps = parseSteps(text);
    if (steps === null)
      throw new UserError(
        `\`${text.trim().slice(0, 60)}\` is not a list of steps. Write them like \`1m 10m\` or \`10m 1h 1d\` (minutes, hours, days; 1m to 30d, at most ${STEPS_MAX}), or \`none\`.`,
      );
    patch = { ...patch, [key]: formatSteps(steps) };
  }
  return writeSettings(db, userId, patch);
}

/** `/settings newcards deck:`: a deck's own new cards per day, or null to make it share the global limit again. */
export interface DeckNewCardsChange {
  deckId: string;
  perDay: number | null;
}

export interface SettingsView {
  settings: UserSettings;
  /** The member's decks with new cards per day of their own. */
  deckNewCards: { deckId: string; name: string; perDay: number }[];
  /** The deck whose own limit this command set or cleared. */
  deckChange: { name: string; perDay: number | null } | null;
  /** When the desired retention changed: about how many reviews a day, before and after (core reviewsPerDay). */
  workload: { before: number; after: number; cards: number } | null;
  /**
   * The zone their days are counted in: their own, or without one the server's (else the zone of their last study
   * day, else UTC), and whether that is the server's.
   */
  zone: { own: true; name: string } | { own: false; name: string; server: boolean };
}

/** /settings: applies `patch` (nothing for `show`) and returns what the reply shows, as written. */
export async function settingsView(
  deps: Pick<Deps, "db">,
  q: { userId: string; guildId: string | null; patch: SettingsPatch | null; deck?: DeckNewCardsChange },
): Promise<SettingsView> {
  const deckChange = q.deck ? await changeDeckNewCards(deps.db, q.userId, q.guildId, q.deck) : null;
  // The settings before are read only for a retention change: its reply compares the workload.
  const before = q.patch?.retention !== undefined ? await getSettings(deps.db, q.userId) : null;
  const settings = q.patch
    ? await updateSettings(deps.db, q.userId, q.patch)
    : await getSettings(deps.db, q.userId);
  let workload: SettingsView["workload"] = null;
  if (before && settings.retention !== before.retention) {
    const stabilities = await reviewStabilities(deps.db, q.userId);
    workload = {
      before: reviewsPerDay(
        stabilities,
        before.retention,
        before.maxInterval,
        parseWeights(before.fsrsWeights),
      ),
      after: reviewsPerDay(
        stabilities,
        settings.retention,
        settings.maxInterval,
        parseWeights(settings.fsrsWeights),
      ),
      cards: stabilities.length,
    };
  }
  const zone: SettingsView["zone"] =
    settings.timezone !== null
      ? { own: true, name: settings.timezone }
      : {
          own: false,
          name: (await studyZone(deps.db, q.userId, q.guildId)).zone,
          server: q.guildId !== null,
        };
  return { settings, zone, workload, deckChange, deckNewCards: await deckNewPerDay(deps.db, q.userId) };
}

/** Validates, then sets or clears one deck's own new-card limit; a deck not here or not studied changes nothing. */
async function changeDeckNewCards(
  db: Db,
  userId: string,
  guildId: string | null,
  change: DeckNewCardsChange,
): Promise<{ name: string; perDay: number | null }> {
  const { perDay } = change;
  if (perDay !== null) checkNewPerDay(perDay);
  const r = await setDeckNewPerDay(db, userId, guildId, change.deckId, perDay);
  if (!r) throw noSuchDeck(change.deckId);
  if (!r.subscribed)
    throw new UserError(
      `You do not study \`${change.deckId.slice(0, 40)}\`: \`/deck subscribe\` first, then give it a limit of its own.`,
    );
  return { name: r.deck.name, perDay };
}
