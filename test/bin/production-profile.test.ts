/**
 * SESAME_PROFILE=production refuses every unsafe setting with a message naming the setting to change, both from
 * `loadConfig` and from the built server process; a complete safe production environment loads and starts; and the
 * development default still runs the seed's own flow (5-character password, reset token in the body).
 * @module
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { runBuiltServer } from '../support/built-server.js';
import { send } from '../support/http.js';
import { startService } from '../support/in-process.js';
import { TEST_SECRET_KEY } from '../support/settings.js';

/** The smallest complete production environment: everything else comes from the profile's safe defaults. */
const SAFE = { SESAME_PROFILE: 'production', SECRET_KEY: TEST_SECRET_KEY, PUBLIC_URL: 'https://auth.example.com', RESET_WEBHOOK_URL: 'https://mailer.internal/reset' } as const;

/** Each unsafe change, and the setting its refusal must name. */
const UNSAFE: ReadonlyArray<{ readonly change: Record<string, string>; readonly names: string }> = [
  { change: { COOKIE_SECURE: 'false' }, names: 'COOKIE_SECURE' },
  { change: { PASSWORD_MIN_LENGTH: '5' }, names: 'PASSWORD_MIN_LENGTH' },
  { change: { PASSWORD_CHECK_COMMON: 'false' }, names: 'PASSWORD_CHECK_COMMON' },
  { change: { BCRYPT_COST: '8' }, names: 'BCRYPT_COST' },
  { change: { RESET_TOKEN_DELIVERY: 'response' }, names: 'RESET_TOKEN_DELIVERY' },
  { change: { RATE_LIMIT_ENABLED: 'false' }, names: 'RATE_LIMIT_ENABLED' },
  { change: { WORKERS: '2', RATE_LIMIT_STORE: 'memory' }, names: 'RATE_LIMIT_STORE' },
  { change: { CSRF_PROTECTION: 'false' }, names: 'CSRF_PROTECTION' },
  { change: { TOKEN_FORMAT: 'uuid' }, names: 'TOKEN_FORMAT' },
  { change: { PASSWORD_MIN_SCORE: '2' }, names: 'PASSWORD_MIN_SCORE' },
  { change: { RESET_WEBHOOK_URL: 'http://mailer.internal/reset' }, names: 'RESET_WEBHOOK_URL' },
  { change: { LOG_LEVEL: 'trace' }, names: 'LOG_LEVEL' },
  { change: { REQUIRE_EMAIL_VERIFICATION: 'false' }, names: 'REQUIRE_EMAIL_VERIFICATION' },
  { change: { SECRET_KEY: '' }, names: 'SECRET_KEY' },
  { change: { PUBLIC_URL: '' }, names: 'PUBLIC_URL' },
  { change: { PUBLIC_URL: 'http://auth.example.com' }, names: 'PUBLIC_URL' },
];

/** Runs loadConfig and returns the ConfigError it throws (failing the test if it throws nothing or something else). */
function refusal(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig in the production profile', () => {
  it('loads a complete safe environment with every protection on', () => {
    const config = loadConfig(SAFE);
    expect(config.profile).toBe('production');
    expect(config.sessions.cookie.secure).toBe(true);
    expect(config.password.policy.minLength).toBe(15);
    expect(config.password.policy.checkCommon).toBe(true);
    expect(config.password.bcryptCost).toBeGreaterThanOrEqual(10);
    expect(config.password.reset.delivery).toBe('webhook');
    expect(config.rateLimits.enabled).toBe(true);
    expect(config.api.csrfProtection).toBe(true);
    expect(config.sessions.cookie.name).toBe('__Host-session_id');
    expect(config.tokens.format).toBe('random');
  });

  for (const { change, names } of UNSAFE) {
    it(`refuses ${Object.entries(change).map(([k, v]) => `${k}=${v}`).join(' ')}, naming ${names}`, () => {
      const error = refusal({ ...SAFE, ...change });
      // Every problem is about this setting, and one is the production refusal saying what to set it to.
      for (const problem of error.problems) expect(problem).toContain(names);
      const refusals = error.problems.filter((p) => p.startsWith('SESAME_PROFILE=production refuses an unsafe setting: '));
      expect(refusals).toHaveLength(1);
      expect(refusals[0]).toMatch(new RegExp(`set ${names}\\b`));
      // The same setting is the development profile's own business.
      expect(() => loadConfig({ ...change, SESAME_PROFILE: 'development' })).not.toThrow();
    });
  }

  it('lists every unsafe setting at once, so one restart fixes them all', () => {
    const error = refusal({ ...SAFE, COOKIE_SECURE: 'false', BCRYPT_COST: '8', CSRF_PROTECTION: 'false' });
    expect(error.problems.length).toBeGreaterThanOrEqual(3);
    for (const name of ['COOKIE_SECURE', 'BCRYPT_COST', 'CSRF_PROTECTION']) expect(error.message).toContain(name);
  });

  it('needs RESET_WEBHOOK_URL, since the token may not go back in the response', () => {
    expect(refusal({ SESAME_PROFILE: 'production' }).message).toContain('RESET_WEBHOOK_URL');
  });

  it('refuses RESET_TOKEN_DELIVERY=email without SMTP_URL and MAIL_FROM, naming both', () => {
    const withoutWebhook = Object.fromEntries(Object.entries(SAFE).filter(([name]) => name !== 'RESET_WEBHOOK_URL'));
    const message = refusal({ ...withoutWebhook, RESET_TOKEN_DELIVERY: 'email' }).message;
    expect(message).toContain('RESET_TOKEN_DELIVERY=email needs SMTP_URL');
    expect(message).toContain('RESET_TOKEN_DELIVERY=email needs MAIL_FROM');
    expect(refusal({ ...withoutWebhook, RESET_TOKEN_DELIVERY: 'email', MAIL_FROM: 'auth@example.com' }).message).toContain('SMTP_URL');
  });

  it('accepts RESET_TOKEN_DELIVERY=email with an smtps:// server and MAIL_FROM, and refuses plain smtp:// across a network', () => {
    const withoutWebhook = Object.fromEntries(Object.entries(SAFE).filter(([name]) => name !== 'RESET_WEBHOOK_URL'));
    const email = { ...withoutWebhook, RESET_TOKEN_DELIVERY: 'email', MAIL_FROM: 'auth@example.com' };
    expect(loadConfig({ ...email, SMTP_URL: 'smtps://user:pass@mail.example.com:465' }).password.reset.delivery).toBe('email');
    expect(() => loadConfig({ ...email, SMTP_URL: 'smtp://127.0.0.1:25' })).not.toThrow();
    expect(refusal({ ...email, SMTP_URL: 'smtp://mail.example.com:587' }).message).toContain('SMTP_URL to an smtps:// URL');
  });

  it('accepts the documented floors and shared stores for several workers', () => {
    expect(() => loadConfig({ ...SAFE, PASSWORD_MIN_LENGTH: '8', BCRYPT_COST: '10' })).not.toThrow();
    expect(() => loadConfig({ ...SAFE, RESET_WEBHOOK_URL: 'http://127.0.0.1:8025/reset' })).not.toThrow();
    expect(loadConfig({ ...SAFE, WORKERS: '2' }).rateLimits.store).toBe('database');
    expect(() => loadConfig({ ...SAFE, WORKERS: '2', RATE_LIMIT_STORE: 'redis', REDIS_URL: 'redis://127.0.0.1:6379' })).not.toThrow();
  });
});

describe('the built server (node dist/src/server.js)', () => {
  it('exits non-zero with the setting to change on stderr for an unsafe production setting', async () => {
    const run = await runBuiltServer({ ...SAFE, COOKIE_SECURE: 'false' });
    expect(run.listened).toBe(false);
    expect(run.code).not.toBe(0);
    expect(run.code).not.toBeNull();
    expect(run.stderr).toMatch(/set COOKIE_SECURE=true/);
  });

  it('names each of several unsafe settings on stderr', async () => {
    const run = await runBuiltServer({ ...SAFE, RESET_TOKEN_DELIVERY: 'response', RATE_LIMIT_ENABLED: 'false' });
    expect(run.listened).toBe(false);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('RESET_TOKEN_DELIVERY');
    expect(run.stderr).toContain('RATE_LIMIT_ENABLED');
  });

  it('starts with a complete safe production environment', async () => {
    const run = await runBuiltServer({ ...SAFE, LOG_LEVEL: 'info' });
    expect(run.stderr).toBe('');
    expect(run.listened).toBe(true);
    expect(run.code).toBe(0);
  });
});

describe('the development profile (the default)', () => {
  it('still runs the seed flow: 5-character password b4l0u, reset token in the body', async () => {
    expect(loadConfig({}).profile).toBe('development');
    const service = await startService();
    try {
      const email = 'guillaume@holberton.io';
      const form = { email, password: 'b4l0u' };
      expect((await send(service.url, 'POST', '/users', { form })).json).toEqual({ email, message: 'user created' });
      expect((await send(service.url, 'POST', '/sessions', { form: { email, password: 'wrong' } })).status).toBe(401);
      const login = await send(service.url, 'POST', '/sessions', { form });
      expect(login.json).toEqual({ email, message: 'logged in' });
      const sessionId = login.sessionId ?? '';
      expect((await send(service.url, 'GET', '/profile', { sessionId })).json).toEqual({ email });
      const logout = await send(service.url, 'DELETE', '/sessions', { sessionId });
      expect(logout.status).toBe(302);
      expect(logout.headers['location']).toBe('/');
      const reset = await send(service.url, 'POST', '/reset_password', { form: { email } });
      expect(reset.status).toBe(200);
      const token = (reset.json as { reset_token?: unknown }).reset_token;
      expect(typeof token).toBe('string');
      const update = await send(service.url, 'PUT', '/reset_password', {
        form: { email, reset_token: String(token), new_password: 't4rt1fl3tt3' },
      });
      expect(update.json).toEqual({ email, message: 'Password updated' });
      expect((await send(service.url, 'POST', '/sessions', { form: { email, password: 't4rt1fl3tt3' } })).status).toBe(200);
    } finally {
      await service.stop();
    }
  });
});
