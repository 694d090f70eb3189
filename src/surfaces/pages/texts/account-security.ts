/**
 * The texts of the account's security pages, English and French side by side (the type refuses a French set that
 * misses or adds a key).
 * @module
 */

/** English texts, by key. */
export const accountSecurityEn = {} as const;

/** French texts, key for key. */
export const accountSecurityFr: Readonly<Record<keyof typeof accountSecurityEn, string>> = {};
