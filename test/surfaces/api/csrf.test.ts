/**
 * Cross-site request refusal over real HTTP: a state-changing request from a foreign `Origin`, or marked
 * `Sec-Fetch-Site: cross-site`, gets 403 JSON and changes nothing (on every state-changing route: POST /users,
 * POST and DELETE /sessions, POST and PUT /reset_password, PUT /password); same-origin, header-less (curl, Python
 * `requests`) and safe-method requests pass; TRUSTED_ORIGINS replaces the default; CSRF_PROTECTION=false turns it off.
 * @module
 */
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPostgresSchema, describeOnEngine, postgresAvailability, type Availability } from '../../support/stores.js';
import { CookieJar, rawSend, send, uniqueEmail, type Reply } from '../../support/http.js';
import { startService, type Service } from '../../support/in-process.js';

const EVIL = 'http://evil.example';
const PASSWORD = 'correct horse battery';

/** Asserts the guard's refusal: 403, a JSON message, and no cookie set or cleared. */
function expectRefused(reply: Reply): void {
  expect(reply.status, reply.text).toBe(403);
  expect(reply.headers['content-type']).toMatch(/^application\/json/);
  expect(reply.message).toMatch(/^cross-site request refused/);
  expect(reply.setCookies).toEqual([]);
}

/** Registers and logs in a fresh account with no browser headers; returns its email and session id. */
async function account(service: Service): Promise<{ email: string; sessionId: string }> {
  const email = uniqueEmail('csrf');
  expect((await send(service.url, 'POST', '/users', { form: { email, password: PASSWORD } })).status).toBe(200);
  const login = await send(service.url, 'POST', '/sessions', { form: { email, password: PASSWORD } });
  expect(login.status).toBe(200);
  return { email, sessionId: login.sessionId ?? '' };
}

/** Asks for a reset token with no browser headers (development profile: the token comes back in the body). */
async function resetToken(service: Service, email: string): Promise<string> {
  const reply = await send(service.url, 'POST', '/reset_password', { form: { email } });
  expect(reply.status).toBe(200);
  return String((reply.json as { reset_token?: unknown }).reset_token);
}

/** The engines the default-settings suite runs on; the guard must refuse before any storage is touched on either. */
const ENGINES = [
  { name: 'sqlite', availability: { ok: true } as Availability },
  { name: 'postgres', availability: postgresAvailability },
] as const;

for (const engine of ENGINES) {
  describeOnEngine(engine.name, engine.availability, `default settings (the service's own origin only) [${engine.name}]`, () => {
    let service: Service;
    let schema: { drop(): Promise<void> } | undefined;
    beforeAll(async () => {
      if (engine.name === 'postgres') {
        const created = await createPostgresSchema();
        schema = created;
        service = await startService({ DATABASE_URL: created.url });
      } else {
        service = await startService();
      }
    });
    afterAll(async () => {
      await service.stop();
      await schema?.drop();
    });

    const foreign = [
      { name: 'a foreign Origin', headers: { origin: EVIL } },
      { name: 'Origin: null (sandboxed frame, privacy redirect)', headers: { origin: 'null' } },
      { name: 'the same host on another port', headers: { origin: 'http://127.0.0.1:1' } },
      { name: 'Sec-Fetch-Site: cross-site and no Origin', headers: { 'sec-fetch-site': 'cross-site' } },
    ] as const;

    for (const { name, headers } of foreign) {
      describe(`with ${name}`, () => {
        it('POST /users is refused and registers nobody', async () => {
          const email = uniqueEmail('csrf-reg');
          expectRefused(await send(service.url, 'POST', '/users', { form: { email, password: PASSWORD }, headers }));
          expect((await send(service.url, 'POST', '/sessions', { form: { email, password: PASSWORD } })).status).toBe(401);
          expect((await send(service.url, 'POST', '/users', { form: { email, password: PASSWORD } })).status).toBe(200);
        });

        it('POST /sessions is refused and sets no session cookie (no login CSRF)', async () => {
          const { email } = await account(service);
          expectRefused(await send(service.url, 'POST', '/sessions', { form: { email, password: PASSWORD }, headers }));
        });

        it('DELETE /sessions is refused and the session stays live', async () => {
          const { email, sessionId } = await account(service);
          expectRefused(await send(service.url, 'DELETE', '/sessions', { sessionId, headers }));
          const profile = await send(service.url, 'GET', '/profile', { sessionId });
          expect(profile.status).toBe(200);
          expect(profile.json).toEqual({ email });
        });

        it('POST /reset_password is refused and the outstanding token is not replaced', async () => {
          const { email } = await account(service);
          const token = await resetToken(service, email);
          expectRefused(await send(service.url, 'POST', '/reset_password', { form: { email }, headers }));
          const update = { email, reset_token: token, new_password: 'a brand new passphrase' };
          expect((await send(service.url, 'PUT', '/reset_password', { form: update })).status).toBe(200);
        });

        it('PUT /password is refused and the password stays', async () => {
          const { email, sessionId } = await account(service);
          const change = { password: PASSWORD, new_password: 'attacker chosen passphrase' };
          expectRefused(await send(service.url, 'PUT', '/password', { form: change, sessionId, headers }));
          expect((await send(service.url, 'POST', '/sessions', { form: { email, password: PASSWORD } })).status).toBe(200);
          expect((await send(service.url, 'PUT', '/password', { form: change, sessionId })).status).toBe(200);
        });

        it('PUT /reset_password is refused: token not spent, password unchanged', async () => {
          const { email, sessionId } = await account(service);
          const token = await resetToken(service, email);
          const update = { email, reset_token: token, new_password: 'attacker chosen passphrase' };
          expectRefused(await send(service.url, 'PUT', '/reset_password', { form: update, headers }));
          expect((await send(service.url, 'POST', '/sessions', { form: { email, password: PASSWORD } })).status).toBe(200);
          expect((await send(service.url, 'GET', '/profile', { sessionId })).status).toBe(200);
          expect((await send(service.url, 'PUT', '/reset_password', { form: update })).status).toBe(200);
        });
      });
    }

    it('refuses Sec-Fetch-Site: cross-site even when the Origin is the service\'s own', async () => {
      const headers = { origin: service.origin, 'sec-fetch-site': 'cross-site' };
      expectRefused(await send(service.url, 'POST', '/users', { form: { email: uniqueEmail('x'), password: PASSWORD }, headers }));
    });

    it('allows the service\'s own origin (Origin matching the Host) on every state-changing route', async () => {
      const headers = { origin: service.origin, 'sec-fetch-site': 'same-origin' };
      const email = uniqueEmail('same');
      expect((await send(service.url, 'POST', '/users', { form: { email, password: PASSWORD }, headers })).status).toBe(200);
      const login = await send(service.url, 'POST', '/sessions', { form: { email, password: PASSWORD }, headers });
      expect(login.status).toBe(200);
      const reset = await send(service.url, 'POST', '/reset_password', { form: { email }, headers });
      expect(reset.status).toBe(200);
      const update = { email, reset_token: String((reset.json as { reset_token?: unknown }).reset_token), new_password: 'next one please' };
      expect((await send(service.url, 'PUT', '/reset_password', { form: update, headers })).status).toBe(200);
      const again = await send(service.url, 'POST', '/sessions', { form: { email, password: 'next one please' }, headers });
      const sessionId = again.sessionId ?? '';
      const change = { password: 'next one please', new_password: 'and one more' };
      const changed = await send(service.url, 'PUT', '/password', { form: change, sessionId, headers });
      expect(changed.status).toBe(200);
      // The change rotated the session: log out with the fresh one.
      expect((await send(service.url, 'DELETE', '/sessions', { sessionId: changed.sessionId ?? '', headers })).status).toBe(302);
    });

    it('allows requests with neither Origin nor Sec-Fetch-Site (curl, Python requests, servers)', async () => {
      const { sessionId } = await account(service);
      expect((await send(service.url, 'DELETE', '/sessions', { sessionId })).status).toBe(302);
    });

    it('allows Sec-Fetch-Site same-site and none without an Origin', async () => {
      for (const site of ['same-site', 'none', 'same-origin']) {
        const reply = await send(service.url, 'POST', '/users', {
          form: { email: uniqueEmail('site'), password: PASSWORD },
          headers: { 'sec-fetch-site': site },
        });
        expect(reply.status, site).toBe(200);
      }
    });

    it('allows safe methods from a foreign origin (reading is not a state change)', async () => {
      const { email, sessionId } = await account(service);
      const headers = { origin: EVIL, 'sec-fetch-site': 'cross-site' };
      expect((await send(service.url, 'GET', '/', { headers })).json).toEqual({ message: 'Bienvenue' });
      const profile = await send(service.url, 'GET', '/profile', { sessionId, headers });
      expect(profile.status).toBe(200);
      expect(profile.json).toEqual({ email });
    });
  });
}

describe('TRUSTED_ORIGINS=https://app.example', () => {
  let service: Service;
  // Built for each test (not once per block), so the mutation run sees which test exercises which setting.
  beforeEach(async () => {
    service = await startService({ TRUSTED_ORIGINS: 'https://app.example' });
  });
  afterEach(() => service.stop());

  it('allows the trusted origin (compared case-insensitively)', async () => {
    for (const origin of ['https://app.example', 'https://APP.example']) {
      const reply = await send(service.url, 'POST', '/users', {
        form: { email: uniqueEmail('trusted'), password: PASSWORD },
        headers: { origin },
      });
      expect(reply.status, origin).toBe(200);
    }
  });

  it('then refuses every other origin, and still allows the service\'s own, as README documents', async () => {
    for (const origin of ['http://app.example', 'https://app.example:8443', 'https://app.example.evil', EVIL]) {
      expectRefused(
        await send(service.url, 'POST', '/users', { form: { email: uniqueEmail('other'), password: PASSWORD }, headers: { origin } }),
      );
    }
    const own = await send(service.url, 'POST', '/users', { form: { email: uniqueEmail('own'), password: PASSWORD }, headers: { origin: service.origin } });
    expect(own.status).toBe(200);
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const row = readme.split('\n').find((line) => line.startsWith('| `TRUSTED_ORIGINS`'));
    expect(row).toMatch(/the service's own origin is always allowed/);
  });
});

describe('TRUSTED_ORIGINS with PUBLIC_URL=https://auth.example.com', () => {
  let service: Service;
  // Built for each test (not once per block), so the mutation run sees which test exercises which setting.
  beforeEach(async () => {
    service = await startService({ PUBLIC_URL: 'https://auth.example.com', TRUSTED_ORIGINS: 'https://app.example', RESET_TOKEN_DELIVERY: 'response' });
  });
  afterEach(() => service.stop());

  it("accepts Sesame's own page forms posted from PUBLIC_URL's origin: a reset through /account/reset completes", async () => {
    const email = uniqueEmail('own-page');
    expect((await send(service.url, 'POST', '/users', { form: { email, password: PASSWORD }, headers: { origin: 'https://auth.example.com' } })).status).toBe(200);
    const issued = await send(service.url, 'POST', '/reset_password', { form: { email } });
    const token = String((issued.json as { reset_token: string }).reset_token);
    const jar = new CookieJar(service.url);
    const page = await jar.send('GET', `/account/reset?token=${token}`);
    const formToken = /name="form_token" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    const done = await jar.send('POST', '/account/reset', {
      form: { token, email, new_password: 'a new long password', form_token: formToken },
      headers: { origin: 'https://auth.example.com', 'sec-fetch-site': 'same-origin' },
    });
    expect(done.headers['sesame-error']).toBeUndefined();
    expect(done.status, done.text).toBe(200);
    expect((await send(service.url, 'POST', '/sessions', { form: { email, password: 'a new long password' } })).status).toBe(200);
  });

  it('still refuses an origin that merely starts with the own origin, and the own origin when the browser says cross-site', async () => {
    for (const origin of ['https://auth.example.com.evil.example', 'https://auth.example.com:8443', service.origin]) {
      expectRefused(await send(service.url, 'POST', '/users', { form: { email: uniqueEmail('near'), password: PASSWORD }, headers: { origin } }));
    }
    const headers = { origin: 'https://auth.example.com', 'sec-fetch-site': 'cross-site' };
    expectRefused(await send(service.url, 'POST', '/users', { form: { email: uniqueEmail('xsite'), password: PASSWORD }, headers }));
  });
});

describe('the own origin without PUBLIC_URL', () => {
  let service: Service;
  // Built for each test (not once per block), so the mutation run sees which test exercises which setting.
  beforeEach(async () => {
    service = await startService({});
  });
  afterEach(() => service.stop());

  it('includes the scheme: the https twin of an http service\'s origin is another origin', async () => {
    const https = service.origin.replace(/^http:/, 'https:');
    expectRefused(await send(service.url, 'POST', '/users', { form: { email: uniqueEmail('scheme'), password: PASSWORD }, headers: { origin: https } }));
    expect((await send(service.url, 'POST', '/users', { form: { email: uniqueEmail('scheme'), password: PASSWORD }, headers: { origin: service.origin } })).status).toBe(200);
  });

  it('is compared whole: the own origin with a digit more (another port) is refused', async () => {
    for (const origin of [`${service.origin}1`, `${service.origin}.evil.example`]) {
      expectRefused(await send(service.url, 'POST', '/users', { form: { email: uniqueEmail('longer'), password: PASSWORD }, headers: { origin } }));
    }
  });
});

describe('PUBLIC_URL=https://auth.example.com (DNS rebinding)', () => {
  let service: Service;
  // Built for each test (not once per block), so the mutation run sees which test exercises which setting.
  beforeEach(async () => {
    service = await startService({ PUBLIC_URL: 'https://auth.example.com/' });
  });
  afterEach(() => service.stop());

  /** A registration sent with a chosen Host and Origin, as a browser on a rebound name sends it. */
  function register(host: string, origin: string): Promise<Reply> {
    const body = new URLSearchParams({ email: uniqueEmail('rebind'), password: PASSWORD }).toString();
    return rawSend(service.url, { method: 'POST', path: '/users', headers: [['host', host], ['origin', origin], ['content-type', 'application/x-www-form-urlencoded']], body });
  }

  it('refuses a page whose name was rebound to Sesame: its Host and Origin agree, but they are not PUBLIC_URL', async () => {
    expectRefused(await register('rebind.attacker.example', 'http://rebind.attacker.example'));
    expectRefused(await register(new URL(service.url).host, service.origin));
  });

  it('accepts Sesame\'s own origin from PUBLIC_URL whatever Host the proxy forwards', async () => {
    expect((await register(new URL(service.url).host, 'https://auth.example.com')).status).toBe(200);
    expect((await register('auth.example.com', 'https://AUTH.example.com')).status).toBe(200);
    expectRefused(await register('auth.example.com', 'http://auth.example.com'));
  });

  it('is compared whole: an origin that extends PUBLIC_URL\'s (another name under it, another port) is refused', async () => {
    expectRefused(await register('auth.example.com', 'https://auth.example.com.evil.example'));
    expectRefused(await register('auth.example.com', 'https://auth.example.com1'));
  });
});

describe('CSRF_PROTECTION=false', () => {
  let service: Service;
  // Built for each test (not once per block), so the mutation run sees which test exercises which setting.
  beforeEach(async () => {
    service = await startService({ CSRF_PROTECTION: 'false' });
  });
  afterEach(() => service.stop());

  it('accepts foreign-origin and cross-site state changes', async () => {
    const email = uniqueEmail('off');
    const headers = { origin: EVIL, 'sec-fetch-site': 'cross-site' };
    expect((await send(service.url, 'POST', '/users', { form: { email, password: PASSWORD }, headers })).status).toBe(200);
    const login = await send(service.url, 'POST', '/sessions', { form: { email, password: PASSWORD }, headers });
    expect(login.status).toBe(200);
    expect((await send(service.url, 'DELETE', '/sessions', { sessionId: login.sessionId ?? '', headers })).status).toBe(302);
  });
});
