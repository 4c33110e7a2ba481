import { b36, encodeId, fromB36, snowflakeFrom36, snowflakeTo36 } from "../core/custom-id.ts";
import type { ConfidenceLevel } from "../core/rating-styles.ts";
import { type Grade, isGrade } from "../core/scheduling.ts";
import type { Session, SessionSource } from "../services/study.ts";

/**
 * Study buttons: `st:<action>:<owner36>:<src>:<start36>:<deck>[:card36:version36:shownOffset36[:grade]]`; Undo is
 * `st:u:…:<deck>:card36:reps36` (the card, and the state version the rating made).
 * The guild comes from the interaction itself. Instants are ms; shownAt is an ms offset from session start.
 */
export const STUDY_PREFIX = "st";

/** Subscribe buttons of a deck offer: `sub:<owner36>:<deckId>`. The offer is its owner's alone, as a study message. */
export const SUBSCRIBE_PREFIX = "sub";

export const subscribeId = (ownerId: string, deckId: string) =>
  `${SUBSCRIBE_PREFIX}:${snowflakeTo36(ownerId)}:${deckId}`;

export function studyIds(s: Session) {
  const start = s.startedAt;
  const base = [
    STUDY_PREFIX,
    "",
    snowflakeTo36(s.userId),
    s.source === "daily" ? "d" : "s",
    b36(start),
    s.deckId ?? "",
  ];
  const withAction = (a: string) => {
    const parts = [...base];
    parts[1] = a;
    return parts;
  };
  const offset = (shownAt: number) => b36(Math.max(0, shownAt - start));
  return {
    show: (cardId: number, version: number, shownAt: number) =>
      encodeId(...withAction("a"), b36(cardId), b36(version), offset(shownAt)),
    /** Bury ("b") or Suspend ("p") the card the answer view shows. */
    hold: (kind: "bury" | "suspend", cardId: number, version: number, shownAt: number) =>
      encodeId(...withAction(kind === "bury" ? "b" : "p"), b36(cardId), b36(version), offset(shownAt)),
    /** A grade button; a confidence level's carries the level too (two levels share a grade: ids stay unique). */
    rate: (cardId: number, version: number, shownAt: number, g: Grade, level?: ConfidenceLevel) =>
      level === undefined
        ? encodeId(...withAction("r"), b36(cardId), b36(version), offset(shownAt), g)
        : encodeId(...withAction("r"), b36(cardId), b36(version), offset(shownAt), g, `c${level}`),
    stop: () => encodeId(...withAction("x")),
    undo: (cardId: number, reps: number) => encodeId(...withAction("u"), b36(cardId), b36(reps)),
  };
}

export type StudyAction =
  | { action: "show"; session: Session; cardId: number; version: number; shownAt: number }
  | { action: "rate"; session: Session; cardId: number; version: number; shownAt: number; grade: Grade }
  | { action: "stop"; session: Session }
  | { action: "bury" | "suspend"; session: Session; cardId: number; version: number; shownAt: number }
  | { action: "undo"; session: Session; cardId: number; reps: number };

/** Parses a study custom_id; null when it is not one of ours or is malformed. */
export function parseStudyId(customId: string, guildId: string | null): StudyAction | null {
  const p = customId.split(":");
  if (p[0] !== STUDY_PREFIX) return null;
  const userId = snowflakeFrom36(p[2]);
  const start = fromB36(p[4]);
  const deck = p[5];
  if (!userId || start === null || deck === undefined || (p[3] !== "s" && p[3] !== "d")) return null;
  const source: SessionSource = p[3] === "d" ? "daily" : "study";
  const session: Session = { userId, guildId, deckId: deck || null, source, startedAt: start };
  if (p[1] === "x" && p.length === 6) return { action: "stop", session };
  const cardId = fromB36(p[6]);
  const version = fromB36(p[7]);
  if (p[1] === "u" && p.length === 8 && cardId !== null && version !== null)
    return { action: "undo", session, cardId, reps: version };
  const off = fromB36(p[8]);
  if (cardId === null || version === null || off === null) return null;
  const shownAt = start + off;
  if (p[1] === "a" && p.length === 9) return { action: "show", session, cardId, version, shownAt };
  if ((p[1] === "b" || p[1] === "p") && p.length === 9)
    return { action: p[1] === "b" ? "bury" : "suspend", session, cardId, version, shownAt };
  const grade = Number(p[9]);
  const level = p[10];
  if (
    p[1] === "r" &&
    (p.length === 10 || (p.length === 11 && /^c[1-5]$/.test(level ?? ""))) &&
    isGrade(grade)
  )
    return { action: "rate", session, cardId, version, shownAt, grade };
  return null;
}
