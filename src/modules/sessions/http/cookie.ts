/**
 * The session cookie: its name (`session_id` as the seed fixes it, `__Host-session_id` in production), its attributes, and reading it from a request.
 * @module
 */
import { parse, serialize } from 'cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Cookie name fixed by the seed contract, used unless another is configured. */
export const SESSION_COOKIE = 'session_id';

/**
 * Name used in production: the `__Host-` prefix makes browsers refuse the cookie unless it is Secure, host-only and
 * Path=/, so a sibling subdomain or a plain-HTTP page cannot plant or overwrite it (OWASP ASVS 3.3.1).
 */
export const HOST_SESSION_COOKIE = '__Host-session_id';

/** What varies between deployments in the cookie's name and attributes. */
export interface SessionCookieSettings {
  /** Cookie name. */
  readonly name: string;
  /** Send only over HTTPS; on in production. */
  readonly secure: boolean;
  /**
   * The cookie's `SameSite` (default `lax`). `none` exists for a single-page application on another site, to which
   * browsers send no other kind of cookie; it must come with `secure`, or browsers drop the cookie.
   */
  readonly sameSite?: 'lax' | 'strict' | 'none';
  /** Lifetime in ms, mirrored as Max-Age so the browser drops the cookie when the server forgets the session. */
  readonly ttlMs: number;
}

/**
 * Sets the session cookie. HttpOnly keeps it from scripts (XSS cannot steal it); SameSite=Lax (unless configured) keeps
 * it off cross-site POSTs (CSRF), and with SameSite=None the cross-site guard is what still refuses unlisted sites; Path=/ so a host application's own routes receive it when Sesame is mounted under a prefix.
 */
export function setSessionCookie(reply: FastifyReply, sessionId: string, settings: SessionCookieSettings): void {
  // Written as a header, not through `reply.setCookie`: a host's own @fastify/cookie registered with `hook: false`
  // never flushes `setCookie`, and the login would answer 200 with no cookie. Fastify appends to other Set-Cookies.
  void reply.header(
    'set-cookie',
    serialize(settings.name, sessionId, {
      httpOnly: true,
      sameSite: settings.sameSite ?? 'lax',
      path: '/',
      maxAge: Math.floor(settings.ttlMs / 1000),
      secure: settings.secure,
    }),
  );
}

/** Tells the browser to forget the session cookie (logout), with the same attributes it was set with. */
export function clearSessionCookie(reply: FastifyReply, settings: SessionCookieSettings): void {
  void reply.header(
    'set-cookie',
    serialize(settings.name, '', { httpOnly: true, sameSite: settings.sameSite ?? 'lax', path: '/', secure: settings.secure, maxAge: 0, expires: new Date(0) }),
  );
}

/** The session id a request presents, or undefined; works whether or not `@fastify/cookie` runs in the caller's scope. */
export function readSessionId(request: FastifyRequest, name: string = SESSION_COOKIE): string | undefined {
  const parsed = (request as { cookies?: Record<string, string | undefined> | null }).cookies;
  // null when a host's @fastify/cookie runs with `hook: false` (nothing parsed yet): read the header then.
  if (parsed != null) return parsed[name] || undefined;
  const header = request.headers.cookie;
  return header ? parse(header)[name] || undefined : undefined;
}
