import { english, type T } from "../i18n/translate.ts";

/** The one answer to subscribing, from `/deck subscribe` and from a deck offer's Subscribe button alike. */
export function subscribedLine(deckName: string, changed: boolean, t: T = english): string {
  return changed
    ? t("study.subscribed", { name: deckName })
    : t("study.alreadySubscribed", { name: deckName });
}
