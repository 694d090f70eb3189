/**
 * What every route module receives: the auth rules, the limits and the cookie settings, handed in rather than imported.
 * @module
 */
import type { Auth } from '../../auth/auth.js';
import type { ResetTokenSender } from '../../delivery/reset-webhook.js';
import type { RateLimits } from '../../limits/rate-limits.js';
import type { SessionCookieSettings } from '../session-cookie.js';

/** Dependencies shared by the route modules. */
export interface RouteDeps {
  /** The auth layer; the only thing routes talk to about accounts. */
  readonly auth: Auth;
  /** Attributes for the session cookie. */
  readonly cookie: SessionCookieSettings;
  /** Brute-force limits, or undefined when switched off. */
  readonly limits: RateLimits | undefined;
  /** Out-of-band reset-token delivery; undefined returns the token in the response, as the seed does. */
  readonly sendResetToken: ResetTokenSender | undefined;
}
