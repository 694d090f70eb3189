/**
 * `sesame-auth/fetch` inside real host frameworks over real HTTP: an Express 5 application (through `toNodeHandler`) and a
 * Hono 4 application on @hono/node-server (through the web-standard handler), each running the seed flow under
 * `/auth`, guarding a route of its own with `getSession`, and keeping the plugin's limits, cross-site guard, body
 * limit and error answers.
 * @module
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import express from 'express';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFetchHandler, toNodeHandler, type SesameFetchHandler } from '../../../src/fetch.js';
import { runSeedFlow } from '../../seed/e2e/seed-flow.js';
import { makeTempDir, type TempDir } from '../../support/temp.js';

/** A host application listening on a loopback port, with Sesame under /auth. */
interface Host {
  readonly url: string;
  stop(): Promise<void>;
}

/** Express 5: Sesame mounted with app.use before any body parser, plus the host's own guarded and parsed routes. */
function expressHost(handler: SesameFetchHandler): Promise<Host> {
  const app = express();
  app.use('/auth', toNodeHandler(handler));
  app.use(express.json());
  app.get('/dashboard', async (request, response) => {
    const session = await handler.getSession(request.headers);
    if (session === null) response.status(403).json({ message: 'sign in first' });
    else response.json({ hello: session.user.email, handle: session.handle });
  });
  app.post('/echo', (request, response) => {
    response.json({ received: request.body as unknown });
  });
  return listen((done) => app.listen(0, '127.0.0.1', done));
}

/** Hono 4 on @hono/node-server: the web-standard handler as it is, with the peer's address from the Node binding. */
function honoHost(handler: SesameFetchHandler): Promise<Host> {
  const app = new Hono<{ Bindings: { incoming: { socket: { remoteAddress?: string } } } }>();
  const sesame = (c: { req: { raw: Request }; env: { incoming: { socket: { remoteAddress?: string } } } }): Promise<Response> => {
    const address = c.env.incoming.socket.remoteAddress;
    return handler.handle(c.req.raw, address === undefined ? {} : { clientAddress: address });
  };
  app.all('/auth', sesame);
  app.all('/auth/*', sesame);
  app.get('/dashboard', async (c) => {
    const session = await handler.getSession(c.req.raw.headers);
    return session === null ? c.json({ message: 'sign in first' }, 403) : c.json({ hello: session.user.email, handle: session.handle });
  });
  app.post('/echo', async (c) => c.json({ received: await c.req.json<unknown>() }));
  return listen((done) => serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => done()) as unknown as Server);
}

/** Starts a server through `start` and resolves with its URL and a stop function. */
function listen(start: (done: () => void) => Server): Promise<Host> {
  return new Promise((resolve) => {
    const server: Server = start(() => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        stop: () => new Promise<void>((stopped) => server.close(() => stopped())),
      });
    });
  });
}

/** A form POST. */
function form(fields: Record<string, string>, headers: Record<string, string> = {}): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(fields).toString(), redirect: 'manual' };
}

describe.each([
  // @hono/node-server writes Node's standard reason phrases whatever the Response says; Express keeps the seed's.
  ['Express 5', expressHost, true],
  ['Hono 4', honoHost, false],
] as const)('sesame-auth/fetch in %s', (_name, startHost, seedReasonPhrases) => {
  let dir: TempDir;
  let handler: SesameFetchHandler;
  let host: Host;

  beforeAll(async () => {
    dir = makeTempDir('fetch');
    handler = await createFetchHandler({
      profile: 'development',
      prefix: '/auth',
      settings: { DATABASE_URL: `sqlite:${join(dir.path, 'host.db')}`, BCRYPT_COST: '4', LOG_LEVEL: 'silent', RATE_LIMIT_ACCOUNT_MAX: '3' },
    });
    host = await startHost(handler);
  });

  afterAll(async () => {
    await host?.stop();
    await handler?.close();
    dir?.remove();
  });

  it('passes the seed flow under /auth, and guards a host route with getSession', async () => {
    const flow = await runSeedFlow(`${host.url}/auth`, { seedReasonPhrases });
    expect((await fetch(`${host.url}/dashboard`)).status).toBe(403);
    const cookie = `session_id=${flow.sessionIds[1] ?? ''}`;
    const dashboard = await fetch(`${host.url}/dashboard`, { headers: { cookie } });
    expect(dashboard.status).toBe(200);
    const body = (await dashboard.json()) as { hello: string; handle: string };
    expect(body.hello).toBe(flow.email);
    expect(body.handle).toMatch(/^[0-9a-f]{16}$/);
    // The host's own routes keep their own parser and answers.
    const echo = await fetch(`${host.url}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(await echo.json()).toEqual({ received: { a: 1 } });
  });

  it("keeps the plugin's answers: two cookies on login, the error table with its header, the body limit", async () => {
    const email = `fetch-${Date.now()}@example.test`;
    expect((await fetch(`${host.url}/auth/users`, form({ email, password: 'pw' }))).status).toBe(200);
    const login = await fetch(`${host.url}/auth/sessions`, form({ email, password: 'pw' }));
    expect(login.status).toBe(200);
    expect(login.headers.getSetCookie().join('\n')).toMatch(/^session_id=[0-9a-f-]{36}; .*HttpOnly/m);
    expect(login.headers.get('x-content-type-options')).toBe('nosniff');
    const malformed = await fetch(`${host.url}/auth/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('sesame-error')).toMatch(/^request\./);
    expect(Object.keys((await malformed.json()) as object)).toEqual(['message']);
    const large = await fetch(`${host.url}/auth/users`, form({ email: 'big@example.test', password: 'x'.repeat(20 * 1024) }));
    expect(large.status).toBe(413);
    const unknown = await fetch(`${host.url}/auth/nowhere`);
    expect(unknown.status).toBe(404);
  });

  it('counts wrong passwords per account (the rate limit) and refuses a cross-site form, changing nothing', async () => {
    const email = `limit-${Date.now()}@example.test`;
    expect((await fetch(`${host.url}/auth/users`, form({ email, password: 'right' }))).status).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) statuses.push((await fetch(`${host.url}/auth/sessions`, form({ email, password: 'wrong' }))).status);
    expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
    expect(statuses.at(-1)).toBe(429);
    const victim = `csrf-${Date.now()}@example.test`;
    const forged = await fetch(`${host.url}/auth/users`, form({ email: victim, password: 'pw' }, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }));
    expect(forged.status).toBe(403);
    await expect(handler.sesame.db.findUserBy({ email: victim })).rejects.toThrow();
  });
});
