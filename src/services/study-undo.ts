import { undoReview } from "../db/review-undos.ts";
import type { Deps } from "./deps.ts";
import {
  nextView,
  ofSession,
  questionView,
  type Session,
  type StudyView,
  sessionUndo,
  type UndoTarget,
  undoTargetOf,
} from "./study.ts";

const STALE =
  "That rating was already undone, or it is no longer your latest one — nothing changed. Here is your next card.";
const EXPIRED = "That rating is more than a day old and can no longer be undone — nothing changed.";
const UNDONE = "Rating undone: here is that card again.";
const UNDONE_HELD = "Rating undone. That card is set aside (buried or suspended), so here is your next one.";

/**
 * The Undo button: takes back the member's latest rating, if it is the one the button names and belongs to this
 * session, and shows that card again, with an Undo for the rating before it when that one is the session's too.
 * A doubled or stale Undo (the rating was undone already, or a newer one exists) changes nothing and says so.
 */
export async function undoRating(deps: Deps, session: Session, target: UndoTarget): Promise<StudyView> {
  const { userId } = session;
  const outcome = await undoReview(
    deps.db,
    { userId, cardId: target.cardId, reps: target.reps, now: deps.clock.now().getTime() },
    (latest) => ofSession(session, latest),
  );
  if (!outcome.undone) {
    // The Undo the view offers stays that of the member's latest rating, when it is this session's.
    const undo = await sessionUndo(deps, session);
    return nextView(deps, session, outcome.why === "expired" ? EXPIRED : STALE, undo);
  }
  const undo = await undoTargetOf(deps, session, outcome.next);
  return questionView(deps, session, target.cardId, UNDONE, undo, UNDONE_HELD);
}
