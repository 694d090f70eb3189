/**
 * A host that puts a body parser before Sesame's handler (issue 27): the parser reads the body, and Sesame then
 * found nothing to read and refused the request as if the client had sent a broken one. These tests reproduce it
 * with a `Request` whose body was read, with Hono and with Express over real HTTP, and check the answer that tells
 * the developer what to change (`host.body_consumed`), the warning logged once, and that a parser which leaves the
 * body alone (another content type) changes nothing.
 * @module
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { serve, type HttpBindings } from '@hono/node-server';
import express from 'express';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { createFetchHandler, toNodeHandler, type SesameFetchHandler } from '../../../src/fetch.js';
import { createSesame, type Sesame } from '../../../src/server.js';
import { API_ERRORS } from '../../../src/surfaces/api/errors.js';
import { captureStream } from '../../support/in-process.js';
import { makeTempDir, type TempDir } from '../../support/temp.js';

const BASE = 'http://host.example/auth';
const CONSUMED_MESSAGE = API_ERRORS['host.body_consumed'].message;

/** A registration form as a `Request`. */
function registration(email: string): Request {
  return new Request(`${BASE}/users`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ email, password: 'a long enough password' }).toString() });
}

/** A fresh address, so no test's account is mistaken for another's. */
function address(label: string): string {
  return `${label}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.test`;
}

/** Asserts the answer is the table's `host.body_consumed`: status, JSON message, the code header. */
async function expectConsumed(answer: Response): Promise<void> {
  expect(answer.status).toBe(500);
  expect(answer.headers.get('sesame-error')).toBe('host.body_consumed');
  expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
  expect(await answer.json()).toEqual({ message: CONSUMED_MESSAGE });
}

/** Starts a server through `start` on a loopback port and resolves with its URL and the server. */
function listen(start: (done: () => void) => Server): Promise<{ url: string; server: Server }> {
  return new Promise((resolve) => {
    const server: Server = start(() => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }));
  });
}

/** Closes a server and waits for it. */
function close(server: Server | undefined): Promise<void> {
  return new Promise((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
}

let dir: TempDir;
let sesame: Sesame;
let handler: SesameFetchHandler;
const log = captureStream();

beforeAll(async () => {
  dir = makeTempDir('body-consumed');
  const settings = { DATABASE_URL: `sqlite:${join(dir.path, 'host.db')}`, BCRYPT_COST: '4', LOG_LEVEL: 'warn' };
  // Built here rather than by the handler, so the test reads the instance's log.
  sesame = await createSesame(loadConfig({ ...settings, SESAME_PROFILE: 'development' }), { logStream: log.stream, mountPrefix: '/auth', sweeper: false });
  handler = await createFetchHandler({ profile: 'development', prefix: '/auth', sesame });
});

afterAll(async () => {
  await handler?.close();
  await sesame?.close();
  dir?.remove();
});

/** The warnings about a consumed body in the log so far. */
function consumedWarnings(): Array<{ level: number; code: string; path: string; msg: string }> {
  return log
    .text()
    .split('\n')
    .filter((line) => line.includes('host.body_consumed'))
    .map((line) => JSON.parse(line) as { level: number; code: string; path: string; msg: string });
}

describe('a body read before the handler', () => {
  it('answers a Request whose body was read with host.body_consumed, and registers nobody', async () => {
    const email = address('read');
    const request = registration(email);
    await request.text();
    expect(request.bodyUsed).toBe(true);
    await expectConsumed(await handler.handle(request));
    await expect(sesame.db.findUserBy({ email })).rejects.toThrow();
  });

  it('answers a Request whose body a reader holds (locked, not yet read) the same way', async () => {
    const request = registration(address('locked'));
    const reader = request.body?.getReader();
    expect(request.body?.locked).toBe(true);
    await expectConsumed(await handler.handle(request));
    reader?.releaseLock();
  });

  it('serves the same request when its body was left alone', async () => {
    const email = address('fresh');
    expect((await handler.handle(registration(email))).status).toBe(200);
    expect((await sesame.db.findUserBy({ email })).email).toBe(email);
  });

  it('logs one warning naming the fix, however many requests hit it', async () => {
    for (let i = 0; i < 3; i += 1) {
      const request = registration(address('again'));
      await request.arrayBuffer();
      await expectConsumed(await handler.handle(request));
    }
    const warnings = consumedWarnings();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 40, code: 'host.body_consumed', path: '/auth/users' });
    expect(warnings[0]?.msg).toMatch(/mount Sesame's handler before any body parser/);
  });
});

describe('Hono with a body-parsing middleware before Sesame, over HTTP', () => {
  let host: { url: string; server: Server };

  beforeAll(async () => {
    const app = new Hono<{ Bindings: HttpBindings }>();
    // The mistake: a middleware for every path that parses the body before the routes run.
    app.use(async (c, next) => {
      if (c.req.header('content-type')?.startsWith('application/json') === true) await c.req.json();
      else if (c.req.method === 'POST') await c.req.parseBody();
      await next();
    });
    const sesameRoute = (c: { req: { raw: Request }; env: HttpBindings }): Promise<Response> => handler.handle(c.req.raw, { clientAddress: c.env.incoming.socket.remoteAddress });
    app.all('/auth', sesameRoute);
    app.all('/auth/*', sesameRoute);
    host = await listen((done) => serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => done()) as unknown as Server);
  });
  afterAll(() => close(host?.server));

  it('answers a JSON and a form POST with host.body_consumed, and still serves a GET', async () => {
    const json = await fetch(`${host.url}/auth/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: address('hono'), password: 'a long enough password' }) });
    await expectConsumed(json);
    const form = await fetch(`${host.url}/auth/sessions`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=a%40example.test&password=x' });
    await expectConsumed(form);
    const home = await fetch(`${host.url}/auth/`);
    expect(home.status).toBe(200);
  });
});

describe('Express with body parsers before toNodeHandler, over HTTP', () => {
  let host: { url: string; server: Server };

  beforeAll(async () => {
    const app = express();
    // The mistake the Express guide warns about: the host's parsers first, then Sesame.
    app.use(express.json());
    app.use('/auth', toNodeHandler(handler));
    host = await listen((done) => app.listen(0, '127.0.0.1', done));
  });
  afterAll(() => close(host?.server));

  it('answers a body express.json() read with host.body_consumed and registers nobody', async () => {
    const email = address('express');
    const answer = await fetch(`${host.url}/auth/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: 'a long enough password' }) });
    await expectConsumed(answer);
    await expect(sesame.db.findUserBy({ email })).rejects.toThrow();
  });

  it('serves a form POST, which express.json() leaves unread, as usual', async () => {
    const email = address('express-form');
    const answer = await fetch(`${host.url}/auth/users`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ email, password: 'a long enough password' }).toString() });
    expect(answer.status).toBe(200);
    expect((await sesame.db.findUserBy({ email })).email).toBe(email);
  });
});
