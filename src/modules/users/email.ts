/**
 * Email normalisation, so `A@x.io` and ` a@x.io ` are one account, and the check that keeps what cannot be an
 * address (control and format characters, line breaks, a value that grows past the limit when lower-cased) out of the
 * accounts table and out of every log line and mail header an email may later reach.
 * @module
 */
import { MAX_EMAIL_LENGTH } from '../../kernel/http/schemas.js';
import { InvalidEmailError } from './errors.js';

/**
 * What no address holds: control characters (C0 with NUL, tab and line breaks; DEL; C1) and format characters
 * (zero-width and bidirectional controls, which make two different addresses look alike), whitespace inside, or a
 * second `@`; spaces around it are allowed (and trimmed), other whitespace is not. Deliberately loose otherwise
 * (something@something): only mail reaching it proves an address works.
 */
const ADDRESS = /^ *[^\s@\p{Cc}\p{Cf}]+@[^\s@\p{Cc}\p{Cf}]+ *$/u;

/** Trims and lower-cases an email; the stored form and every comparison use this. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * The normalised form of an email a new account or a changed address will store, or `InvalidEmailError` when it is
 * not an address, or longer than {@link MAX_EMAIL_LENGTH} characters once normalised (some characters grow when
 * lower-cased: `İ` becomes two).
 */
export function checkedEmail(email: string): string {
  if (!ADDRESS.test(email)) throw new InvalidEmailError('email must be an email address');
  const normalised = normaliseEmail(email);
  if ([...normalised].length > MAX_EMAIL_LENGTH) throw new InvalidEmailError(`email must be at most ${MAX_EMAIL_LENGTH} characters`);
  return normalised;
}
