// Validate once: every route that needs a session looks its cookie up exactly once per request (the session check
// declared in its route config), and the services it calls take the checked session instead of looking it up again.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { KyselySessionStore } from '../../../src/modules/sessions/index.js';
import { CookieJar, uniqueEmail } from '../../support/http.js';
import { startService, type Service } from '../../support/in-process.js';

const PASSWORD = 'long enough';
let service: Service;
const lookups = vi.spyOn(KyselySessionStore.prototype, 'findLive');

beforeAll(async () => {
  service = await startService();
});
afterAll(() => service.stop());
afterEach(() => {
  lookups.mockClear();
});

/** A signed-in client. */
async function signedIn(): Promise<CookieJar> {
  const jar = new CookieJar(service.url);
  const email = uniqueEmail('once');
  expect((await jar.send('POST', '/users', { form: { email, password: PASSWORD } })).status).toBe(200);
  expect((await jar.send('POST', '/sessions', { form: { email, password: PASSWORD } })).status).toBe(200);
  return jar;
}

describe('one session lookup per request', () => {
  it.each([
    ['GET', '/profile', undefined, 200],
    ['GET', '/sessions', undefined, 200],
    ['POST', '/sessions/end', { password: PASSWORD, session: 'others' }, 200],
    ['POST', '/sessions/end', { password: 'wrong one', session: 'others' }, 403],
    ['PUT', '/password', { password: PASSWORD, new_password: 'another long one' }, 200],
    ['PUT', '/password', { password: 'wrong one', new_password: 'another long one' }, 403],
    ['GET', '/profile/events', undefined, 200],
    ['GET', '/profile/export', undefined, 200],
    ['DELETE', '/profile', { password: 'wrong one' }, 403],
    ['DELETE', '/profile', { password: PASSWORD }, 200],
  ] as const)('%s %s (answering %i)', async (method, path, form, status) => {
    const jar = await signedIn();
    lookups.mockClear();
    const reply = await jar.send(method, path, form === undefined ? {} : { form });
    expect(reply.status).toBe(status);
    expect(lookups).toHaveBeenCalledTimes(1);
  });

  it('none for a route that needs no session, and one for a request without a live one (then refused)', async () => {
    const jar = new CookieJar(service.url);
    expect((await jar.send('GET', '/')).status).toBe(200);
    expect(lookups).toHaveBeenCalledTimes(0);
    const refused = await jar.send('GET', '/profile', { headers: { cookie: 'session_id=00000000-0000-4000-8000-000000000000' } });
    expect(refused.status).toBe(403);
    expect(lookups).toHaveBeenCalledTimes(1);
    lookups.mockClear();
    // No cookie at all: refused without a query.
    expect((await jar.send('GET', '/profile')).status).toBe(403);
    expect(lookups).toHaveBeenCalledTimes(0);
  });
});
