/**
 * What the password module records: accounts created, sign-ups for an address that already had one, logins,
 * password changes and resets, and their refusals.
 * @module
 */
import type { SesameEvent } from '../../kernel/events.js';

/** The password module's events. */
export type PasswordEvent = SesameEvent<
  | 'account.created'
  | 'account.registration_repeated'
  | 'login.succeeded'
  | 'login.failed'
  | 'password.changed'
  | 'password.change_failed'
  | 'password.reset_requested'
  | 'password.reset'
>;
