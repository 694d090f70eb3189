/**
 * The names of the account pages' forms, signed into their form tokens (form-token.ts): the account page issues
 * the tokens of the small forms it holds (resend, language) and the pages that answer them check them, so the names
 * live here, once.
 * @module
 */

/** The account page's "send the confirmation again" button. */
export const RESEND_FORM = 'account-resend';

/** The account page's language form. */
export const LANGUAGE_FORM = 'account-language';
