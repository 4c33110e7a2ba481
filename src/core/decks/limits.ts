/**
 * Limits every deck must respect, whatever its file format. Violations are reported as errors by
 * `parseDeck` (see validate.ts); the CLI and the services import them from here, and nowhere else.
 */

/** Longest question or answer, counted in Unicode code points (Discord's own unit for message length). */
export const MAX_SIDE_CHARS = 1_500;

/** Most cards one deck may hold. */
export const MAX_CARDS = 5_000;

/**
 * Most review-log entries an Anki package's progress brings (`import_progress`): 40 per card of a full deck. A
 * package over it is refused (cutting a card's oldest reviews would replay it to another state).
 */
export const MAX_IMPORTED_REVIEWS = 200_000;

/** Most review-log entries of one card (its replay is one step of ts-fsrs: 200,000 of them held the bot 2.3 s). */
export const MAX_IMPORTED_REVIEWS_PER_CARD = 10_000;

/** A deck id: lower-case letters, digits and '-', starting with a letter or digit, at most 40 characters. */
export const DECK_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,39}$/;

/** A card key (stable id within its deck): ASCII letters, digits, '.', '_' and '-', at most 64 characters. */
export const CARD_KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Longest deck name (a Discord slash-command choice label holds 100 characters). */
export const MAX_DECK_NAME_CHARS = 100;

/** Longest deck description. */
export const MAX_DECK_DESCRIPTION_CHARS = 1_000;

/** Largest deck file the CLI and the deck loader will read. */
export const MAX_DECK_FILE_BYTES = 16 * 1024 * 1024;

/** Largest file `/deck import` accepts (checked before the whole file is read). */
export const MAX_IMPORT_BYTES = 1024 * 1024;

/** An image a card shows (from an Anki package): decks/FORMAT.md "Images". */
export const MAX_IMAGE_BYTES = 1024 * 1024;

/** All the images of one deck, and how many (past either, the rest are dropped with a warning). */
export const MAX_DECK_IMAGE_BYTES = 10 * 1024 * 1024;
export const MAX_DECK_IMAGES = 1_000;
