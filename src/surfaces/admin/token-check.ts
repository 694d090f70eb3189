/**
 * The admin listener's door: every request must carry `Authorization: Bearer <admin token>`, checked against the
 * stored hashes before any route runs; a missing, unknown or revoked token gets the same 401, so a probe learns
 * nothing about which tokens exist. The identity is left on the request for the routes' audit context.
 * @module
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AdminIdentity, AdminTokens } from '../../modules/admin-tokens/index.js';
import { RequestError, sendError } from '../api/errors.js';

declare module 'fastify' {
  /** What the token check leaves on an admin request. */
  interface FastifyRequest {
    /** The operator's token identity (admin listener only). */
    sesameAdmin?: AdminIdentity;
  }
}

/** The refusal, built once. */
const UNAUTHORIZED = new RequestError('admin.unauthorized');

/** The identity the check left on the request; a route without it is a programming error. */
export function adminIdentity(request: FastifyRequest): AdminIdentity {
  const identity = request.sesameAdmin;
  if (identity === undefined) throw new Error('admin route reached without the token check');
  return identity;
}

/** Adds the check to every route of the admin listener, the 404 handler's included. */
export function requireAdminToken(app: FastifyInstance, tokens: AdminTokens): void {
  app.addHook('onRequest', async (request, reply) => {
    const header = request.headers.authorization;
    const token = header !== undefined && /^Bearer [^\s]+$/i.test(header) ? header.slice(7) : undefined;
    const identity = await tokens.check(token);
    if (identity === null) {
      void reply.header('www-authenticate', 'Bearer realm="sesame-admin"');
      return sendError(reply, UNAUTHORIZED);
    }
    request.sesameAdmin = identity;
    return undefined;
  });
}
