/**
 * The event context of an HTTP request: who (the account's owner, on the public surface), the request id, the
 * client's address and user agent; never a header's secret or the body.
 * @module
 */
import type { FastifyRequest } from 'fastify';
import type { EventContext } from '../events.js';

/** Longest user agent kept; the rest of a longer one is cut, so a client cannot make an event row large. */
const MAX_USER_AGENT = 256;

/** The context of events a request of the account's owner causes. */
export function requestContext(request: FastifyRequest): EventContext {
  const agent = request.headers['user-agent'];
  return {
    actor: 'user',
    requestId: String(request.id),
    ip: request.ip,
    ...(agent === undefined ? {} : { userAgent: agent.slice(0, MAX_USER_AGENT) }),
  };
}
