/**
 * Request ids that survive a proxy: a well-formed `X-Request-Id` from a proxy `TRUST_PROXY` names is kept, so one id
 * follows a request through the proxy's log, Sesame's log lines and its audit rows; an id from any other peer, or a
 * malformed one, is replaced. A client's own id is never believed: it could plant a chosen id, or another request's,
 * in the audit log.
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';

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

/** Whether the peer at an address is a proxy whose headers Sesame believes. */
export type PeerTrust = (address: string | undefined) => boolean;

/**
 * `TRUST_PROXY`'s answer for the directly connected peer, as Fastify reads it for `X-Forwarded-For`: nobody
 * (`false`), everybody (`true`), or the listed addresses, ranges and keywords. One reading, so an id is believed
 * exactly when the forwarded client address is.
 */
export function peerTrust(trustProxy: boolean | readonly string[]): PeerTrust {
  if (typeof trustProxy === 'boolean') return () => trustProxy;
  const trusted = proxyAddr.compile([...trustProxy]);
  return (address) => address !== undefined && trusted(address, 0);
}

/** The request as id generation sees it: its headers and the peer it came from. */
export type IdentifiedRequest = Pick<IncomingMessage, 'headers'> & { readonly socket?: { readonly remoteAddress?: string | undefined } | undefined };

/**
 * Fastify's `genReqId` for a listener: the `X-Request-Id` a trusted proxy sent when acceptable, else a fresh UUID. A
 * refused id is dropped, not cleaned up, so nothing of it reaches a log.
 */
export function requestIdGenerator(trusted: PeerTrust): (request: IdentifiedRequest) => string {
  return (request) => {
    const offered = request.headers[REQUEST_ID_HEADER];
    return trusted(request.socket?.remoteAddress) && isAcceptableRequestId(offered) ? offered : randomUUID();
  };
}

/** `genReqId` for a listener that believes no peer (the admin listener): always a fresh UUID. */
export function freshRequestId(): string {
  return randomUUID();
}
