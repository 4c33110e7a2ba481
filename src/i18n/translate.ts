/**
 * Messages in the member's language through i18next: one catalog per language (catalogs/*.json), English the
 * fallback for any key a catalog lacks. `{{name}}` placeholders; plurals by `_one` / `_other` suffixes (Intl's
 * plural rules); `{{n, number}}` formats with the language's Intl. A translator is made once per language.
 */
import i18next from "i18next";
import de from "./catalogs/de.json" with { type: "json" };
import en from "./catalogs/en.json" with { type: "json" };
import es from "./catalogs/es.json" with { type: "json" };
import { INTL_TAG, LOCALES, type Locale } from "./locales.ts";

/** Every key of the English catalog, dotted ("study.showAnswer"); plural forms by their base ("study.cards"). */
type Paths<T, P extends string = ""> = {
  [K in keyof T & string]: T[K] extends string
    ? `${P}${K extends `${infer Base}_${"one" | "other"}` ? Base : K}`
    : Paths<T[K], `${P}${K}.`>;
}[keyof T & string];
export type MessageKey = Paths<typeof en>;

export type Vars = Record<string, string | number>;

/** A message in one language. `locale` says which (for Intl formatting beside the messages). */
export interface T {
  (key: MessageKey, vars?: Vars): string;
  readonly locale: Locale;
  readonly intl: string;
}

export const CATALOGS: Record<Locale, object> = { en, de, es };

const instance = i18next.createInstance();
void instance.init({
  resources: Object.fromEntries(LOCALES.map((l) => [l, { translation: CATALOGS[l] }])),
  lng: "en",
  fallbackLng: "en",
  initAsync: false,
  // Discord markdown, not HTML: nothing is escaped (card text never goes through a catalog).
  interpolation: { escapeValue: false },
  returnNull: false,
});

const made = new Map<Locale, T>();

export function translator(locale: Locale): T {
  let t = made.get(locale);
  if (t === undefined) {
    const fixed = instance.getFixedT(locale);
    const fn = (key: MessageKey, vars?: Vars) => fixed(key, vars ?? {}) as string;
    t = Object.assign(fn, { locale, intl: INTL_TAG[locale] });
    made.set(locale, t);
  }
  return t;
}

/** English: what tests, logs and the places not yet translated use. */
export const english: T = translator("en");
