/**
 * Every account page for a signed-in person, registered together: the account page itself (home.ts), the pages that
 * test the current password (security-routes.ts) and those about the address and the record (details-routes.ts).
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { AccountPagesDeps } from './deps.js';
import { accountDetailsRoutes } from './details-routes.js';
import { accountHomeRoutes } from './home.js';
import { accountSecurityRoutes } from './security-routes.js';

export type { AccountPagesDeps } from './deps.js';

/** Registers the account pages. */
export function accountPageRoutes(app: FastifyInstance, deps: AccountPagesDeps): void {
  accountHomeRoutes(app, deps);
  accountSecurityRoutes(app, deps);
  accountDetailsRoutes(app, deps);
}
