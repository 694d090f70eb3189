/**
 * The session cookie's attributes, fresh ids on every login (no fixation), logout clearing the cookie,
 * `Cache-Control: no-store` and the security headers, over real HTTP in the development and production profiles.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_REQUEST } from '../../../src/kernel/events.js';
import { send, uniqueEmail, type Reply } from '../../support/http.js';
import { startService, type Service } from '../../support/in-process.js';
import { TEST_SECRET_KEY } from '../../support/settings.js';

const PASSWORD = 'correct horse battery staple';
const SESSION_TTL_SECONDS = 7200;
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A Set-Cookie line split into its value and its attributes (names lower-cased, flags mapped to ''). */
function parseSetCookie(line: string): { name: string; value: string; attributes: Map<string, string> } {
  const [pair = '', ...rest] = line.split(';').map((part) => part.trim());
  const eq = pair.indexOf('=');
  const attributes = new Map<string, string>();
  for (const attribute of rest) {
    const at = attribute.indexOf('=');
    if (at === -1) attributes.set(attribute.toLowerCase(), '');
    else attributes.set(attribute.slice(0, at).toLowerCase(), attribute.slice(at + 1));
  }
  return { name: pair.slice(0, eq), value: pair.slice(eq + 1), attributes };
}

/** The one Set-Cookie line of a reply for the session cookie (named `session_id` unless told), parsed. */
function sessionCookie(reply: Reply, name = 'session_id'): ReturnType<typeof parseSetCookie> {
  const lines = reply.setCookies.filter((line) => line.startsWith(`${name}=`));
  expect(lines, `exactly one ${name} cookie in ${JSON.stringify(reply.setCookies)}`).toHaveLength(1);
  return parseSetCookie(lines[0] ?? '');
}

/** Registers a fresh account and logs it in; returns the email and the login reply. */
async function registerAndLogin(service: Service, headers: Record<string, string> = {}): Promise<{ email: string; login: Reply }> {
  const email = uniqueEmail('cookie');
  const created = await send(service.url, 'POST', '/users', { form: { email, password: PASSWORD }, headers });
  expect(created.status, created.text).toBe(200);
  const login = await send(service.url, 'POST', '/sessions', { form: { email, password: PASSWORD }, headers });
  expect(login.status, login.text).toBe(200);
  return { email, login };
}

describe('development profile', () => {
  let service: Service;
  beforeAll(async () => {
    service = await startService({ SESSION_TTL: `${SESSION_TTL_SECONDS}s` });
  });
  afterAll(() => service.stop());

  it('the login cookie is HttpOnly, SameSite=Lax, Path=/, host-only, Max-Age = SESSION_TTL, not Secure by default', async () => {
    const { login } = await registerAndLogin(service);
    const cookie = sessionCookie(login);
    expect(cookie.value).toMatch(UUID_V4);
    expect(cookie.attributes.has('httponly')).toBe(true);
    expect(cookie.attributes.get('samesite')?.toLowerCase()).toBe('lax');
    expect(cookie.attributes.get('path')).toBe('/');
    expect(cookie.attributes.get('max-age')).toBe(String(SESSION_TTL_SECONDS));
    expect(cookie.attributes.has('domain'), 'no Domain: the cookie stays on this host').toBe(false);
    expect(cookie.attributes.has('secure')).toBe(false);
  });

  it('every login issues a fresh session id, and never adopts one the client brought', async () => {
    const { email, login } = await registerAndLogin(service);
    const first = login.sessionId ?? '';
    const second = await send(service.url, 'POST', '/sessions', { form: { email, password: PASSWORD } });
    expect(second.sessionId).toMatch(UUID_V4);
    expect(second.sessionId).not.toBe(first);

    // Session fixation: an attacker plants an id of their choosing, the victim logs in with it in the jar.
    const planted = randomUUID();
    const third = await send(service.url, 'POST', '/sessions', { form: { email, password: PASSWORD }, sessionId: planted });
    expect(third.status).toBe(200);
    expect(third.sessionId).not.toBe(planted);
    expect((await send(service.url, 'GET', '/profile', { sessionId: planted })).status).toBe(403);
    // Logins without a cookie add sessions (other devices stay logged in).
    for (const id of [first, second.sessionId ?? '', third.sessionId ?? '']) {
      expect((await send(service.url, 'GET', '/profile', { sessionId: id })).json).toEqual({ email });
    }
  });

  it('a login that presents a live session ends it: re-authentication never keeps the old id', async () => {
    const { email, login } = await registerAndLogin(service);
    const old = login.sessionId ?? '';
    const other = await send(service.url, 'POST', '/sessions', { form: { email, password: PASSWORD } });
    const again = await send(service.url, 'POST', '/sessions', { form: { email, password: PASSWORD }, sessionId: old });
    expect(again.status).toBe(200);
    expect(again.sessionId).not.toBe(old);
    expect((await send(service.url, 'GET', '/profile', { sessionId: old })).status).toBe(403);
    expect((await send(service.url, 'GET', '/profile', { sessionId: again.sessionId ?? '' })).json).toEqual({ email });
    // Only the presented session ends: the user's other device stays logged in.
    expect((await send(service.url, 'GET', '/profile', { sessionId: other.sessionId ?? '' })).json).toEqual({ email });
    // A failed login presenting a live session does not end it.
    const failed = await send(service.url, 'POST', '/sessions', { form: { email, password: 'wrong' }, sessionId: again.sessionId ?? '' });
    expect(failed.status).toBe(401);
    expect((await send(service.url, 'GET', '/profile', { sessionId: again.sessionId ?? '' })).status).toBe(200);
  });

  it('logout clears the cookie in the response, with the attributes it was set with', async () => {
    const { login } = await registerAndLogin(service);
    const logout = await send(service.url, 'DELETE', '/sessions', { sessionId: login.sessionId ?? '' });
    expect(logout.status).toBe(302);
    const cleared = sessionCookie(logout);
    expect(cleared.value).toBe('');
    const maxAge = cleared.attributes.get('max-age');
    const expires = cleared.attributes.get('expires');
    expect(maxAge === '0' || (expires !== undefined && Date.parse(expires) < Date.now()), 'expired at once').toBe(true);
    expect(cleared.attributes.get('path')).toBe('/');
    expect(cleared.attributes.has('httponly')).toBe(true);
    expect(cleared.attributes.get('samesite')?.toLowerCase()).toBe('lax');
    expect((await send(service.url, 'GET', '/profile', { sessionId: login.sessionId ?? '' })).status).toBe(403);
  });

  it('says Cache-Control: no-store on login, profile, logout and both reset responses, success or failure', async () => {
    const { email, login } = await registerAndLogin(service);
    const sessionId = login.sessionId ?? '';
    const reset = await send(service.url, 'POST', '/reset_password', { form: { email } });
    const token = String((reset.json as { reset_token?: unknown }).reset_token);
    const replies: Array<[string, Reply]> = [
      ['login 200', login],
      ['login 401', await send(service.url, 'POST', '/sessions', { form: { email, password: 'wrong' } })],
      ['profile 200', await send(service.url, 'GET', '/profile', { sessionId })],
      ['profile 403', await send(service.url, 'GET', '/profile')],
      ['reset request 200', reset],
      ['reset update 403', await send(service.url, 'PUT', '/reset_password', { form: { email, reset_token: randomUUID(), new_password: 'x y z' } })],
      ['reset update 200', await send(service.url, 'PUT', '/reset_password', { form: { email, reset_token: token, new_password: 'x y z' } })],
      ['register 200', await send(service.url, 'POST', '/users', { form: { email: uniqueEmail('c'), password: PASSWORD } })],
      ['logout 403', await send(service.url, 'DELETE', '/sessions', { sessionId })],
    ];
    for (const [name, reply] of replies) expect(reply.headers['cache-control'], name).toBe('no-store');
  });

  it('sends the security headers on every Sesame route, errors included, and no version banner', async () => {
    const { login } = await registerAndLogin(service);
    const replies: Array<[string, Reply]> = [
      ['GET /', await send(service.url, 'GET', '/')],
      ['GET /profile', await send(service.url, 'GET', '/profile', { sessionId: login.sessionId ?? '' })],
      ['POST /sessions', login],
      ['POST /users 400', await send(service.url, 'POST', '/users', { form: { email: 'not-an-email', password: 'x' } })],
      ['POST /users 415', await send(service.url, 'POST', '/users', { headers: { 'content-type': 'text/plain' } })],
      ['POST /users 403 (csrf)', await send(service.url, 'POST', '/users', { headers: { origin: 'http://evil.example' } })],
      ['DELETE /sessions 302', await send(service.url, 'DELETE', '/sessions', { sessionId: login.sessionId ?? '' })],
    ];
    for (const [name, reply] of replies) {
      expect(reply.headers['x-content-type-options'], name).toBe('nosniff');
      expect(reply.headers['x-frame-options'], name).toBe('DENY');
      expect(reply.headers['content-security-policy'], name).toMatch(/frame-ancestors 'none'/);
      expect(reply.headers['referrer-policy'], name).toBe('no-referrer');
      expect(reply.headers['x-powered-by'], name).toBeUndefined();
      expect(reply.headers['server'], name).toBeUndefined();
    }
  });

  it('sends the security headers and no-store on replies outside the Sesame routes too (404, /health)', async () => {
    const replies: Array<[string, Reply]> = [
      ['GET /no-such-route', await send(service.url, 'GET', '/no-such-route')],
      ['POST /no-such-route', await send(service.url, 'POST', '/no-such-route', { form: { password: PASSWORD } })],
      ['GET /health', await send(service.url, 'GET', '/health')],
    ];
    for (const [name, reply] of replies) {
      expect(reply.status, name).toBeLessThan(500);
      expect(reply.headers['x-content-type-options'], name).toBe('nosniff');
      expect(reply.headers['x-frame-options'], name).toBe('DENY');
      expect(reply.headers['referrer-policy'], name).toBe('no-referrer');
      expect(reply.headers['content-security-policy'], name).toMatch(/frame-ancestors 'none'/);
      expect(reply.headers['cache-control'], name).toBe('no-store');
    }
  });

  it('sends HSTS for a year on every reply (it only takes effect once served over HTTPS)', async () => {
    for (const path of ['/', '/profile', '/no-such-route']) {
      const hsts = (await send(service.url, 'GET', path)).headers['strict-transport-security'] ?? '';
      const maxAge = Number(/max-age=(\d+)/.exec(hsts)?.[1] ?? '0');
      expect(maxAge, path).toBeGreaterThanOrEqual(31_536_000);
    }
  });

  it('a 404 has no version banner either', async () => {
    const reply = await send(service.url, 'GET', '/no-such-route');
    expect(reply.headers['x-powered-by']).toBeUndefined();
    expect(reply.headers['server']).toBeUndefined();
  });
});

describe('Secure cookie', () => {
  it('is set with COOKIE_SECURE=true', async () => {
    const service = await startService({ COOKIE_SECURE: 'true' });
    try {
      const { login } = await registerAndLogin(service);
      expect(sessionCookie(login).attributes.has('secure')).toBe(true);
    } finally {
      await service.stop();
    }
  });

  it('is set in SESAME_PROFILE=production, with the __Host- prefix and 256-bit ids', async () => {
    const service = await startService({
      SESAME_PROFILE: 'production', SECRET_KEY: TEST_SECRET_KEY, PUBLIC_URL: 'https://auth.example.com',
      BCRYPT_COST: '10',
      RESET_WEBHOOK_URL: 'http://127.0.0.1:9/never-called',
      SESSION_TTL: '1h',
    });
    try {
      const email = uniqueEmail('prod');
      // About cookies: the account is created as an operator does, its address vouched for, so it logs in at once
      // (production requires a verified address) and no verification message heads for the webhook.
      await service.sesame.password.registration.register(email, PASSWORD, NO_REQUEST, { emailVerifiedAt: Date.now() });
      const login = await send(service.url, 'POST', '/sessions', { form: { email, password: PASSWORD } });
      expect(login.status, login.text).toBe(200);
      const cookie = sessionCookie(login, '__Host-session_id');
      // What browsers demand of a __Host- cookie: Secure, Path=/, no Domain.
      expect(cookie.attributes.has('secure')).toBe(true);
      expect(cookie.attributes.get('path')).toBe('/');
      expect(cookie.attributes.has('domain')).toBe(false);
      expect(cookie.attributes.has('httponly')).toBe(true);
      expect(cookie.attributes.get('samesite')?.toLowerCase()).toBe('lax');
      expect(cookie.attributes.get('max-age')).toBe('3600');
      expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(login.headers['cache-control']).toBe('no-store');
      const asCookie = { headers: { cookie: `__Host-session_id=${cookie.value}` } };
      expect((await send(service.url, 'GET', '/profile', asCookie)).json).toEqual({ email });
      // The unprefixed name is not read in production: a cookie planted without the prefix is ignored.
      expect((await send(service.url, 'GET', '/profile', { sessionId: cookie.value })).status).toBe(403);
      const logout = await send(service.url, 'DELETE', '/sessions', asCookie);
      expect(logout.status).toBe(302);
      const cleared = sessionCookie(logout, '__Host-session_id');
      expect(cleared.value).toBe('');
      // A clearing cookie without Secure is ignored by browsers for a __Host- name, so the cookie would stay.
      expect(cleared.attributes.has('secure')).toBe(true);
      expect(cleared.attributes.get('path')).toBe('/');
      expect(cleared.attributes.get('max-age')).toBe('0');
    } finally {
      await service.stop();
    }
  });
});
