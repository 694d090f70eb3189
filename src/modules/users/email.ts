/**
 * Email normalisation, so `A@x.io` and ` a@x.io ` are one account.
 * @module
 */

/** Trims and lower-cases an email; the stored form and every comparison use this. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}
