/**
 * How one interaction ended, as the router's error boundary sees it: what metrics count (src/ops/) and what an
 * operator alerts on. Only "bug" is the code's fault.
 */
import { DiscordAPIError } from "discord.js";
import { UserError } from "../core/errors.ts";

/**
 * - `ok`: the handler returned.
 * - `user_error`: a UserError, shown politely to the member (not theirs to fix: ours to word).
 * - `stale`: the interaction can no longer be served — a command or button this code has no handler for (a
 *   message from an older version), or Discord refused the answer because the interaction is gone (10062: its
 *   token lapsed before the answer; 40060: another session of the bot answered it first).
 * - `bug`: anything else; the router logs it with context and apologises.
 */
export type Outcome = "ok" | "user_error" | "stale" | "bug";

/** Which path of the router an interaction took. */
export type InteractionKind = "command" | "button" | "modal" | "autocomplete";

/** Discord's codes for an interaction that can no longer be answered. */
const GONE_CODES: ReadonlySet<number | string> = new Set([10062, 40060]);

/** Thrown by the router for a command name or custom_id prefix that no handler serves. */
export class StaleInteraction extends UserError {
  override name = "StaleInteraction";
}

/** The outcome of an interaction whose handler threw `err`. */
export function outcomeOf(err: unknown): Exclude<Outcome, "ok"> {
  if (err instanceof StaleInteraction) return "stale";
  if (err instanceof DiscordAPIError && GONE_CODES.has(err.code)) return "stale";
  if (err instanceof UserError) return "user_error";
  return "bug";
}

/** What the router reports once an interaction is over (see `createRouter`'s `observe`). */
export interface InteractionObservation {
  /** The command's name (a button's or modal's owning command), or "unknown" when nothing serves it. */
  command: string;
  kind: InteractionKind;
  outcome: Outcome;
  /** From the router receiving it to the handler's end (its answer sent, or the failure told). */
  seconds: number;
}
