/**
 * Request ids that survive a proxy: a well-formed `X-Request-Id` from the load balancer is kept, so one id follows a
 * request through the proxy's log, Sesame's log lines and its audit rows; anything else is replaced.
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The header read from the request and echoed on every response. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** Longest id accepted; `auth_events.request_id` holds this many characters (migration `0010_sessions_devices`). */
export const MAX_REQUEST_ID_LENGTH = 128;

/**
 * What an accepted id may contain: characters that cannot split a log line, forge a JSON field or smuggle a header,
 * whatever the log sink does with them.
 */
const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Whether a client's id is safe to keep (one value, 1 to 128 of `[A-Za-z0-9._-]`). */
export function isAcceptableRequestId(value: unknown): value is string {
  return typeof value === 'string' && REQUEST_ID.test(value);
}

/**
 * Fastify's `genReqId`: the client's `X-Request-Id` when acceptable, else a fresh UUID. A refused id is dropped, not
 * cleaned up, so nothing of it reaches a log.
 */
export function requestIdFor(request: Pick<IncomingMessage, 'headers'>): string {
  const offered = request.headers[REQUEST_ID_HEADER];
  return isAcceptableRequestId(offered) ? offered : randomUUID();
}
