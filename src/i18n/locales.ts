/**
 * The languages the bot writes (one catalog each in catalogs/), and how Discord's locale codes map onto them: a
 * member's `interaction.locale`, a server's `guild_locale` (or its `/quiz setup language:`). Anything else is
 * English, which every other catalog falls back to key by key.
 */
export const LOCALES = ["en", "de", "es"] as const;
export type Locale = (typeof LOCALES)[number];

/** Discord's codes for each language (command localizations are keyed by these). */
export const DISCORD_CODES: Record<Exclude<Locale, "en">, readonly string[]> = {
  de: ["de"],
  es: ["es-ES", "es-419"],
};

/** The Intl tag for dates and numbers. */
export const INTL_TAG: Record<Locale, string> = { en: "en-GB", de: "de-DE", es: "es-ES" };

/** The names `/quiz setup language:` offers, each in its own language. */
export const LANGUAGE_NAMES: Record<Locale, string> = { en: "English", de: "Deutsch", es: "Español" };

export function isLocale(s: string): s is Locale {
  return (LOCALES as readonly string[]).includes(s);
}

/** A Discord locale ("de", "es-ES", "en-US", …, or none) as one of ours: its language, else English. */
export function localeOf(discord: string | null | undefined): Locale {
  const language = (discord ?? "").split("-")[0]?.toLowerCase() ?? "";
  return isLocale(language) ? language : "en";
}
