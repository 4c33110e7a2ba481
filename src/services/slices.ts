/**
 * Long jobs written as generators that `yield` between pieces of work, so the same code runs straight through
 * (tests, the CLI, start-up) or in slices that give the event loop back (the bot: other members' clicks and
 * Discord's 3-second window must not wait behind a 5,000-card import).
 */
export type Steps<T> = Generator<void, T, void>;

/** Runs jobs one after another, with the caller's awaited work (a unit of work in src/db) between them. */
export type Runner = <T>(steps: Steps<T>) => Promise<T>;

/** Runs a job to the end without pausing. */
export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** A Runner that never pauses. */
export const atOnce: Runner = async (steps) => runSteps(steps);

/** How long a slice may hold the event loop before the job pauses at its next `yield`. */
export const SLICE_MS = 8;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * A Runner in slices of about `sliceMs`: after each slice it waits for the next turn of the event loop
 * (setImmediate, so pending I/O such as another interaction is handled first). The slice's clock carries over
 * from one job to the next, so the work awaited between them counts in the slice it ran in.
 */
export function inSlices(sliceMs = SLICE_MS): Runner {
  let sliceStart = performance.now();
  return async (steps) => {
    for (;;) {
      const r = steps.next();
      if (r.done) return r.value;
      if (performance.now() - sliceStart >= sliceMs) {
        await nextTurn();
        sliceStart = performance.now();
      }
    }
  };
}

/** Runs one job in slices of about `sliceMs` (see `inSlices`). */
export function runInSlices<T>(steps: Steps<T>, sliceMs = SLICE_MS): Promise<T> {
  return inSlices(sliceMs)(steps);
}
