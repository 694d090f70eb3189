/**
 * What the account pages are built from: the same services the API's own routes call (so a page and a route give
 * the same limits, events and notices), the session cookie's settings, and the site every page shares.
 * @module
 */
import type { AccountsService } from '../../../modules/accounts/index.js';
import type { EmailAddresses } from '../../../modules/email/index.js';
import type { PasswordChange } from '../../../modules/password/index.js';
import type { SessionCookieSettings, SessionService } from '../../../modules/sessions/index.js';
import type { PageSite } from '../layout.js';

/** The account pages' dependencies, handed in by pages/routes.ts. */
export interface AccountPagesDeps {
  readonly site: PageSite;
  readonly sessions: SessionService;
  /** The session cookie's settings (a password change sets a fresh one; deleting the account clears it). */
  readonly cookie: SessionCookieSettings & { readonly ttlMs: number };
  /** The password change of `PUT /password`. */
  readonly change: PasswordChange;
  /** The address, its confirmation, change and language (`PUT /email`, `POST /email/verify/resend`, `PUT /profile/language`). */
  readonly email: EmailAddresses;
  /** The owner's events, export and deletion (`/profile/events`, `/profile/export`, `DELETE /profile`). */
  readonly accounts: AccountsService;
}
