/**
 * The account pages about the address and the record: resend the confirmation (`/account/resend`), the language
 * (`/account/language`), change the address (`/account/email`), the security events (`/account/events`) and the
 * export (`/account/export`), each in a file of its own.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { AccountPagesDeps } from './deps.js';
import { emailPageRoutes } from './email-page.js';
import { eventsPageRoutes } from './events-page.js';
import { exportPageRoutes } from './export-page.js';
import { languagePageRoutes } from './language-page.js';
import { resendPageRoutes } from './resend-page.js';

/** Registers the account's detail pages. */
export function accountDetailsRoutes(app: FastifyInstance, deps: AccountPagesDeps): void {
  resendPageRoutes(app, deps);
  languagePageRoutes(app, deps);
  emailPageRoutes(app, deps);
  eventsPageRoutes(app, deps);
  exportPageRoutes(app, deps);
}
