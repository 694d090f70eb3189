/**
 * What the sessions module records: a logout, sessions ended from the session list, and a refused attempt to end them.
 * @module
 */
import type { SesameEvent } from '../../kernel/events.js';

/** The sessions module's events. */
export type SessionsEvent = SesameEvent<'session.logged_out' | 'sessions.revoked' | 'sessions.revoke_failed'>;
