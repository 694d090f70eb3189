/**
 * What the sessions module's routes receive: the session rules and the cookie settings, handed in.
 * @module
 */
import type { SessionService } from '../service.js';
import type { SessionCookieSettings } from './cookie.js';

/** Dependencies of the sessions module's routes. */
export interface SessionRoutesDeps {
  /** The session rules; the only thing these routes talk to about sessions. */
  readonly sessions: SessionService;
  /** Attributes of the session cookie. */
  readonly cookie: SessionCookieSettings;
}
