// sesame-auth/client against the real service over loopback HTTP: the seed flow, typed refusals (codes from the
// Sesame-Error header, retryAfter from Retry-After), the Node cookie jar keeping and forgetting the session cookie by
// whatever name the server gives it (session_id, __Host-session_id in production), browser mode leaving cookies to
// the platform, the account owner's routes (events, export, deletion) on both engines, and the rule that the client has
// no runtime import outside src/client/.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import {
  CookieJar,
  createSesameClient,
  isSesameClientError,
  parseRetryAfter,
  SesameClientError,
  type SesameClient,
  type SesameErrorCode,
} from '../../src/client/index.js';
import type { ApiErrorCode } from '../../src/surfaces/api/errors.js';
import { createPostgresSchema, describeEngines } from '../support/engines.js';
import { sleep, uniqueEmail } from '../support/http.js';
import { startService, type Service } from '../support/in-process.js';
import { TEST_SECRET_KEY } from '../support/settings.js';
import { mailedCode, startSmtpReceiver } from '../support/smtp.js';
import { startWebhookRecorder, type WebhookRecorder } from '../support/webhook.js';

/** The refusal a promise rejects with (failing the test when it resolves or rejects with something else). */
async function refusalOf(promise: Promise<unknown>): Promise<SesameClientError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(SesameClientError);
    return error as SesameClientError;
  }
  throw new Error('expected a SesameClientError, got a success');
}

let service: Service;
beforeAll(async () => {
  service = await startService();
});
afterAll(() => service.stop());

describe('the seed flow through the client (development profile)', () => {
  it('registers, refuses a wrong password with a typed 401, logs in, reads the profile, logs out, resets the password and logs in with the new one', async () => {
    const client = createSesameClient({ baseUrl: `${service.url}/` });
    const email = 'guillaume@holberton.io';
    expect(await client.home()).toEqual({ message: 'Bienvenue' });
    expect(await client.register({ email, password: 'b4l0u' })).toEqual({ email, message: 'user created' });

    const wrong = await refusalOf(client.login({ email, password: 'wrong' }));
    expect(wrong).toMatchObject({ status: 401, code: 'login.invalid_credentials', message: 'wrong email or password', retryAfter: undefined });
    expect(wrong.name).toBe('SesameClientError');
    expect(wrong).toBeInstanceOf(Error);

    expect(await client.login({ email, password: 'b4l0u' })).toEqual({ email, message: 'logged in' });
    expect(await client.profile()).toEqual({ email });
    const listed = await client.listSessions();
    expect(listed.sessions).toHaveLength(1);
    expect(listed.sessions[0]).toMatchObject({ current: true, id: expect.stringMatching(/^[0-9a-f]{16}$/) });

    await expect(client.logout()).resolves.toBeUndefined();
    expect(await refusalOf(client.profile())).toMatchObject({ status: 403, code: 'session.required', message: 'a valid session is required' });

    const reset = await client.requestResetToken({ email });
    expect(reset.email).toBe(email);
    if (!('reset_token' in reset)) throw new Error('development answers the token itself');
    expect(await refusalOf(client.updatePassword({ email, reset_token: 'not-a-token', new_password: 't4rt1fl3tt3' }))).toMatchObject({ status: 403, code: 'reset.token_invalid' });
    expect(await client.updatePassword({ email, reset_token: reset.reset_token, new_password: 't4rt1fl3tt3' })).toEqual({ email, message: 'Password updated' });

    expect((await refusalOf(client.login({ email, password: 'b4l0u' }))).code).toBe('login.invalid_credentials');
    expect(await client.login({ email, password: 't4rt1fl3tt3' })).toEqual({ email, message: 'logged in' });
    expect(await client.profile()).toEqual({ email });
  });

  it('changes the password (a fresh cookie replaces the old one) and ends sessions by id, others or all', async () => {
    const email = uniqueEmail('client-change');
    const laptop = createSesameClient({ baseUrl: service.url });
    const phone = createSesameClient({ baseUrl: service.url });
    await laptop.register({ email, password: 'first pass' });
    await laptop.login({ email, password: 'first pass' });
    await phone.login({ email, password: 'first pass' });

    const before = laptop.cookieJar?.get('session_id');
    expect(await laptop.changePassword({ password: 'first pass', new_password: 'second pass' })).toEqual({ email, message: 'Password updated' });
    const after = laptop.cookieJar?.get('session_id');
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    expect(await laptop.profile()).toEqual({ email });
    // The change ended every earlier session: the phone's cookie is dead.
    expect((await refusalOf(phone.profile())).code).toBe('session.required');
    expect((await refusalOf(laptop.changePassword({ password: 'wrong', new_password: 'third pass' }))).code).toBe('password.current_wrong');

    await phone.login({ email, password: 'second pass' });
    const phoneId = (await phone.listSessions()).sessions.find((s) => s.current)?.id ?? '';
    expect(await refusalOf(laptop.endSessions({ password: 'wrong', session: phoneId }))).toMatchObject({ status: 403, code: 'session.wrong_password' });
    expect(await refusalOf(laptop.endSessions({ password: 'second pass', session: '0123456789abcdef' }))).toMatchObject({ status: 404, code: 'session.unknown_handle' });
    expect(await laptop.endSessions({ password: 'second pass', session: phoneId })).toEqual({ message: 'session ended', ended: 1 });
    expect((await refusalOf(phone.profile())).code).toBe('session.required');

    await phone.login({ email, password: 'second pass' });
    expect(await laptop.endSessions({ password: 'second pass', session: 'others' })).toEqual({ message: 'session ended', ended: 1 });
    expect(await laptop.profile()).toEqual({ email });
    expect(await laptop.endSessions({ password: 'second pass', session: 'all' })).toEqual({ message: 'session ended', ended: 1 });
    // The server cleared the presented cookie, so the jar holds nothing more.
    expect(laptop.cookieJar?.header()).toBeUndefined();
  });

  it('answers the health routes', async () => {
    const client = createSesameClient({ baseUrl: service.url });
    expect(await client.ready()).toEqual({ status: 'ok' });
    expect(await client.live()).toEqual({ status: 'ok' });
  });
});

describe('typed refusals', () => {
  it('gives a validation error as 400 with its code and the server message', async () => {
    const client = createSesameClient({ baseUrl: service.url });
    const missing = await refusalOf(client.register({ email: uniqueEmail('client-valid'), password: '' }));
    expect(missing).toMatchObject({ status: 400, code: 'request.invalid', retryAfter: undefined });
    expect(missing.message).toMatch(/password/);
    const email = uniqueEmail('client-taken');
    await client.register({ email, password: 'pw' });
    expect(await refusalOf(client.register({ email, password: 'pw' }))).toMatchObject({ status: 400, code: 'users.email_taken', message: 'email already registered' });
    // The body is checked before the session: a malformed `session` is a 400 even without a cookie.
    const malformed = await refusalOf(client.endSessions({ password: 'pw', session: 'x' }));
    expect(malformed).toMatchObject({ status: 400, code: 'request.invalid' });
    expect(malformed.message).toMatch(/^session /);
    expect(await refusalOf(client.endSessions({ password: 'pw', session: 'all' }))).toMatchObject({ status: 403, code: 'session.required' });
    expect(await refusalOf(client.logout())).toMatchObject({ status: 403, code: 'session.not_found', message: 'no such session' });
  });

  it('gives a rate limit as 429 rate_limit.exceeded with retryAfter in seconds', async () => {
    const limited = await startService({ RATE_LIMIT_ACCOUNT_MAX: '2', RATE_LIMIT_ACCOUNT_WINDOW: '15m', RATE_LIMIT_IP_MAX: '10000' });
    try {
      const client = createSesameClient({ baseUrl: limited.url });
      const email = uniqueEmail('client-limit');
      await client.register({ email, password: 'right one' });
      for (let attempt = 0; attempt < 2; attempt += 1) expect((await refusalOf(client.login({ email, password: 'wrong' }))).status).toBe(401);
      const locked = await refusalOf(client.login({ email, password: 'right one' }));
      expect(locked).toMatchObject({ status: 429, code: 'rate_limit.exceeded' });
      expect(locked.retryAfter).toBeGreaterThan(0);
      expect(locked.retryAfter).toBeLessThanOrEqual(15 * 60);
      expect(locked.message).toContain(`${locked.retryAfter ?? ''} seconds`);
    } finally {
      await limited.stop();
    }
  });

  it('types the code as the server table\'s codes, so a switch is checked by the compiler', () => {
    expectTypeOf<SesameClientError['code']>().toEqualTypeOf<SesameErrorCode>();
    expectTypeOf<SesameErrorCode>().toEqualTypeOf<ApiErrorCode | 'unknown'>();
    const error: unknown = new SesameClientError({ status: 429, code: 'rate_limit.exceeded', message: 'slow down', retryAfter: 3 });
    expect(isSesameClientError(error)).toBe(true);
    expect(isSesameClientError(error, 'login.invalid_credentials')).toBe(false);
    if (isSesameClientError(error, 'rate_limit.exceeded', 'server.overloaded')) {
      expectTypeOf(error.code).toEqualTypeOf<'rate_limit.exceeded' | 'server.overloaded'>();
      expect(error.retryAfter).toBe(3);
    } else throw new Error('narrowing failed');
    expect(isSesameClientError(new Error('other'))).toBe(false);
  });

  it('reads Retry-After as seconds or as an HTTP date, and nothing from a missing or unreadable one', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });

  it('reports an answer without a code (not from Sesame) as unknown, with its status', async () => {
    const client = createSesameClient({ baseUrl: service.url, fetch: async () => new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }) });
    expect(await refusalOf(client.profile())).toMatchObject({ status: 502, code: 'unknown', message: 'HTTP 502 Bad Gateway', retryAfter: undefined });
  });
});

describe('the Node cookie jar', () => {
  it('keeps the session cookie from the login, sends it back, and forgets it when logout clears it', async () => {
    const client = createSesameClient({ baseUrl: service.url });
    const jar = client.cookieJar;
    if (jar === undefined) throw new Error('Node has no document: the client must keep its own jar');
    const email = uniqueEmail('client-jar');
    await client.register({ email, password: 'pw' });
    expect(jar.header()).toBeUndefined();
    await client.login({ email, password: 'pw' });
    const sessionId = jar.get('session_id');
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(jar.header()).toBe(`session_id=${sessionId ?? ''}`);
    expect(await client.profile()).toEqual({ email });
    // A second login presents the cookie, so the server ends that session and the jar takes the fresh one.
    await client.login({ email, password: 'pw' });
    expect(jar.get('session_id')).not.toBe(sessionId);
    expect((await client.listSessions()).sessions).toHaveLength(1);
    await client.logout();
    expect(jar.get('session_id')).toBeUndefined();
    expect(jar.header()).toBeUndefined();
  });

  it('gives each client its own jar unless one is shared, and none when turned off', async () => {
    const email = uniqueEmail('client-shared');
    const shared = new CookieJar();
    const first = createSesameClient({ baseUrl: service.url, cookieJar: shared });
    const second = createSesameClient({ baseUrl: service.url, cookieJar: shared });
    const stranger = createSesameClient({ baseUrl: service.url });
    await first.register({ email, password: 'pw' });
    await first.login({ email, password: 'pw' });
    expect(await second.profile()).toEqual({ email });
    expect((await refusalOf(stranger.profile())).code).toBe('session.required');

    const bare = createSesameClient({ baseUrl: service.url, cookieJar: false });
    expect(bare.cookieJar).toBeUndefined();
    await bare.login({ email, password: 'pw' });
    // Node's fetch keeps no cookies: without the jar the session is lost at once.
    expect((await refusalOf(bare.profile())).code).toBe('session.required');
  });

  it('forgets a cookie on an empty value, Max-Age=0, or an Expires or Max-Age that has passed', () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const jar = new CookieJar(() => now);
    jar.store('a=1; Path=/; HttpOnly; SameSite=Lax; Max-Age=60');
    jar.store('b=2; Expires=Thu, 01 Jan 2026 00:02:00 GMT');
    jar.store('c=3');
    jar.store('=nameless');
    expect(jar.header()).toBe('a=1; b=2; c=3');
    jar.store('c=; Path=/');
    expect(jar.get('c')).toBeUndefined();
    jar.store('c=4; Max-Age=0; Expires=Thu, 01 Jan 2099 00:00:00 GMT');
    expect(jar.get('c')).toBeUndefined();
    jar.store('c=5; Expires=Thu, 01 Jan 1970 00:00:00 GMT');
    expect(jar.get('c')).toBeUndefined();
    now += 61_000;
    expect(jar.get('a')).toBeUndefined();
    expect(jar.header()).toBe('b=2');
    now += 60_000;
    expect(jar.header()).toBeUndefined();
    jar.store('d=6');
    jar.clear();
    expect(jar.header()).toBeUndefined();
  });
});

describe('the production profile', () => {
  let production: Service;
  let mailer: WebhookRecorder;
  beforeAll(async () => {
    mailer = await startWebhookRecorder();
    production = await startService({
      SESAME_PROFILE: 'production',
      SECRET_KEY: TEST_SECRET_KEY,
      PUBLIC_URL: 'https://auth.example.com',
      RESET_WEBHOOK_URL: mailer.url,
      BCRYPT_COST: '10',
      // The first scoring starts a thread and loads the dictionaries: on a busy machine that alone can pass 2 s.
      PASSWORD_CHECK_TIMEOUT: '30s',
    });
  });
  afterAll(async () => {
    await production.stop();
    await mailer.close();
  });

  it('carries the __Host-session_id cookie through verification, login, profile, reset and logout', async () => {
    const client = createSesameClient({ baseUrl: production.url });
    const email = uniqueEmail('client-prod');
    const password = 'marmalade tugboat quasar sonnet 47';
    const weak = await refusalOf(client.register({ email, password: 'password' }));
    expect(weak).toMatchObject({ status: 400, code: 'password.weak' });
    await client.register({ email, password });
    // Production requires the address proved before a login: without SMTP the verification goes to the webhook.
    const mailed = (type: string): Array<Record<string, string>> =>
      mailer.deliveries.map((delivery) => delivery.body as Record<string, string>).filter((body) => body['type'] === type);
    await expect.poll(() => mailed('email_verify').length).toBe(1);
    expect((await refusalOf(client.login({ email, password }))).code).toBe('login.email_not_verified');
    await client.verifyEmail({ token: mailed('email_verify')[0]?.['token'] ?? '' });
    await client.login({ email, password });
    const sessionId = client.cookieJar?.get('__Host-session_id');
    // TOKEN_FORMAT=random: 256 bits in base64url.
    expect(sessionId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(client.cookieJar?.get('session_id')).toBeUndefined();
    expect(await client.profile()).toEqual({ email });

    expect(await client.requestResetToken({ email })).toEqual({ email, message: 'if this email is registered, reset instructions have been sent' });
    await expect.poll(() => mailed('password_reset').length).toBe(1);
    const token = mailed('password_reset')[0]?.['reset_token'] ?? '';
    const newPassword = 'pelican origami vortex lantern 93';
    expect(await client.updatePassword({ email, reset_token: token, new_password: newPassword })).toEqual({ email, message: 'Password updated' });
    // The reset ended the session; logout still redirects for a session a reset ended (the seed's contract).
    await client.logout();
    expect(client.cookieJar?.header()).toBeUndefined();
    await client.login({ email, password: newPassword });
    expect(await client.profile()).toEqual({ email });
    await client.logout();
    expect(client.cookieJar?.get('__Host-session_id')).toBeUndefined();
    expect((await refusalOf(client.profile())).code).toBe('session.required');
  });
});

describe('in a browser', () => {
  it('keeps no jar, sends credentials: include, and takes the opaque manual redirect of logout as success', async () => {
    const seen: RequestInit[] = [];
    const global = globalThis as { document?: unknown };
    global.document = {};
    let client: SesameClient;
    try {
      client = createSesameClient({
        baseUrl: service.url,
        fetch: async (input, init) => {
          seen.push(init ?? {});
          // What a browser gives for `redirect: 'manual'`: a filtered response of type opaqueredirect, status 0.
          if (init?.method === 'DELETE') return Object.defineProperty(new Response(null, { status: 200 }), 'type', { value: 'opaqueredirect' });
          return fetch(input, init);
        },
      });
    } finally {
      delete global.document;
    }
    expect(client.cookieJar).toBeUndefined();
    expect(await client.home()).toEqual({ message: 'Bienvenue' });
    await expect(client.logout()).resolves.toBeUndefined();
    expect(seen.map((init) => init.credentials)).toEqual(['include', 'include']);
    expect(seen[1]?.redirect).toBe('manual');
    expect(new Headers(seen[0]?.headers).get('cookie')).toBeNull();
    const sameOrigin = createSesameClient({ baseUrl: service.url, credentials: 'same-origin', fetch: async (input, init) => (seen.push(init ?? {}), fetch(input, init)) });
    await sameOrigin.home();
    expect(seen[2]?.credentials).toBe('same-origin');
  });
});

describe('the email routes through the client (verification required, mail to a real SMTP receiver)', () => {
  it('verifies by token and by code, resends, sets the language and changes the address, with typed refusals', async () => {
    const smtp = await startSmtpReceiver();
    const mailed = await startService({ SMTP_URL: smtp.url, MAIL_FROM: 'auth@example.com', REQUIRE_EMAIL_VERIFICATION: 'true' });
    try {
      /** The newest message to `to` whose text matches `pattern`, waited for (the dispatcher sends after the commit). */
      const mailTo = async (to: string, count: number): Promise<string> => {
        for (let tries = 0; tries < 6000; tries += 1) {
          const mails = smtp.received.filter((mail) => mail.to.includes(to));
          if (mails.length >= count) return mails[count - 1]?.text ?? '';
          await sleep(10);
        }
        throw new Error(`no message ${count} to ${to}`);
      };
      const tokenIn = (text: string): string => /token=([A-Za-z0-9_-]+)/.exec(text)?.[1] ?? '';
      const codeIn = (text: string): string => mailedCode(text) ?? '';
      const client = createSesameClient({ baseUrl: mailed.url });
      const email = uniqueEmail('client-verify');
      await client.register({ email, password: 'b4l0u' });
      expect(await refusalOf(client.login({ email, password: 'b4l0u' }))).toMatchObject({ status: 403, code: 'login.email_not_verified', message: 'email not verified' });
      const first = await mailTo(email, 1);
      expect(await refusalOf(client.verifyEmail({ token: 'not-a-token-at-all' }))).toMatchObject({ status: 403, code: 'email.token_invalid' });
      expect(await client.resendVerification({ email })).toEqual({ email, message: 'if this email is registered and not yet verified, a verification message has been sent' });
      const second = await mailTo(email, 2);
      expect(codeIn(second)).toMatch(/^\d{4}-\d{4}$/);
      expect(await client.verifyEmail({ email, code: codeIn(second) })).toEqual({ email, message: 'email verified' });
      // Verifying spent every verification link, the first message's too.
      expect((await refusalOf(client.verifyEmail({ token: tokenIn(first) }))).code).toBe('email.token_invalid');
      expect(await client.login({ email, password: 'b4l0u' })).toEqual({ email, message: 'logged in' });

      expect(await client.setLanguage({ language: 'fr' })).toEqual({ language: 'fr' });
      const moved = uniqueEmail('client-moved');
      expect(await refusalOf(client.changeEmail({ password: 'wrong', new_email: moved }))).toMatchObject({ status: 403, code: 'email.password_wrong' });
      expect(await client.changeEmail({ password: 'b4l0u', new_email: moved })).toEqual({ email, message: 'confirmation sent to the new address' });
      const confirmation = await mailTo(moved, 1);
      expect(smtp.received.find((mail) => mail.to.includes(moved))?.raw).toMatch(/^Subject: .*(adresse|e-mail)/im);
      expect(await client.verifyEmail({ token: tokenIn(confirmation) })).toEqual({ email: moved, message: 'email changed' });
      expect(await client.profile()).toEqual({ email: moved });
    } finally {
      await mailed.stop();
      await smtp.stop();
    }
  });
});

describeEngines('the account owner\'s routes through the client', (engine) => {
  let owned: Service;
  let done: () => Promise<void>;
  beforeAll(async () => {
    if (engine.name === 'sqlite') {
      owned = await startService();
      done = () => owned.stop();
    } else {
      const schema = await createPostgresSchema('client');
      owned = await startService({ DATABASE_URL: schema.url });
      done = async () => {
        await owned.stop();
        await schema.drop();
      };
    }
  });
  afterAll(() => done());

  it('lists sessions with where they were last used, pages the events, exports the account and deletes it with the password', async () => {
    const answers: Response[] = [];
    // The client's own fetch option: a fixed User-Agent to find in the session list, and the raw answers to read headers.
    const client = createSesameClient({
      baseUrl: owned.url,
      fetch: async (input, init) => {
        const response = await fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), 'user-agent': 'client-test/1.0' } });
        answers.push(response);
        return response;
      },
    });
    const email = uniqueEmail('client-owner');
    await client.register({ email, password: 'owner pass' });
    expect((await refusalOf(client.listProfileEvents())).code).toBe('session.required');
    expect((await refusalOf(client.exportProfile())).code).toBe('session.required');
    expect((await refusalOf(client.deleteProfile({ password: 'owner pass' }))).code).toBe('session.required');
    expect((await refusalOf(client.login({ email, password: 'wrong' }))).code).toBe('login.invalid_credentials');
    await client.login({ email, password: 'owner pass' });

    const [session] = (await client.listSessions()).sessions;
    expect(session).toMatchObject({ current: true, user_agent: 'client-test/1.0', ip: '127.0.0.1' });
    expect(session?.last_seen_at).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
    expect(Date.parse(session?.last_seen_at ?? '')).toBeGreaterThanOrEqual(Date.parse(session?.created_at ?? ''));

    const { events } = await client.listProfileEvents();
    expect(events.map((event) => event.type)).toEqual(['login.succeeded', 'login.failed', 'account.created']);
    expect(events[0]).toMatchObject({ actor: 'user', ip: '127.0.0.1', user_agent: 'client-test/1.0', detail: null });
    expect(events[1]?.detail).toEqual({ reason: 'wrong-password' });
    expect((await client.listProfileEvents({ limit: 1, offset: 1 })).events.map((event) => event.type)).toEqual(['login.failed']);
    expect((await client.listProfileEvents({ offset: 2 })).events.map((event) => event.type)).toEqual(['account.created']);
    expect(await refusalOf(client.listProfileEvents({ limit: 0 }))).toMatchObject({ status: 400, code: 'account.invalid_page' });
    expect((await refusalOf(client.listProfileEvents({ limit: 101 }))).code).toBe('account.invalid_page');

    const exported = await client.exportProfile();
    // A JSON answer like the others, not an attachment: the page that asked decides how to save it.
    expect(answers.at(-1)?.headers.get('content-type')).toMatch(/^application\/json/);
    expect(answers.at(-1)?.headers.get('content-disposition')).toBeNull();
    expect(exported.account).toMatchObject({ email, state: 'active', disabled_at: null, disabled_reason: null, email_verified_at: null, language: 'en' });
    expect(Object.keys(exported.account).sort()).toEqual(['created_at', 'disabled_at', 'disabled_reason', 'email', 'email_verified_at', 'id', 'language', 'state', 'updated_at']);
    expect(exported.sessions).toEqual([expect.objectContaining({ id: session?.id, current: true, ended_at: null, end_reason: null })]);
    expect(exported.events.map((event) => event.type)).toEqual(['login.succeeded', 'login.failed', 'account.created']);
    expect(Array.isArray(exported.mail)).toBe(true);

    expect(await refusalOf(client.deleteProfile({ password: 'wrong' }))).toMatchObject({ status: 403, code: 'account.password_wrong', message: 'password is wrong' });
    expect(await client.profile()).toEqual({ email });
    expect(await client.deleteProfile({ password: 'owner pass' })).toEqual({ message: 'account deleted' });
    // The server cleared the cookie, so the jar forgets it; the account is gone with its password.
    expect(client.cookieJar?.header()).toBeUndefined();
    expect((await refusalOf(client.profile())).code).toBe('session.required');
    expect((await refusalOf(client.login({ email, password: 'owner pass' }))).code).toBe('login.invalid_credentials');
  });
});

describe('the client module', () => {
  it('has no runtime import outside src/client/, so a browser bundle never pulls in server code', () => {
    const dir = 'src/client';
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.ts'))) {
      const text = readFileSync(join(dir, file), 'utf8');
      for (const match of text.matchAll(/^(import|export)\s+(type\s+)?[^;]*?from\s+'([^']+)'/gms)) {
        const [, , typeOnly, specifier = ''] = match;
        if (typeOnly === undefined) expect(specifier, `${file} imports ${specifier} at runtime`).toMatch(/^\.\/[\w-]+\.js$/);
      }
    }
  });
});
