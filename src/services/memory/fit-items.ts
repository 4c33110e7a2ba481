/** Card histories (core/memory-history.ts) as fsrs-rs's items: what the fit worker, the tests and the bench fit. */
import { FSRSBindingItem, FSRSBindingReview } from "@open-spaced-repetition/binding";
import type { CardHistory } from "../../core/memory-history.ts";

/**
 * One item per review after a card's first, each holding the card's reviews up to it (fsrs-rs's FSRSItem);
 * `keep(history, k)` picks which reviews become items (all by default: a held-out split keeps the later ones).
 */
export function fsrsItems(
  histories: readonly CardHistory[],
  keep: (h: CardHistory, k: number) => boolean = () => true,
): FSRSBindingItem[] {
  const out: FSRSBindingItem[] = [];
  for (const h of histories) {
    const reviews = h.ratings.map((r, k) => new FSRSBindingReview(r, h.deltas[k] ?? 0));
    for (let k = 1; k < reviews.length; k++)
      if (keep(h, k)) out.push(new FSRSBindingItem(reviews.slice(0, k + 1)));
  }
  return out;
}
