/** The one answer to subscribing, from `/deck subscribe` and from a deck offer's Subscribe button alike. */
export function subscribedLine(deckName: string, changed: boolean): string {
  return changed
    ? `Subscribed to **${deckName}**: its cards are now in your \`/study\`.`
    : `You are already subscribed to **${deckName}**.`;
}
