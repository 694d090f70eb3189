/**
 * What the accounts module hands out: accounts, their sessions and their audit events as views without any hash or
 * credential, so neither an operator's screen nor an owner's export can leak something that signs in.
 * @module
 */
import type { MailChannel, MailStatus } from '../mail/index.js';
import type { SessionEndReason } from '../sessions/index.js';

/** Whether an account may sign in. */
export type AccountState = 'active' | 'disabled';

/** An account as operators and its owner see it: never the password hash or the credential version. */
export interface AccountView {
  readonly id: number;
  /** The stored (normalised) email. */
  readonly email: string;
  readonly state: AccountState;
  /** When it was created, in epoch ms. */
  readonly createdAt: number;
  /** When its row last changed, in epoch ms. */
  readonly updatedAt: number;
  /** When it was disabled, in epoch ms, or null while active. */
  readonly disabledAt: number | null;
  /** Why it was disabled, or null. */
  readonly disabledReason: string | null;
  /** When the owner proved the address, in epoch ms, or null while unverified. */
  readonly emailVerifiedAt: number | null;
  /** The language Sesame's messages to the account are written in. */
  readonly language: string;
}

/** One session of an account, named by its handle (a prefix of the stored hash), never by its id or the whole hash. */
export interface SessionRecord {
  /** 16 hex digits, as `GET /sessions` shows them. */
  readonly handle: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  /** When it was last used (only kept with an inactivity timeout), or null. */
  readonly lastUsedAt: number | null;
  /** When it ended, or null while it lives. */
  readonly endedAt: number | null;
  /** Why it ended, or null while it lives. */
  readonly endReason: SessionEndReason | null;
}

/** One audit event about an account. */
export interface AccountEvent {
  readonly id: number;
  /** The event's type (`login.failed`). */
  readonly type: string;
  /** Who did it: `user`, `cli`, `admin:<token-id>`. */
  readonly actor: string;
  readonly createdAt: number;
  readonly requestId: string | null;
  readonly ip: string | null;
  readonly userAgent: string | null;
  /** The event's facts (counts, reasons), parsed. */
  readonly detail: Readonly<Record<string, unknown>> | null;
}

/** {@link AccountsService.show}: an account with its live sessions and its latest events. */
export interface AccountDetails {
  readonly account: AccountView;
  /** Live sessions, newest first. */
  readonly sessions: readonly SessionRecord[];
  /** The 20 most recent events, newest first. */
  readonly events: readonly AccountEvent[];
}

/**
 * One message Sesame sent (or is sending) to the account's address, as its export lists it: what and when, never the
 * body (a link and a code), the subject or the transport's error.
 */
export interface MailRecord {
  /** What it was for (`password_reset`, `email_verify`, ...). */
  readonly kind: string;
  /** How it leaves: `email`, or `webhook` (the operator's own mailer). */
  readonly channel: MailChannel;
  /** `pending`, `sending`, `sent`, `failed` (given up), or `suppressed` (a repeat notice held back, never sent). */
  readonly status: MailStatus;
  /** Sends tried so far. */
  readonly attempts: number;
  /** When it was enqueued, in epoch ms. */
  readonly createdAt: number;
  /** When it was delivered, or null. */
  readonly sentAt: number | null;
}

/** {@link AccountsService.exportOf}: everything Sesame holds about an account, for its owner (GDPR art. 15 and 20). */
export interface AccountExport {
  readonly account: AccountView;
  /** Every session row still kept (live or ended, until its original expiry), newest first. */
  readonly sessions: readonly SessionRecord[];
  /** Every audit event still kept about the account, newest first. */
  readonly events: readonly AccountEvent[];
  /** Every outbox row addressed to the account's email, kept until `MAIL_RETENTION` (pending ones until sent), newest first. */
  readonly mail: readonly MailRecord[];
}

/** A page of {@link AccountsService.list}. */
export interface AccountQuery {
  /** Only emails starting with this (matched on the normalised form). */
  readonly emailPrefix?: string;
  /** Only accounts in this state. */
  readonly state?: AccountState;
  readonly limit: number;
  readonly offset: number;
}

/** A page of events. */
export interface Page {
  readonly limit: number;
  readonly offset: number;
}

/**
 * How a force-reset's new token went out: queued in the outbox by mail (`email`) or as the signed webhook (`webhook`),
 * posted by the unsigned webhook (`webhook`, or `webhook-failed`), back to the caller (development only), or not at all.
 */
export type ForcedResetDelivery =
  | { readonly via: 'webhook' }
  | { readonly via: 'email' }
  | { readonly via: 'webhook-failed'; readonly error: string }
  | { readonly via: 'returned'; readonly token: string }
  | { readonly via: 'none' };

/** What {@link AccountsService.disable} did. */
export interface Disabled {
  /** Sessions it ended (0 when the account was already disabled). */
  readonly sessionsEnded: number;
  /** The account was disabled already: nothing changed and no event was recorded. */
  readonly alreadyDisabled: boolean;
}

/** What {@link AccountsService.enable} did. */
export interface Enabled {
  /** The account was not disabled: nothing changed and no event was recorded. */
  readonly alreadyEnabled: boolean;
}

/** What {@link AccountsService.forceReset} did. */
export interface ForcedReset {
  /** Sessions it ended. */
  readonly sessionsEnded: number;
  readonly delivery: ForcedResetDelivery;
}
