/**
 * What the sessions module's routes receive: the session rules, the cookie settings and the limits, handed in.
 * @module
 */
import type { RateLimits } from '../../rate-limits/index.js';
import type { SessionService } from '../service.js';
import type { SessionCookieSettings } from './cookie.js';

/** Dependencies of the sessions module's routes. */
export interface SessionRoutesDeps {
  /** The session rules; the only thing these routes talk to about sessions. */
  readonly sessions: SessionService;
  /** Attributes of the session cookie. */
  readonly cookie: SessionCookieSettings;
  /** Brute-force limits, or undefined when switched off. */
  readonly limits: RateLimits | undefined;
}
