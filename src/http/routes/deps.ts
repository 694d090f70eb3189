/**
 * What every route module receives: the auth rules and the cookie settings, handed in rather than imported.
 * @module
 */
import type { Auth } from '../../auth/auth.js';
import type { SessionCookieSettings } from '../session-cookie.js';

/** Dependencies shared by the route modules. */
export interface RouteDeps {
  /** The auth layer; the only thing routes talk to. */
  readonly auth: Auth;
  /** Attributes for the session cookie. */
  readonly cookie: SessionCookieSettings;
}
