/**
 * An Anki package's review history turned into the importer's progress (`import_progress:true`): each card's
 * revlog replayed through ts-fsrs with the member's own scheduler (core/anki-replay.ts), as steps, so a
 * 5,000-card history (about a second of ts-fsrs) gives the event loop back between cards. It runs before the
 * import's transaction, with the member's settings as they are then: any settings give a state ts-fsrs could
 * have reached, as a review under them would; the transaction only writes.
 */
import { type AnkiRevlogEntry, replayAnkiHistory } from "../../core/anki-replay.ts";
import type { DeckIssue } from "../../core/decks/parse.ts";
import type { FSRS } from "../../core/scheduling.ts";
import type { ImportedCardProgress } from "../../db/imported-progress.ts";
import type { Steps } from "../slices.ts";

export interface ReplayedPackage {
  progress: ImportedCardProgress[];
  /** What the member is told: entries dated in the future, left out. */
  warnings: DeckIssue[];
}

/** Replays every card's history of `byKey` (only the cards the import keeps: `keys`) with `scheduler` at `now`. */
export function* replayPackageHistory(
  byKey: ReadonlyMap<string, readonly AnkiRevlogEntry[]>,
  keys: readonly string[],
  scheduler: FSRS,
  now: Date,
): Steps<ReplayedPackage> {
  const progress: ImportedCardProgress[] = [];
  let future = 0;
  for (const key of keys) {
    const entries = byKey.get(key);
    if (!entries) continue;
    const replayed = replayAnkiHistory(scheduler, entries, now);
    future += replayed.future;
    if (replayed.reviews.length > 0) progress.push({ key, card: replayed.card, reviews: replayed.reviews });
    yield;
  }
  const warnings: DeckIssue[] =
    future === 0
      ? []
      : [
          {
            line: 1,
            message: `${future.toLocaleString("en-US")} review${future === 1 ? "" : "s"} dated in the future (a device with a wrong clock?) ${future === 1 ? "was" : "were"} left out of the progress`,
          },
        ];
  return { progress, warnings };
}
