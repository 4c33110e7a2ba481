/**
 * The one switch for a quicker local loop: `TEST_SIZE=small npm test` runs the slowest property suites (board
 * equivalence, FSRS replay) at a smaller size. CI and a bare `npm test` run them at full strength.
 */
export const SMALL = process.env.TEST_SIZE === "small";

/** `full` normally, `small` under TEST_SIZE=small. */
export function bySize<T>(full: T, small: T): T {
  return SMALL ? small : full;
}
