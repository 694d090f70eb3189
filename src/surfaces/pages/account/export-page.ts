/**
 * The account's data as a download (`/account/export`, the account page's "Download my data"): the very document
 * `GET /profile/export` answers with (the accounts module's `exportJson`, so the two cannot drift apart), sent as
 * an attachment named after the account and the day, and never kept by a cache.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { exportJson } from '../../../modules/accounts/index.js';
import type { AccountPagesDeps } from './deps.js';
import { accountSession, accountSessionCheck, signInFirst } from './guard.js';

/** The download's file name: whose account and which day (UTC), so a second download does not overwrite the first one silently. */
export function exportFileName(accountId: number, nowMs: number): string {
  return `sesame-account-${accountId}-${new Date(nowMs).toISOString().slice(0, 10)}.json`;
}

/** Registers `GET /account/export`, hidden from the API description. */
export function exportPageRoutes(app: FastifyInstance, { sessions, cookie, accounts }: AccountPagesDeps): void {
  app.get('/account/export', { preHandler: accountSessionCheck(sessions, cookie.name), schema: { hide: true } }, async (request, reply) => {
    const session = accountSession(request);
    if (session === undefined) return signInFirst(request, reply);
    const document = exportJson(await accounts.exportOf(session.user.id), session);
    return (
      reply
        .code(200)
        .header('content-type', 'application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="${exportFileName(session.user.id, Date.now())}"`)
        // Everything kept about the account: no cache, shared or private, may keep a copy.
        .header('cache-control', 'no-store')
        .send(JSON.stringify(document))
    );
  });
}
