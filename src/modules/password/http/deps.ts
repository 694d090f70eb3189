/**
 * What the password module's routes receive: its flows, the session cookie, the limits and the reset delivery.
 * @module
 */
import type { SessionCookieSettings } from '../../sessions/index.js';
import type { PasswordChange } from '../change.js';
import type { PasswordLogin } from '../login.js';
import type { Registration } from '../registration.js';
import type { PasswordReset } from '../reset.js';
import type { ResetTokenSender } from '../reset-webhook.js';

/** Dependencies of the password module's routes. */
export interface PasswordRoutesDeps {
  readonly registration: Registration;
  readonly login: PasswordLogin;
  readonly change: PasswordChange;
  readonly reset: PasswordReset;
  /** Attributes of the session cookie the login and the change set. */
  readonly cookie: SessionCookieSettings;
  /** Out-of-band reset-token delivery; undefined returns the token in the response, as the seed does. */
  readonly sendResetToken: ResetTokenSender | undefined;
}
