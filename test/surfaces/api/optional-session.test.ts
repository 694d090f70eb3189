/**
 * The host's session helpers beside `requireSession`: `optionalSession` lets everyone through and knows the
 * signed-in person, `sessionUser` reads that person typed as present and calls a route without the check a bug.
 * @module
 */
import { join } from 'node:path';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { optionalSession, requireSession, sesamePlugin, sessionUser } from '../../../src/index.js';
import { send, uniqueEmail } from '../../support/http.js';
import { SLOW_MACHINE_DATABASE, SLOW_MACHINE_SCORING } from '../../support/settings.js';
import { makeTempDir, type TempDir } from '../../support/temp.js';

describe('optionalSession and sessionUser in a host', () => {
  let app: FastifyInstance;
  let dir: TempDir;
  let url = '';
  beforeAll(async () => {
    dir = makeTempDir('optional-session');
    app = Fastify({ logger: false });
    await app.register(sesamePlugin, {
      prefix: '/auth',
      profile: 'development',
      settings: { ...SLOW_MACHINE_DATABASE, ...SLOW_MACHINE_SCORING, DATABASE_URL: `sqlite:${join(dir.path, 'host.db')}`, MAIL_OUTBOX_DIR: join(dir.path, 'outbox'), BCRYPT_COST: '4', LOG_LEVEL: 'silent' },
    });
    app.get('/', { preHandler: optionalSession(app.sesame) }, async (request) => ({ who: request.sesameUser?.email ?? null }));
    app.get('/me', { preHandler: requireSession(app.sesame) }, async (request) => ({ who: sessionUser(request).email }));
    app.get('/unguarded', async (request) => ({ who: sessionUser(request).email }));
    url = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await app.close();
    dir.remove();
  });

  it('lets a signed-out request through with no user, and knows a signed-in one', async () => {
    expect((await send(url, 'GET', '/')).json).toEqual({ who: null });
    expect((await send(url, 'GET', '/', { sessionId: 'not-a-session' })).json).toEqual({ who: null });
    const email = uniqueEmail('optional');
    expect((await send(url, 'POST', '/auth/users', { form: { email, password: 'pw' } })).status).toBe(200);
    const sessionId = (await send(url, 'POST', '/auth/sessions', { form: { email, password: 'pw' } })).sessionId ?? '';
    expect((await send(url, 'GET', '/', { sessionId })).json).toEqual({ who: email });
    expect((await send(url, 'GET', '/me', { sessionId })).json).toEqual({ who: email });
    expect((await send(url, 'GET', '/me')).status).toBe(403);
  });

  it('makes reading the user without the check a server error that names the route, not a missing session', async () => {
    expect((await send(url, 'GET', '/unguarded')).status).toBe(500);
    const request = { method: 'GET', routeOptions: { url: '/unguarded' } } as unknown as FastifyRequest;
    expect(() => sessionUser(request)).toThrow('GET /unguarded reads the signed-in user without requireSession in front');
  });
});
