/** New cards a member starts per day until they set their own with `/settings newcards`. */
export const NEW_PER_DAY_DEFAULT = 20;

/** The most `/settings newcards` accepts. */
export const NEW_PER_DAY_MAX = 500;
