/**
 * The account owner's routes: their own audit events, their export, and deleting their account. Operators use the
 * same service through the CLI or an admin surface; these routes only ever act on the session's own account.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { requestContext } from '../../../kernel/http/event-context.js';
import { CLEARS_SESSION_COOKIE, documented, refusals } from '../../../kernel/http/responses.js';
import { BODY_TYPES, messageReply } from '../../../kernel/http/schemas.js';
import { checkedSession, clearSessionCookie } from '../../sessions/index.js';
import { AccountError } from '../errors.js';
import type { AccountRoutesDeps } from './deps.js';
import { eventJson, exportJson } from './export-json.js';
import { deleteProfileBody, eventsQuery, eventsReply, exportReply, type DeleteProfileBody, type EventsQuery } from './schemas.js';

/** Events per page unless the query says otherwise, and the most it may ask for. */
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 100;

/** A page number from the query string, or the refusal that says which one is wrong. */
function pageNumber(value: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const parsed = /^[0-9]+$/.test(value) ? Number(value) : Number.NaN;
  if (!(parsed >= min && parsed <= max)) throw new AccountError('account.invalid_page', `${name} must be a whole number from ${min} to ${max}`);
  return parsed;
}

/** Registers `GET /profile/events`, `GET /profile/export` and `DELETE /profile`. */
export function accountsRoutes(app: FastifyInstance, { accounts, cookie }: AccountRoutesDeps): void {
  app.get<{ Querystring: EventsQuery }>(
    '/profile/events',
    {
      config: { session: 'required' },
      schema: {
        operationId: 'listProfileEvents',
        summary: 'The signed-in user\'s own audit events, newest first, a page at a time',
        tags: ['account'],
        querystring: eventsQuery,
        response: {
          200: documented(eventsReply, 'A page of the account\'s events'),
          ...refusals(['session', 'database'], { 400: '`limit` is not 1 to 100 or `offset` not a whole number (`account.invalid_page`)' }),
        },
      },
    },
    async (request) => {
      const limit = pageNumber(request.query.limit, 'limit', DEFAULT_LIMIT, 1, MAX_LIMIT);
      const offset = pageNumber(request.query.offset, 'offset', 0, 0, 999_999_999);
      const events = await accounts.eventsOf(checkedSession(request).user.id, { limit, offset });
      return { events: events.map(eventJson) };
    },
  );

  app.get(
    '/profile/export',
    {
      config: { session: 'required' },
      schema: {
        operationId: 'exportProfile',
        summary: 'Everything kept about the signed-in account: the account, its sessions, its events and its mail (never bodies)',
        tags: ['account'],
        response: { 200: documented(exportReply, 'The account\'s data; no password hash and no session id or hash'), ...refusals(['session', 'database']) },
      },
    },
    async (request) => {
      const session = checkedSession(request);
      return exportJson(await accounts.exportOf(session.user.id), session);
    },
  );

  app.delete<{ Body: DeleteProfileBody }>(
    '/profile',
    {
      // The password is tested here too: counted in the account's one password-guessing budget, like a login.
      config: { session: 'required', rateLimit: { action: 'account-delete', account: 'session', handBackOnSuccess: true } },
      schema: {
        operationId: 'deleteProfile',
        summary: 'Delete the signed-in account with its password; its sessions and tokens go with it',
        tags: ['account'],
        consumes: BODY_TYPES,
        body: deleteProfileBody,
        response: {
          200: documented(messageReply, 'The account is deleted; the cookie is cleared', CLEARS_SESSION_COOKIE),
          ...refusals(['body', 'state-changing', 'session', 'rate-limited', 'database'], { 403: 'the password is wrong (`account.password_wrong`)' }),
        },
      },
    },
    async (request, reply) => {
      const deleted = await accounts.deleteOwn(checkedSession(request), request.body.password, requestContext(request));
      if (!deleted) throw new AccountError('account.password_wrong');
      clearSessionCookie(reply, cookie);
      return { message: 'account deleted' };
    },
  );
}
