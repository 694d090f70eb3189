/**
 * Every event type Sesame records or publishes, at run time, with where it goes: the audit log, or only the logs and
 * metrics. The types themselves are the modules' `events.ts` unions; this
 * list is checked against their union ({@link AuthEvent}) by the compiler, so a new event cannot be left out of it and
 * a removed one cannot linger.
 * @module
 */
import type { AuthEvent } from './sesame.js';

/**
 * Where an event type ends up: `audited` rows of `auth_events`; `traffic` (hostile or unauthenticated requests,
 * mail held back) logged and counted only; `counted` routine work (a message delivered) told only to the metrics.
 */
export type EventDestination = 'audited' | 'traffic' | 'counted';

/** Each event type and where it goes (`satisfies` makes the compiler require every type of the union, and no other). */
const DESTINATIONS = {
  'account.created': 'audited',
  'account.registration_repeated': 'audited',
  'account.disabled': 'audited',
  'account.enabled': 'audited',
  'account.deleted': 'audited',
  'account.delete_failed': 'audited',
  'account.force_reset': 'audited',
  'account.sessions_revoked': 'audited',
  'admin_token.created': 'audited',
  'admin_token.revoked': 'audited',
  'email.verification_sent': 'audited',
  'email.verified': 'audited',
  'email.verify_failed': 'audited',
  'email.change_requested': 'audited',
  'email.change_failed': 'audited',
  'email.changed': 'audited',
  'email.language_changed': 'audited',
  'login.succeeded': 'audited',
  'login.failed': 'audited',
  'mail.failed': 'audited',
  'mail.sent': 'counted',
  'mail.held': 'traffic',
  'password.changed': 'audited',
  'password.change_failed': 'audited',
  'password.reset_requested': 'audited',
  'password.reset': 'audited',
  'session.logged_out': 'audited',
  'sessions.revoked': 'audited',
  'sessions.revoke_failed': 'audited',
  'rate_limit.refused': 'traffic',
  'invitation.created': 'audited',
  'signup.refused': 'traffic',
  'cross_site.refused': 'traffic',
} as const satisfies Readonly<Record<AuthEvent['type'], EventDestination>>;

/** Every event type, sorted. */
export const EVENT_TYPES: readonly AuthEvent['type'][] = (Object.keys(DESTINATIONS) as AuthEvent['type'][]).sort();

/** The event types the audit log stores (what `sesame audit tail --type` and `GET /admin/events?type=` can find), sorted. */
export const AUDITED_EVENT_TYPES: readonly AuthEvent['type'][] = EVENT_TYPES.filter((type) => DESTINATIONS[type] === 'audited');

/** Where an event type goes, or undefined for a string that is no event type of Sesame's. */
export function destinationOf(type: string): EventDestination | undefined {
  return Object.hasOwn(DESTINATIONS, type) ? DESTINATIONS[type as AuthEvent['type']] : undefined;
}
