/**
 * Cross-site request refusal (stops login CSRF): a state-changing request from a foreign page gets 403 and changes nothing.
 * @module
 */
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction, onRequestHookHandler } from 'fastify';
import { requestContext } from '../../kernel/http/event-context.js';
import { RequestError } from './errors.js';
import type { ApiEvent } from './events.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Whether an `Origin` is on `TRUSTED_ORIGINS`, compared case-insensitively. It exists so the cross-site guard and the
 * CORS grant (`cors.ts`) read one list through one comparison: an origin the guard lets change state is exactly the
 * origin the browser is allowed to read replies for, and no second list can drift from the first.
 */
export function trustedOriginMatcher(trustedOrigins: readonly string[]): (origin: string | undefined) => boolean {
  const trusted = new Set(trustedOrigins.map((o) => o.toLowerCase()));
  return (origin) => origin !== undefined && trusted.has(origin.toLowerCase());
}

/**
 * Builds an onRequest hook that refuses POST/PUT/DELETE/PATCH when the browser says the request is cross-site
 * (`Sec-Fetch-Site: cross-site`) and its `Origin` is not in `trustedOrigins`, or when its `Origin` is neither the
 * service's own nor in `trustedOrigins`. The own origin is always allowed, `TRUSTED_ORIGINS` or not: Sesame's own
 * pages (`/account/reset`, `/account/verify`) post their forms from it, and listing an SPA must not break them. A
 * request with neither header (curl, Python `requests`, server-to-server) carries no ambient browser credentials to
 * abuse and is allowed, which keeps seed clients working.
 *
 * The service's own origin is `publicOrigin` (from `PUBLIC_URL`) when given. Only without it is it taken from the
 * request's scheme and Host, which a DNS-rebinding page controls: its requests carry its own name in both `Host` and
 * `Origin`, so they would always look same-origin.
 */
export function crossSiteGuard(
  trustedOrigins: readonly string[],
  publicOrigin: string | undefined,
  publish: (event: ApiEvent) => void,
): onRequestHookHandler {
  const listed = trustedOriginMatcher(trustedOrigins);
  const own = publicOrigin?.toLowerCase();
  // Synchronous on purpose: it runs on every request, and a GET must pass through at no cost.
  return function refuseCrossSite(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    if (SAFE_METHODS.has(request.method)) return done();
    const origin = request.headers.origin;
    if (request.headers['sec-fetch-site'] === 'cross-site') {
      // A single-page application on another site that the operator listed is always cross-site to the browser; the
      // browser sets both headers itself (a page cannot forge either), so a listed Origin is the deployed SPA, not a
      // forgery. The service's own origin is not exempt here: a genuine page of Sesame's is never cross-site to it.
      if (listed(origin)) return done();
      publish({ type: 'cross_site.refused', context: requestContext(request), detail: { reason: 'sec-fetch-site' }, traffic: true });
      // Through the route's error handler, so the JSON routes answer JSON and the pages a page.
      done(new RequestError('csrf.cross_site'));
      return;
    }
    if (origin === undefined) return done();
    // Compared whole, never as a prefix: `https://auth.example.com.evil.example` is another site.
    const allowed = origin.toLowerCase() === (own ?? ownOrigin(request)) || listed(origin);
    if (allowed) return done();
    publish({ type: 'cross_site.refused', context: requestContext(request), detail: { reason: 'origin' }, traffic: true });
    done(new RequestError('csrf.untrusted_origin'));
  };
}

/** The origin this request says it was addressed to (scheme and Host): the own origin when `PUBLIC_URL` is not set. */
function ownOrigin(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`.toLowerCase();
}
