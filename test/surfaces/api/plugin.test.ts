/**
 * Sesame mounted as a library: a host Fastify app registers `sesamePlugin` under `/auth` and guards its own route with
 * `requireSession`; over real HTTP the auth routes work under the prefix and the host's own behaviour is untouched.
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import cookiePlugin from '@fastify/cookie';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSesame, loadConfig, openStorage, requireSession, sesamePlugin, type Storage } from '../../../src/server.js';
import { makeTempDir, type TempDir } from '../../support/temp.js';

/** How the host is set up before Sesame is registered. */
interface HostVariant {
  /** Label for the test titles. */
  readonly name: string;
  /** Whether the host registers its own @fastify/formbody, @fastify/cookie and @fastify/helmet before Sesame. */
  readonly ownPlugins: boolean;
  /** The `hook` option of the host's @fastify/cookie: false means it parses nothing unless asked. */
  readonly cookieHook?: false;
}

/** A running host application with Sesame inside it. */
interface Host {
  readonly url: string;
  readonly app: FastifyInstance;
  stop(): Promise<void>;
}

/** Builds and starts a host app: its own error handler and routes, Sesame under `/auth`, on a loopback port. */
async function startHost(variant: HostVariant, storage: Storage): Promise<Host> {
  const sesame = await createSesame(loadConfig({ BCRYPT_COST: '4', LOG_LEVEL: 'silent' }), { storage, sweeper: false });
  const app = Fastify({ logger: false });
  if (variant.ownPlugins) {
    await app.register(formbody);
    await app.register(cookiePlugin, {
      secret: 'host-cookie-secret',
      ...(variant.cookieHook === false ? { hook: false as const } : {}),
    });
    await app.register(helmet, { global: false });
  }
  // The host's own error shape, which Sesame must not replace for the host's routes.
  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    void reply.code(error.statusCode ?? 500).send({ hostError: error.message });
  });
  await app.register(sesamePlugin, { prefix: '/auth', profile: 'development', sesame });

  app.get('/dashboard', { preHandler: requireSession(sesame) }, async (request) => ({ hello: request.sesameUser?.email }));
  app.get(
    '/double',
    { schema: { querystring: { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] } } },
    async (request) => ({ doubled: (request.query as { n: number }).n * 2 }),
  );
  app.post('/echo', async (request) => ({ received: request.body }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    stop: async () => {
      await app.close();
      await sesame.close();
    },
  };
}

/** A fetch that never follows redirects. */
function send(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { redirect: 'manual', ...init });
}

/** A form body with its content type, as a browser or `requests` sends it. */
function form(fields: Record<string, string>): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  };
}

/** The `session_id` value a response sets, or undefined. */
function sessionCookieOf(response: Response): string | undefined {
  const line = response.headers.getSetCookie().find((cookie) => cookie.startsWith('session_id='));
  return line === undefined ? undefined : /^session_id=([^;]*)/.exec(line)?.[1];
}

const variants: readonly HostVariant[] = [
  { name: 'a bare host', ownPlugins: false },
  { name: 'a host with its own @fastify/formbody, @fastify/cookie and @fastify/helmet', ownPlugins: true },
  // With hook: false the host's cookie plugin neither parses request cookies nor flushes reply.setCookie by itself.
  { name: 'a host whose @fastify/cookie has hook: false', ownPlugins: true, cookieHook: false },
];

describe.each(variants)('Sesame under /auth in $name', (variant) => {
  let dir: TempDir;
  let storage: Storage;
  let host: Host;
  const email = `host-${randomUUID().slice(0, 8)}@example.test`;

  beforeAll(async () => {
    dir = makeTempDir('plugin');
    storage = await openStorage(`sqlite:${join(dir.path, 'sesame.db')}`);
    host = await startHost(variant, storage);
  });
  afterAll(async () => {
    await host.stop();
    await storage.close();
    dir.remove();
  });

  it('guards the host route, serves the auth routes under the prefix, and logs out back to the prefix root', async () => {
    const refused = await send(`${host.url}/dashboard`);
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await refused.json()).toEqual({ message: 'a valid session is required' });

    const created = await send(`${host.url}/auth/users`, form({ email, password: 'pw' }));
    expect(await created.json()).toEqual({ email, message: 'user created' });
    const login = await send(`${host.url}/auth/sessions`, form({ email, password: 'pw' }));
    expect(await login.json()).toEqual({ email, message: 'logged in' });
    const sessionId = sessionCookieOf(login);
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
    // Path=/ so the host's own routes outside the prefix receive the cookie too.
    expect(login.headers.getSetCookie().join('\n')).toMatch(/session_id=[^;]+;.*Path=\//);
    const cookie = { cookie: `session_id=${sessionId ?? ''}` };

    const dashboard = await send(`${host.url}/dashboard`, { headers: cookie });
    expect(dashboard.status).toBe(200);
    expect(await dashboard.json()).toEqual({ hello: email });
    const profile = await send(`${host.url}/auth/profile`, { headers: cookie });
    expect(await profile.json()).toEqual({ email });

    const logout = await send(`${host.url}/auth/sessions`, { method: 'DELETE', headers: cookie });
    expect(logout.status).toBe(302);
    const location = logout.headers.get('location') ?? '';
    expect(location).toBe('/auth');
    const home = await send(new URL(location, host.url).href);
    expect(home.status).toBe(200);
    expect(await home.json()).toEqual({ message: 'Bienvenue' });
    expect(await (await send(`${host.url}/auth/`)).json()).toEqual({ message: 'Bienvenue' });

    expect((await send(`${host.url}/dashboard`, { headers: cookie })).status).toBe(403);
    // The routes exist only under the prefix.
    expect((await send(`${host.url}/users`, form({ email, password: 'pw' }))).status).toBe(404);
  });

  it("keeps Sesame's strict validation and error shape inside /auth", async () => {
    const numeric = await send(`${host.url}/auth/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `n-${email}`, password: 12345 }),
    });
    expect(numeric.status).toBe(400);
    expect(await numeric.json()).toEqual({ message: 'password must be a string' });

    const malformed = await send(`${host.url}/auth/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email": "a@b.c", "password": "hunter2',
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({ message: 'body is not valid JSON' });

    const plain = await send(`${host.url}/auth/users`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
    expect(plain.status).toBe(415);

    const big = await send(`${host.url}/auth/users`, form({ email: `big-${email}`, password: 'x'.repeat(20 * 1024) }));
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({ message: 'body is too large' });

    const profile = await send(`${host.url}/auth/profile`);
    expect(profile.headers.get('cache-control')).toBe('no-store');
    expect(profile.headers.get('x-content-type-options')).toBe('nosniff');
    // The seed's status line and Sesame's error code, inside the host's own server.
    expect([profile.status, profile.statusText, profile.headers.get('sesame-error')]).toEqual([403, 'FORBIDDEN', 'session.required']);
    expect([big.statusText, plain.statusText]).toEqual(['REQUEST ENTITY TOO LARGE', 'UNSUPPORTED MEDIA TYPE']);
  });

  it("leaves the host's validator, parsers, error handler and headers alone", async () => {
    // The host's default Ajv still coerces a query string '5' to the number 5.
    const doubled = await send(`${host.url}/double?n=5`);
    expect(doubled.status).toBe(200);
    expect(await doubled.json()).toEqual({ doubled: 10 });
    // Sesame's no-store and helmet headers stay on Sesame's routes.
    expect(doubled.headers.get('cache-control')).toBeNull();
    expect(doubled.headers.get('content-security-policy')).toBeNull();

    // A validation failure on a host route goes through the host's error handler, not Sesame's.
    const invalid = await send(`${host.url}/double?n=five`);
    expect(invalid.status).toBe(400);
    // ...and keeps Node's own reason phrase: the seed's capitals are Sesame's routes' business.
    expect(invalid.statusText).toBe('Bad Request');
    expect(invalid.headers.get('sesame-error')).toBeNull();
    expect(Object.keys((await invalid.json()) as object)).toEqual(['hostError']);

    // The host keeps Fastify's text/plain parser, which Sesame removes only in its own scope.
    const text = await send(`${host.url}/echo`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' });
    expect(text.status).toBe(200);
    expect(await text.json()).toEqual({ received: 'hello' });

    // Malformed JSON on a host route reaches the host's error handler.
    const malformed = await send(`${host.url}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    expect(malformed.status).toBe(400);
    expect(Object.keys((await malformed.json()) as object)).toEqual(['hostError']);

    // The host's body limit (Fastify's 1 MiB default) applies to its routes, not Sesame's 16 KiB.
    const large = await send(`${host.url}/echo`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'y'.repeat(100 * 1024) });
    expect(large.status).toBe(200);
  });

  it(variant.ownPlugins ? "keeps the host's own form parser and cookie plugin working" : 'adds no form parser or cookie decorator to the host', async () => {
    const posted = await send(`${host.url}/echo`, form({ a: '1', b: 'two' }));
    if (variant.ownPlugins) {
      expect(posted.status).toBe(200);
      expect(await posted.json()).toEqual({ received: { a: '1', b: 'two' } });
      expect(host.app.hasRequestDecorator('cookies')).toBe(true);
    } else {
      // Sesame's form parser is registered inside its scope only.
      expect(posted.status).toBe(415);
      expect(host.app.hasContentTypeParser('application/x-www-form-urlencoded')).toBe(false);
      expect(host.app.hasRequestDecorator('cookies')).toBe(false);
    }
  });
});
