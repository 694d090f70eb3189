/**
 * The account pages that test the current password, registered together: ending sessions (`/account/sessions`,
 * sessions-page.ts), changing the password (`/account/password`, password-page.ts) and deleting the account
 * (`/account/delete`, delete-page.ts). Each declares the rate limit of the API route it mirrors, so a password
 * guessed on a page counts on the same counters as one guessed on the API.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { deletePageRoutes } from './delete-page.js';
import type { AccountPagesDeps } from './deps.js';
import { passwordPageRoutes } from './password-page.js';
import { sessionsPageRoutes } from './sessions-page.js';

/** Registers the account's security pages. */
export function accountSecurityRoutes(app: FastifyInstance, deps: AccountPagesDeps): void {
  sessionsPageRoutes(app, deps);
  passwordPageRoutes(app, deps);
  deletePageRoutes(app, deps);
}
