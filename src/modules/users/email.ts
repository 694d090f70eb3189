/**
 * Email normalisation, so `A@x.io` and ` a@x.io ` are one account, and the rule for what Sesame accepts as an
 * address wherever one enters (registration, `PUT /email`, `sesame users create`): a plain `local@domain` that every
 * mailer reads as that one mailbox and nothing else, so what is stored is exactly where the mail goes.
 * @module
 */
import { MAX_EMAIL_LENGTH } from '../../kernel/http/schemas.js';
import { InvalidEmailError } from './errors.js';

/**
 * RFC 5322's `atext`: letters, digits and ``!#$%&'*+/=?^_`{|}~-``. A local part is a dot-atom of these (runs joined
 * by single dots): no quoted strings, comments, angle brackets, commas, semicolons, colons or spaces. A mailer
 * parsing anything more (nodemailer included) reads it as a display name before another address, a list, or a
 * group: `a,victim@x.io` and `"victim"@x.io` were distinct accounts whose mail all reached `victim@x.io`, and the
 * per-recipient hourly limit counted each spelling apart.
 *
 * ASCII only, by decision, in the local part and in the domain:
 * - one mailbox must have one spelling: Unicode has several for the same text (`é` precomposed or as `e` plus an
 *   accent, NFC and NFD), lower-casing beyond ASCII is not what mail providers do, and an internationalised domain
 *   is both a U-label (`jõgeva.ee`) and an A-label (`xn--jgeva-dua.ee`); each extra spelling is one more account
 *   on the same mailbox, which is what this rule exists to stop;
 * - look-alike letters of other scripts (Cyrillic `а` for Latin `a`) make two accounts read the same to an operator
 *   and in a message;
 * - a UTF-8 local part needs SMTPUTF8 on every relay on the way, which Sesame cannot know of.
 * An internationalised domain is accepted in its ASCII form (`user@xn--jgeva-dua.ee`), the one DNS and SMTP use.
 */
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;

/** A DNS label of letters, digits and hyphens (LDH), 1 to 63 characters, neither starting nor ending with a hyphen. */
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** RFC 5321's limits: a local part of at most 64 octets, a domain name of at most 253 (255 with its length bytes). */
const MAX_LOCAL_LENGTH = 64;
const MAX_DOMAIN_LENGTH = 253;

/** Trims and lower-cases an email; the stored form and every comparison use this. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * Whether a string (already trimmed) is an address Sesame accepts: a dot-atom local part, `@`, and a domain of at
 * least two LDH labels whose last is not all digits (so no IP address, and no address literal such as `[1.2.3.4]`).
 * Rows stored before this rule may fail it: `sesame config check` lists them and nothing rewrites them.
 */
export function isAcceptedEmail(email: string): boolean {
  const at = email.lastIndexOf('@');
  if (at < 1) return false;
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (local.length > MAX_LOCAL_LENGTH || !LOCAL_PART.test(local)) return false;
  if (domain.length > MAX_DOMAIN_LENGTH) return false;
  const labels = domain.split('.');
  return labels.length >= 2 && labels.every((label) => LABEL.test(label)) && !/^\d+$/.test(labels.at(-1) ?? '');
}

/**
 * The normalised form of an email a new account or a changed address will store, or `InvalidEmailError` when it is
 * longer than {@link MAX_EMAIL_LENGTH} characters or not an address by {@link isAcceptedEmail}. Spaces around it are
 * allowed (and trimmed); any other whitespace is not.
 */
export function checkedEmail(email: string): string {
  const bare = email.replace(/^ +| +$/g, '');
  if ([...bare].length > MAX_EMAIL_LENGTH) throw new InvalidEmailError(`email must be at most ${MAX_EMAIL_LENGTH} characters`);
  if (!isAcceptedEmail(bare)) throw new InvalidEmailError('email must be an email address');
  return normaliseEmail(bare);
}
