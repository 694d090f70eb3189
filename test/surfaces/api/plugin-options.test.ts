/**
 * The plugin's own options: a profile is required (and must agree with a given instance and with the settings), the
 * plugin builds and closes its own instance from `settings` with the standalone server's defaults for that profile,
 * rate limits and the sweeper run unless switched off, the host is decorated with the instance, and Sesame's tables
 * carry the `sesame_` prefix.
 * @module
 */
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createSesame, loadConfig, requireSession, sesamePlugin, type SesamePluginOptions } from '../../../src/server.js';
import { makeTempDir, type TempDir } from '../../support/temp.js';
import { SLOW_MACHINE_SCORING, TEST_SECRET_KEY } from '../../support/settings.js';

const dirs: TempDir[] = [];
const apps: FastifyInstance[] = [];

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
  for (const dir of dirs.splice(0)) dir.remove();
});

/** A host with Sesame under /auth, built from `options` over a fresh SQLite file; not yet listening. */
async function host(options: Omit<SesamePluginOptions, 'settings'> & { settings?: Record<string, string> }): Promise<{ app: FastifyInstance; file: string }> {
  const dir = makeTempDir('plugin-options');
  dirs.push(dir);
  const file = join(dir.path, 'host.db');
  const app = Fastify({ logger: false });
  apps.push(app);
  await app.register(sesamePlugin, { prefix: '/auth', ...options, settings: { DATABASE_URL: `sqlite:${file}`, BCRYPT_COST: '4', ...options.settings } });
  app.get('/me', { preHandler: requireSession(app.sesame) }, async (request) => ({ email: request.sesameUser?.email }));
  await app.ready();
  return { app, file };
}

/** Posts a form through Fastify's inject. */
function post(app: FastifyInstance, url: string, fields: Record<string, string>) {
  return app.inject({ method: 'POST', url, payload: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
}

describe('sesamePlugin options', () => {
  it('refuses to start without a profile, naming the option', async () => {
    const app = Fastify({ logger: false });
    apps.push(app);
    await expect(app.register(sesamePlugin, { prefix: '/auth' } as unknown as SesamePluginOptions)).rejects.toThrow(/the profile option is required: 'development' or 'production'/);
    const other = Fastify({ logger: false });
    apps.push(other);
    await expect(other.register(sesamePlugin, { profile: 'staging' } as unknown as SesamePluginOptions)).rejects.toThrow(/profile option is required.*"staging"/);
  });

  it('refuses a profile that contradicts the given instance or SESAME_PROFILE in the settings', async () => {
    const dir = makeTempDir('plugin-options');
    dirs.push(dir);
    const sesame = await createSesame(loadConfig({ DATABASE_URL: `sqlite:${join(dir.path, 'x.db')}`, LOG_LEVEL: 'silent' }), { sweeper: false });
    try {
      const app = Fastify({ logger: false });
      apps.push(app);
      await expect(app.register(sesamePlugin, { profile: 'production', sesame })).rejects.toThrow(/profile 'production' does not match the given instance's profile 'development'/);
    } finally {
      await sesame.close();
    }
    const app = Fastify({ logger: false });
    apps.push(app);
    await expect(app.register(sesamePlugin, { profile: 'development', settings: { SESAME_PROFILE: 'production' } })).rejects.toThrow(/SESAME_PROFILE 'production' contradicts/);
  });

  it("applies the production profile's refusals: no start without SECRET_KEY", async () => {
    await expect(host({ profile: 'production' })).rejects.toThrow(/SECRET_KEY/);
  });

  it("builds its own instance with the production profile's defaults, decorates the host, and prefixes its tables", async () => {
    const { app, file } = await host({
      profile: 'production',
      // Production refuses a bcrypt cost under 10. The scoring caps are not this test's subject (a busy machine hits them).
      settings: { SECRET_KEY: TEST_SECRET_KEY, PUBLIC_URL: 'https://app.example.com', RESET_WEBHOOK_URL: 'https://mailer.example.com/reset', BCRYPT_COST: '10', ...SLOW_MACHINE_SCORING },
    });
    expect(app.sesame.config.profile).toBe('production');
    expect(app.sesame.config.email.requireVerification).toBe(true);
    expect(app.sesame.config.password.policy.minLength).toBe(15);
    expect(app.sesame.rateLimits).toBeDefined();
    expect((await post(app, '/auth/users', { email: 'a@example.com', password: 'short-pw' })).statusCode).toBe(400);
    const password = 'quartz-lantern-orbit-meadow-7';
    expect((await post(app, '/auth/users', { email: 'a@example.com', password })).statusCode).toBe(200);
    // Production waits for the address to be proved; the verification message went to the outbox with the account.
    const unverified = await post(app, '/auth/sessions', { email: 'a@example.com', password });
    expect([unverified.statusCode, unverified.json()]).toEqual([403, { message: 'email not verified' }]);
    const [stored] = await app.sesame.storage.kysely.selectFrom('mail_outbox').select(['id', 'text_body']).execute();
    // Sealed at rest: the row holds no token a copy of the database would give away.
    expect(stored?.text_body).toMatch(/^sealed:v2:[0-9a-f]{8}:/);
    const verification = await app.sesame.mail.find(stored?.id ?? 0);
    expect(verification).toMatchObject({ kind: 'email_verify', channel: 'webhook' });
    const { token } = JSON.parse(verification?.text_body ?? '{}') as { token: string };
    expect(stored?.text_body).not.toContain(token);
    expect((await post(app, '/auth/email/verify', { token })).statusCode).toBe(200);
    const login = await post(app, '/auth/sessions', { email: 'a@example.com', password });
    const cookie = String(login.headers['set-cookie']);
    expect(cookie).toMatch(/^__Host-session_id=[^;]+;.*Secure/);
    const me = await app.inject({ method: 'GET', url: '/me', headers: { cookie: cookie.split(';')[0] ?? '' } });
    expect(me.json()).toEqual({ email: 'a@example.com' });
    const db = new SqliteDatabase(file, { readonly: true });
    try {
      const names = (db.prepare("select name from sqlite_master where type = 'table' and name <> 'sqlite_sequence'").all() as Array<{ name: string }>).map((row) => row.name);
      expect(names.length).toBeGreaterThan(3);
      expect(names.filter((name) => !name.startsWith('sesame_'))).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('runs rate limits and the sweeper by default, and neither when the host switches them off', async () => {
    const on = await host({ profile: 'development' });
    expect(on.app.sesame.rateLimits).toBeDefined();
    const off = await host({ profile: 'development', limits: false, sweeper: false });
    expect(off.app.sesame.rateLimits).toBeUndefined();
    // Ten wrong passwords trip the development account limit only where limits are on.
    for (const { app } of [on, off]) expect((await post(app, '/auth/users', { email: 'b@example.com', password: 'pw' })).statusCode).toBe(200);
    const statuses = async (app: FastifyInstance): Promise<number[]> => {
      const seen: number[] = [];
      for (let i = 0; i < 12; i += 1) seen.push((await post(app, '/auth/sessions', { email: 'b@example.com', password: 'wrong' })).statusCode);
      return seen;
    };
    expect(await statuses(on.app)).toContain(429);
    expect(await statuses(off.app)).not.toContain(429);
  });

  it('closes the instance it built when the host closes', async () => {
    const { app } = await host({ profile: 'development' });
    const sesame = app.sesame;
    await app.close();
    apps.splice(apps.indexOf(app), 1);
    await expect(sesame.db.findUserBy({ email: 'nobody@example.com' })).rejects.toThrow();
  });
});
