/**
 * What the accounts module's routes receive: the account operations and the session cookie they clear.
 * @module
 */
import type { SessionCookieSettings } from '../../sessions/index.js';
import type { AccountsService } from '../service.js';

/** Dependencies of the account owner's routes. */
export interface AccountRoutesDeps {
  readonly accounts: AccountsService;
  /** Attributes of the session cookie, cleared when the account is deleted. */
  readonly cookie: SessionCookieSettings;
}
