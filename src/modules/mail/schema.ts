/**
 * The `mail_outbox` table: every message Sesame owes someone, written in the transaction of the change it announces,
 * so a committed change always has its message and a rolled-back one never does.
 * @module
 */
import type { Generated } from 'kysely';

declare module '../../kernel/database/tables.js' {
  /** The mail module's table. */
  interface SesameTables {
    /** Messages to send, being sent, sent or given up on. */
    mail_outbox: MailOutboxTable;
  }
}

/** How a message leaves: by mail (SMTP, or the development `.eml` directory) or as a signed webhook call. */
export type MailChannel = 'email' | 'webhook';

/**
 * Where a message stands: waiting, claimed by a dispatcher, delivered, or given up after too many attempts; or
 * `suppressed`, written but never to be sent (a repeat inside its once-a-day window, see `Courier.sendOncePer`):
 * the row is the work an equal-work flow must do, and the record of what was held back.
 */
export type MailStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'suppressed';

/** Column types of `mail_outbox`. */
export interface MailOutboxTable {
  /** Assigned by the database; names the message in logs and in the development `.eml` file. */
  id: Generated<number>;
  /** What the message is for (`password_reset`), so logs and events can say so without the body. */
  kind: string;
  /** How it leaves (see {@link MailChannel}); `email` unless enqueued for the webhook. */
  channel: Generated<MailChannel>;
  /** The address it goes to, as stored on the account. */
  recipient: string;
  /** The subject line. */
  subject: string;
  /** The plain-text body (it may carry a token: never logged). */
  text_body: string;
  /** The HTML body, or null for a text-only message. */
  html_body: string | null;
  /** See {@link MailStatus}. */
  status: MailStatus;
  /** How many sends were tried. */
  attempts: number;
  /** When a dispatcher may try it (next), in epoch ms; for `sending`, when the claim was made. */
  next_attempt_at: number;
  /** Why the last try failed, short and without the body, or null. */
  last_error: string | null;
  /** When it was enqueued, in epoch ms. */
  created_at: number;
  /** When it was delivered, or null. */
  sent_at: number | null;
}
