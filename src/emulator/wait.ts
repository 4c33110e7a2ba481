import type { EmulatorState } from "./state.ts";

/**
 * Resolves with the first value `condition` returns other than undefined/false/null. Checked on every
 * emulator change and every 20 ms (so it also works for outside state, e.g. the bot's database).
 */
export function waitFor<T>(
  state: EmulatorState,
  condition: () => T | undefined | false | null,
  timeoutMs: number,
  describe?: () => string,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void) => {
      settled = true;
      clearTimeout(timer);
      clearInterval(poll);
      unsubscribe();
      fn();
    };
    const check = () => {
      if (settled) return;
      try {
        const value = condition();
        if (value !== undefined && value !== false && value !== null) finish(() => resolve(value));
      } catch (error) {
        finish(() => reject(error));
      }
    };
    const timer = setTimeout(
      () => finish(() => reject(new Error(describe?.() ?? `Condition not met within ${timeoutMs} ms`))),
      timeoutMs,
    );
    // Emulator changes trigger a check at once; the poll catches conditions on outside state (the bot's DB).
    const poll = setInterval(check, 20);
    const unsubscribe = state.subscribe(check);
    check();
  });
}
