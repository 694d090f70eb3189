/**
 * What the email module records: verification mail sent, addresses verified, changes asked for and made, and wrong
 * codes, so the audit log answers "when was this address proved, and who moved the account to it".
 * @module
 */
import type { SesameEvent } from '../../kernel/events.js';

/** The email module's events. */
export type EmailEvent = SesameEvent<
  'email.verification_sent' | 'email.verified' | 'email.verify_failed' | 'email.change_requested' | 'email.change_failed' | 'email.changed' | 'email.language_changed'
>;
