/** New cards a member starts per day until they set their own with `/settings newcards`. */
export const NEW_PER_DAY_DEFAULT = 20;

/** The most `/settings newcards` accepts. */
export const NEW_PER_DAY_MAX = 500;

/** Reviews (of cards in review, not new or learning cards) a member does per day until they set their own, as Anki. */
export const REVIEW_LIMIT_DEFAULT = 200;

/** The most `/settings reviews` accepts. */
export const REVIEW_LIMIT_MAX = 9999;
