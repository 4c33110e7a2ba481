/** What a member is told, once, when a rating or a quiz answer makes a card a leech (core/leeches.ts). */
export function leechNotice(leech: { lapses: number; suspended: boolean }, deckId: string): string {
  const what = `🩸 That card is a **leech**: you have forgotten it ${leech.lapses} times.`;
  const fix =
    "Cards like this rarely stick as they are: rewrite it, split it into smaller cards, or add a memory hook.";
  return leech.suspended
    ? `${what} It is suspended, so it stops taking your time. ${fix} Bring it back with \`/deck suspended deck:${deckId}\`.`
    : `${what} ${fix} (\`/settings leeches action:suspend\` suspends leeches instead.)`;
}
