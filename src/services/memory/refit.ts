/**
 * The monthly re-fit of the members who opted in (`/settings memory monthly enabled:true`), run by the minute
 * job: at most one fit at a time in a process (none starts while any fit, a member's own included, runs or
 * waits), and once a month per member across processes (claimFit: the first process to claim a member runs it).
 */
import { refitDue } from "../../db/memory-fits.ts";
import type { Deps } from "../deps.ts";
import { fitsInProcess } from "./fit-thread.ts";
import { optimizeMemory, REFIT_EVERY_MS } from "./optimize.ts";

/** Candidates read per minute: the processes ticking together claim different ones of them. */
const CANDIDATES = 8;

/**
 * Runs one due re-fit if this process runs no fit: the member re-fitted (or found with too little data), or null.
 * The minute job does not wait for it: it runs beside the next ticks.
 */
export async function refitOne(deps: Deps): Promise<string | null> {
  if (fitsInProcess() > 0) return null;
  const now = deps.clock.now().getTime();
  for (const userId of await refitDue(deps.db, now, REFIT_EVERY_MS, CANDIDATES)) {
    const r = await optimizeMemory(deps, userId, null, "monthly");
    if (r.kind !== "claimed-elsewhere") return userId;
    if (fitsInProcess() > 0) return null;
  }
  return null;
}
