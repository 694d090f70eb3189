/**
 * CORS for single-page applications on other origins: `TRUSTED_ORIGINS`, the list the cross-site guard already trusts,
 * is also the list of origins whose pages may read the API's replies with the session cookie; no other origin gets a grant.
 * @module
 */
import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import { trustedOriginMatcher } from './csrf.js';
import { ERROR_HEADER } from './errors.js';

/** The methods the API's routes answer (`PATCH` is none of them), announced to a listed origin's preflight. */
export const CORS_METHODS: readonly string[] = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'];

/**
 * The request headers a page may set: only `Content-Type`, the one header the routes read (a JSON body needs the
 * preflight; a form body does not). The session travels in the cookie, which `credentials` covers, never in a header.
 */
export const CORS_ALLOWED_HEADERS: readonly string[] = ['Content-Type'];

/**
 * Response headers a page may read beyond the safelisted ones: `Retry-After`, so an SPA can wait out a 429 or 503,
 * and `Sesame-Error`, the stable error code the typed client reads (hidden, every refusal would look alike).
 */
export const CORS_EXPOSED_HEADERS: readonly string[] = ['Retry-After', ERROR_HEADER];

/** How long (seconds) a browser may reuse a preflight's answer; ten minutes, Chromium's own ceiling being two hours. */
export const CORS_MAX_AGE_SECONDS = 600;

/**
 * Registers @fastify/cors in the API's encapsulated scope, so a host application's own routes keep whatever CORS policy
 * the host chose. With `TRUSTED_ORIGINS` empty nothing is registered: the service's own pages are same-origin and need
 * no grant, and any other origin must get none.
 */
export async function registerCors(app: FastifyInstance, trustedOrigins: readonly string[]): Promise<void> {
  if (trustedOrigins.length === 0) return;
  const listed = trustedOriginMatcher(trustedOrigins);
  await app.register(cors, {
    // The origin is reflected only when listed. Never `*`: with credentials the session cookie would be readable by
    // any page, and browsers refuse `*` with credentials anyway. An unlisted origin's preflight falls through to 404.
    origin: (origin, callback) => callback(null, listed(origin)),
    // The session cookie is the credential; without this the browser neither sends it nor lets the page read the reply.
    credentials: true,
    methods: [...CORS_METHODS],
    allowedHeaders: [...CORS_ALLOWED_HEADERS],
    exposedHeaders: [...CORS_EXPOSED_HEADERS],
    maxAge: CORS_MAX_AGE_SECONDS,
  });
}
