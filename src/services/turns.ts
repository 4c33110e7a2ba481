/**
 * One at a time: a job whose workers overlap their network waits (the tick's sends) but must not overlap their
 * database work (see db/client.ts `runsSideBySide`) runs that work through `turns(false)`.
 */
export type Turns = <T>(work: () => Promise<T>) => Promise<T>;

/** `sideBySide`: work runs at once; otherwise each waits for the one before it to settle. */
export function turns(sideBySide: boolean): Turns {
  if (sideBySide) return (work) => work();
  let last: Promise<unknown> = Promise.resolve();
  return (work) => {
    const mine = last.then(() => work());
    last = mine.catch(() => undefined);
    return mine;
  };
}
