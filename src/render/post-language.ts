/**
 * The language of a server's public post (the daily quiz): the one `/quiz setup language:` set when the post was
 * claimed, else the server's own language as Discord reports it (a community server's preferred locale), else
 * English. A member's own views are in their language instead (the router's `ctx.t`).
 */
import { localeOf } from "../i18n/locales.ts";
import { type T, translator } from "../i18n/translate.ts";

export function postTranslator(view: { locale: string | null }, serverLocale: string | null | undefined): T {
  return translator(localeOf(view.locale ?? serverLocale));
}
