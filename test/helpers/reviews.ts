import { type ReviewWrite, writeReview } from "../../src/db/reviews.ts";
import type { Deps } from "../../src/services/deps.ts";
import { decideWith } from "../../src/services/study.ts";

/**
 * One review through the bot's own write path (`writeReview`, ts-fsrs from the service's `decideWith`), inside the
 * caller's transaction: fixtures that write many reviews in one transaction, as the bot writes one per click.
 */
export async function recordReview(deps: Deps, r: ReviewWrite): Promise<boolean> {
  return (await writeReview(deps.db, r, deps.clock.now(), decideWith(deps, r.grade))) !== false;
}
