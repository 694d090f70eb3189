/**
 * The account pages that test the current password: ending sessions (`/account/sessions`), changing the password
 * (`/account/password`) and deleting the account (`/account/delete`).
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { AccountPagesDeps } from './deps.js';

/** Registers the account's security pages. */
export function accountSecurityRoutes(_app: FastifyInstance, _deps: AccountPagesDeps): void {}
