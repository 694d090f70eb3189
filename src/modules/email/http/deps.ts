/**
 * What the email module's routes receive: the address service.
 * @module
 */
import type { EmailAddresses } from '../service.js';

/** Dependencies of the email routes. */
export interface EmailRoutesDeps {
  readonly email: EmailAddresses;
}
