/**
 * CORS over real HTTP, with TRUSTED_ORIGINS as its allow-list: a listed origin gets the grant with credentials on every
 * reply (errors included) and a preflight naming the methods and the one header the API reads, and passes the
 * cross-site guard even as `Sec-Fetch-Site: cross-site`; an unlisted origin gets no grant, its preflight no answer, and
 * its state changes are refused with nothing written. Without TRUSTED_ORIGINS nobody gets a grant, and a host
 * application's own routes never do. COOKIE_SAMESITE: its values, its refusal without COOKIE_SECURE, and the cookie it sets.
 * @module
 */
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSesame, loadConfig, sesamePlugin, type Sesame } from '../../../src/server.js';
import { rawSend, send, uniqueEmail, type Reply } from '../../support/http.js';
import { startService, type Service } from '../../support/in-process.js';
import { problems } from '../../support/settings.js';

const APP = 'https://app.example';
const EVIL = 'https://evil.example';
const PASSWORD = 'correct horse battery';

/** A preflight as a browser sends it before a JSON POST. */
function preflight(url: string, path: string, origin: string, method = 'POST'): Promise<Reply> {
  return rawSend(url, {
    method: 'OPTIONS',
    path,
    headers: [
      ['origin', origin],
      ['access-control-request-method', method],
      ['access-control-request-headers', 'content-type'],
    ],
  });
}

/** Asserts a reply carries no CORS grant at all. */
function expectNoGrant(reply: Reply): void {
  expect(reply.headers['access-control-allow-origin']).toBeUndefined();
  expect(reply.headers['access-control-allow-credentials']).toBeUndefined();
  expect(reply.headers['access-control-allow-methods']).toBeUndefined();
}

/** Asserts a reply grants `origin` with credentials. */
function expectGrant(reply: Reply, origin: string): void {
  expect(reply.headers['access-control-allow-origin']).toBe(origin);
  expect(reply.headers['access-control-allow-credentials']).toBe('true');
  expect(reply.headers['vary']).toMatch(/origin/i);
}

describe('TRUSTED_ORIGINS=https://app.example', () => {
  let service: Service;
  beforeAll(async () => {
    service = await startService({ TRUSTED_ORIGINS: APP });
  });
  afterAll(() => service.stop());

  it('answers a listed origin\'s preflight with the methods, the Content-Type header and credentials', async () => {
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const reply = await preflight(service.url, '/users', APP, method);
      expect(reply.status, method).toBe(204);
      expectGrant(reply, APP);
      expect(reply.headers['access-control-allow-methods']?.split(/,\s*/).sort()).toEqual(['DELETE', 'GET', 'HEAD', 'POST', 'PUT']);
      expect(reply.headers['access-control-allow-headers']).toBe('Content-Type');
      expect(reply.headers['access-control-max-age']).toBe('600');
    }
  });

  it('gives an unlisted origin\'s preflight no grant (404), the service\'s own and look-alikes included', async () => {
    for (const origin of [EVIL, service.origin, 'http://app.example', 'https://app.example:8443', 'https://app.example.evil.example', 'null']) {
      const reply = await preflight(service.url, '/users', origin);
      expect(reply.status, origin).toBe(404);
      expectNoGrant(reply);
    }
  });

  it('grants the listed origin on reads, and lets it read Retry-After', async () => {
    const reply = await send(service.url, 'GET', '/', { headers: { origin: APP, 'sec-fetch-site': 'cross-site' } });
    expect(reply.status).toBe(200);
    expectGrant(reply, APP);
    expect(reply.headers['access-control-expose-headers']).toBe('Retry-After, sesame-error');
  });

  it('grants an unlisted origin nothing, not even on a read, and a request without Origin nothing either', async () => {
    const foreign = await send(service.url, 'GET', '/', { headers: { origin: EVIL, 'sec-fetch-site': 'cross-site' } });
    expect(foreign.status).toBe(200);
    expectNoGrant(foreign);
    expectNoGrant(await send(service.url, 'GET', '/'));
  });

  it('lets a listed origin marked Sec-Fetch-Site: cross-site register, log in with JSON, read its profile and log out', async () => {
    const headers = { origin: APP, 'sec-fetch-site': 'cross-site' };
    const email = uniqueEmail('cors');
    const registered = await send(service.url, 'POST', '/users', { json: { email, password: PASSWORD }, headers });
    expect(registered.status, registered.text).toBe(200);
    expectGrant(registered, APP);
    const login = await send(service.url, 'POST', '/sessions', { json: { email, password: PASSWORD }, headers });
    expect(login.status, login.text).toBe(200);
    expectGrant(login, APP);
    const sessionId = login.sessionId ?? '';
    const profile = await send(service.url, 'GET', '/profile', { sessionId, headers });
    expect(profile.json).toEqual({ email });
    expectGrant(profile, APP);
    const logout = await send(service.url, 'DELETE', '/sessions', { sessionId, headers });
    expect(logout.status).toBe(302);
    expectGrant(logout, APP);
    expect((await send(service.url, 'GET', '/profile', { sessionId, headers })).status).toBe(403);
  });

  it('grants the listed origin on error replies too, so its page can read why', async () => {
    const reply = await send(service.url, 'POST', '/sessions', {
      json: { email: uniqueEmail('nobody'), password: PASSWORD },
      headers: { origin: APP, 'sec-fetch-site': 'cross-site' },
    });
    expect(reply.status).toBe(401);
    expectGrant(reply, APP);
  });

  it('refuses an unlisted origin marked cross-site with 403, no grant, and no user in the database', async () => {
    for (const headers of [{ origin: EVIL, 'sec-fetch-site': 'cross-site' }, { origin: EVIL }, { origin: service.origin, 'sec-fetch-site': 'cross-site' }] as Array<Record<string, string>>) {
      const email = uniqueEmail('cors-evil');
      const reply = await send(service.url, 'POST', '/users', { json: { email, password: PASSWORD }, headers });
      expect(reply.status, JSON.stringify(headers)).toBe(403);
      expect(reply.message).toMatch(/^cross-site request refused/);
      expectNoGrant(reply);
      expect(await service.sesame.users.findByEmail(email)).toBeUndefined();
      expect((await send(service.url, 'POST', '/sessions', { form: { email, password: PASSWORD } })).status).toBe(401);
    }
  });
});

describe('TRUSTED_ORIGINS unset', () => {
  let service: Service;
  beforeEach(async () => {
    service = await startService({});
  });
  afterEach(() => service.stop());

  it('grants no origin, its own included (same-origin pages need none), and answers no preflight', async () => {
    for (const origin of [service.origin, APP, EVIL]) {
      expectNoGrant(await send(service.url, 'GET', '/', { headers: { origin } }));
      const reply = await preflight(service.url, '/users', origin);
      expect(reply.status, origin).toBe(404);
      expectNoGrant(reply);
    }
  });
});

describe('in a host application (sesamePlugin under /auth)', () => {
  let app: FastifyInstance;
  let sesame: Sesame;
  let url: string;
  beforeEach(async () => {
    sesame = await createSesame(loadConfig({ BCRYPT_COST: '4', LOG_LEVEL: 'silent', DATABASE_URL: 'sqlite::memory:', TRUSTED_ORIGINS: APP }), { sweeper: false });
    app = Fastify({ logger: false });
    await app.register(sesamePlugin, { prefix: '/auth', profile: 'development', sesame });
    app.get('/own', async () => ({ host: true }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    await app.close();
    await sesame.close();
  });

  it('grants the listed origin on Sesame\'s routes only: the host\'s own routes keep the host\'s policy', async () => {
    expectGrant(await send(url, 'GET', '/auth/', { headers: { origin: APP } }), APP);
    expect((await preflight(url, '/auth/users', APP)).status).toBe(204);
    const own = await send(url, 'GET', '/own', { headers: { origin: APP } });
    expect(own.json).toEqual({ host: true });
    expectNoGrant(own);
    expectNoGrant(await preflight(url, '/own', APP));
  });
});

describe('COOKIE_SAMESITE', () => {
  it('reads lax, strict and none in any case, and leaves the cookie Lax when unset', () => {
    expect(loadConfig({}).sessions.cookie.sameSite ?? 'lax').toBe('lax');
    expect(loadConfig({ COOKIE_SAMESITE: 'Strict' }).sessions.cookie.sameSite).toBe('strict');
    expect(loadConfig({ COOKIE_SAMESITE: ' LAX ' }).sessions.cookie.sameSite).toBe('lax');
    expect(loadConfig({ COOKIE_SAMESITE: 'none', COOKIE_SECURE: 'true' }).sessions.cookie.sameSite).toBe('none');
  });

  it('refuses none without COOKIE_SECURE=true, naming both settings, and any other value', () => {
    expect(problems({ COOKIE_SAMESITE: 'none' })).toEqual([
      'COOKIE_SAMESITE=none needs COOKIE_SECURE=true: browsers drop a SameSite=None cookie that is not Secure',
    ]);
    expect(problems({ COOKIE_SAMESITE: 'none', COOKIE_SECURE: 'false' })).toHaveLength(1);
    expect(problems({ COOKIE_SAMESITE: 'off' })).toEqual(['COOKIE_SAMESITE must be lax, strict or none, got off']);
  });

  for (const [value, attribute] of [['none', 'SameSite=None'], ['strict', 'SameSite=Strict'], [undefined, 'SameSite=Lax']] as const) {
    it(`sets and clears the session cookie with ${attribute}`, async () => {
      const service = await startService({ COOKIE_SECURE: 'true', ...(value === undefined ? {} : { COOKIE_SAMESITE: value }) });
      try {
        const email = uniqueEmail('samesite');
        expect((await send(service.url, 'POST', '/users', { form: { email, password: PASSWORD } })).status).toBe(200);
        const login = await send(service.url, 'POST', '/sessions', { form: { email, password: PASSWORD } });
        const [set] = login.setCookies;
        expect(set).toContain(attribute);
        expect(set).toMatch(/; Secure/);
        expect(set).toMatch(/; HttpOnly/);
        const logout = await send(service.url, 'DELETE', '/sessions', { sessionId: login.sessionId ?? '' });
        expect(logout.setCookies[0]).toContain(attribute);
      } finally {
        await service.stop();
      }
    });
  }
});
