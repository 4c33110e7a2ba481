import type { Gateway } from "./gateway.ts";
import type { EmulatorState } from "./state.ts";

/** What REST handlers share. */
export interface EmulatorContext {
  state: EmulatorState;
  gateway: Gateway;
  token: string;
  /** http://127.0.0.1:PORT (no trailing slash). */
  baseUrl: () => string;
  firstResponseDeadlineMs: number;
  /** How long follow-ups and @original edits work after the interaction (emulator clock). */
  interactionTokenTtlMs: number;
  attachmentSizeLimit: number;
}
