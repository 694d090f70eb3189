/**
 * The texts of the account's details pages, English and French side by side (the type refuses a French set that
 * misses or adds a key).
 * @module
 */

/** English texts, by key. */
export const accountDetailsEn = {} as const;

/** French texts, key for key. */
export const accountDetailsFr: Readonly<Record<keyof typeof accountDetailsEn, string>> = {};
