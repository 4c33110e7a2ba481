/**
 * Pure rules from src/core sometimes ask the database yes/no questions while they decide (is this date posted,
 * is this name taken), synchronously. Database reads are async on either engine, so the rule runs until it has
 * asked only what is known, and each unknown answer is read and the rule run again: a pure rule gives the same
 * decision for the same answers, and each run asks at most one question more than the last.
 */
export async function decideWithLookups<T>(
  decide: (ask: (key: string) => boolean) => T,
  lookup: (key: string) => Promise<boolean>,
): Promise<T> {
  const known = new Map<string, boolean>();
  for (;;) {
    const missing: string[] = [];
    const result = decide((key) => {
      const answer = known.get(key);
      if (answer === undefined) missing.push(key);
      return answer ?? false;
    });
    if (missing.length === 0) return result;
    for (const key of missing) known.set(key, await lookup(key));
  }
}
