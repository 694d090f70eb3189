/**
 * What the password module's routes receive: its flows, the session cookie, the limits and the reset delivery.
 * @module
 */
import type { RateLimits } from '../../rate-limits/index.js';
import type { SessionCookieSettings } from '../../sessions/index.js';
import type { PasswordChange } from '../change.js';
import type { PasswordLogin } from '../login.js';
import type { Registration } from '../registration.js';
import type { PasswordReset } from '../reset.js';
import type { ResetTokenSender } from '../reset-webhook.js';
import type { SessionService } from '../../sessions/index.js';

/** Dependencies of the password module's routes. */
export interface PasswordRoutesDeps {
  readonly registration: Registration;
  readonly login: PasswordLogin;
  readonly change: PasswordChange;
  readonly reset: PasswordReset;
  /** The session rules, to check the session `PUT /password` presents. */
  readonly sessions: SessionService;
  /** Attributes of the session cookie the login and the change set. */
  readonly cookie: SessionCookieSettings;
  /** Brute-force limits, or undefined when switched off. */
  readonly limits: RateLimits | undefined;
  /** Out-of-band reset-token delivery; undefined returns the token in the response, as the seed does. */
  readonly sendResetToken: ResetTokenSender | undefined;
}
