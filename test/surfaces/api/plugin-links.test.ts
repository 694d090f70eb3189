/**
 * Mailed links under a mount prefix: README's own plugin example mounts Sesame under `/auth` with `PUBLIC_URL` naming
 * the application's origin, so the verification and reset links must point to `/auth/account/...`, or nobody can
 * finish signing up. A host Fastify app with the plugin under `/auth`, a real SMTP receiver, and each mailed link
 * followed over real HTTP to the end of its flow; `PUBLIC_URL` with the prefix already in it is taken as it is, and
 * one whose path is anything else is refused at start-up.
 * @module
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFetchHandler } from '../../../src/fetch.js';
import { createSesame, loadConfig, sesamePlugin } from '../../../src/server.js';
import { CookieJar, uniqueEmail, type Reply } from '../../support/http.js';
// Deterministic (issue 23): each mailed message is waited for at the receiver, with a busy machine's bound.
import { mailTo } from '../../support/mail-doubles.js';
import { type ReceivedMail, type SmtpReceiver, startSmtpReceiver } from '../../support/smtp.js';
import { SLOW_MACHINE_DATABASE, SLOW_MACHINE_SCORING } from '../../support/settings.js';
import { makeTempDir, type TempDir } from '../../support/temp.js';

const PASSWORD = 'a fine long password';

/** The first `http(s)://...?token=...` link of a message. */
function linkOf(mail: ReceivedMail): string {
  const link = /https?:\/\/\S+\?token=[A-Za-z0-9_%-]+/.exec(mail.text)?.[0];
  if (link === undefined) throw new Error(`no link in ${mail.text}`);
  return link;
}

/** The value of the hidden form token in a page. */
function formTokenOf(page: Reply): string {
  const match = /<input type="hidden" name="form_token" value="([^"]+)">/.exec(page.text);
  if (match?.[1] === undefined) throw new Error(`no form token in ${page.text}`);
  return match[1];
}

/** The hidden fields of a page's form, by name. */
function hiddenFieldsOf(page: Reply): Record<string, string> {
  return Object.fromEntries([...page.text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1] ?? '', m[2] ?? '']));
}

/** The heading of a page. */
function headingOf(page: Reply): string {
  return /<h1>([^<]*)<\/h1>/.exec(page.text)?.[1] ?? '';
}

/** A node:http server already listening on a loopback port, so PUBLIC_URL can name its real address before the host is built. */
async function listening(): Promise<{ server: Server; url: string }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('mailed links under the mount prefix (README: plugin under /auth, PUBLIC_URL the application\'s origin)', () => {
  let smtp: SmtpReceiver;
  let dir: TempDir;
  let app: FastifyInstance;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    dir = makeTempDir('plugin-links');
    ({ server, url } = await listening());
    app = Fastify({
      logger: false,
      serverFactory: (handler) => {
        server.on('request', handler);
        return server;
      },
    });
    await app.register(sesamePlugin, {
      prefix: '/auth',
      profile: 'development',
      settings: {
        DATABASE_URL: `sqlite:${join(dir.path, 'host.db')}`,
        BCRYPT_COST: '4',
        LOG_LEVEL: 'silent',
        ...SLOW_MACHINE_SCORING,
        ...SLOW_MACHINE_DATABASE,
        PUBLIC_URL: url,
        SMTP_URL: smtp.url,
        MAIL_FROM: 'Sesame <auth@example.com>',
        REQUIRE_EMAIL_VERIFICATION: 'true',
        RESET_TOKEN_DELIVERY: 'email',
      },
    });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await new Promise<void>((resolve) => (server?.listening === true ? server.close(() => resolve()) : resolve()));
    await smtp?.stop();
    dir?.remove();
  });

  it('mails a verification link to /auth/account/verify, whose page verifies the address and lets the owner log in', async () => {
    const email = uniqueEmail('mounted');
    const jar = new CookieJar(url);
    expect((await jar.send('POST', '/auth/users', { form: { email, password: PASSWORD } })).status).toBe(200);
    expect((await jar.send('POST', '/auth/sessions', { form: { email, password: PASSWORD } })).status).toBe(403);
    const link = linkOf(await mailTo(smtp, email, 'account/verify?token='));
    expect(link.startsWith(`${url}/auth/account/verify?token=`), link).toBe(true);

    const page = await jar.send('GET', link.slice(url.length));
    expect(page.status).toBe(200);
    const confirmed = await jar.send('POST', '/auth/account/verify', { form: { ...hiddenFieldsOf(page), form_token: formTokenOf(page) } });
    expect([confirmed.status, headingOf(confirmed)]).toEqual([200, expect.stringMatching(/verified/i)]);
    expect((await jar.send('POST', '/auth/sessions', { form: { email, password: PASSWORD } })).status).toBe(200);
  });

  it('mails a reset link to /auth/account/reset, whose page sets the new password', async () => {
    const email = uniqueEmail('mounted-reset');
    const jar = new CookieJar(url);
    expect((await jar.send('POST', '/auth/users', { form: { email, password: PASSWORD } })).status).toBe(200);
    expect((await jar.send('POST', '/auth/reset_password', { form: { email } })).status).toBe(200);
    const link = linkOf(await mailTo(smtp, email, 'account/reset?token='));
    expect(link.startsWith(`${url}/auth/account/reset?token=`), link).toBe(true);
    const page = await jar.send('GET', link.slice(url.length));
    expect(page.status).toBe(200);
    const done = await jar.send('POST', '/auth/account/reset', { form: { ...hiddenFieldsOf(page), email, new_password: 'another fine password', form_token: formTokenOf(page) } });
    expect([done.status, headingOf(done)]).toEqual([200, 'Your password was changed']);
  });
});

describe("PUBLIC_URL's path and the mount prefix", () => {
  const dirs: TempDir[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) dir.remove();
  });

  /** Settings over a fresh SQLite file. */
  function settings(publicUrl: string): Record<string, string> {
    const dir = makeTempDir('link-base');
    dirs.push(dir);
    return { DATABASE_URL: `sqlite:${join(dir.path, 'host.db')}`, BCRYPT_COST: '4', LOG_LEVEL: 'silent', PUBLIC_URL: publicUrl };
  }

  it('takes a PUBLIC_URL whose path is the prefix as it is, and appends the prefix to one without a path', async () => {
    for (const [publicUrl, expected] of [
      ['https://app.example.com', 'https://app.example.com/auth'],
      ['https://app.example.com/', 'https://app.example.com/auth'],
      ['https://app.example.com/auth', 'https://app.example.com/auth'],
      ['https://app.example.com/auth/', 'https://app.example.com/auth'],
    ] as const) {
      const app = Fastify({ logger: false });
      await app.register(sesamePlugin, { prefix: '/auth', profile: 'development', settings: settings(publicUrl) });
      await app.ready();
      expect(app.sesame.linkBase, publicUrl).toBe(expected);
      await app.close();
    }
    const handler = await createFetchHandler({ prefix: '/auth/', profile: 'development', settings: settings('https://app.example.com') });
    expect(handler.sesame.linkBase).toBe('https://app.example.com/auth');
    await handler.close();
  });

  it('refuses at start-up a PUBLIC_URL whose path is neither empty nor the prefix, saying what to set', async () => {
    for (const publicUrl of ['https://app.example.com/other', 'https://app.example.com/auth/x', 'https://app.example.com/AUTH']) {
      const app = Fastify({ logger: false });
      await expect(app.register(sesamePlugin, { prefix: '/auth', profile: 'development', settings: settings(publicUrl) }).ready()).rejects.toThrow(
        /PUBLIC_URL .* is mounted at \/auth: set PUBLIC_URL to https:\/\/app\.example\.com \(the prefix is appended\) or https:\/\/app\.example\.com\/auth/,
      );
      await app.close().catch(() => undefined);
    }
  });

  it('refuses a handed-in instance whose links would miss the prefix, and takes one built for it', async () => {
    const config = loadConfig(settings('https://app.example.com'));
    const unaware = await createSesame(config, { sweeper: false });
    const refused = Fastify({ logger: false });
    await expect(refused.register(sesamePlugin, { prefix: '/auth', profile: 'development', sesame: unaware }).ready()).rejects.toThrow(/mountPrefix: '\/auth'/);
    await refused.close().catch(() => undefined);
    await unaware.close();

    const aware = await createSesame(config, { sweeper: false, mountPrefix: '/auth' });
    expect(aware.linkBase).toBe('https://app.example.com/auth');
    const accepted = Fastify({ logger: false });
    await accepted.register(sesamePlugin, { prefix: '/auth', profile: 'development', sesame: aware });
    await accepted.ready();
    await accepted.close();
    await aware.close();
  });

  it('keeps the standalone default without PUBLIC_URL (a host that mails links must set it)', async () => {
    const rest = settings('https://unused.example');
    delete rest['PUBLIC_URL'];
    const app = Fastify({ logger: false });
    await app.register(sesamePlugin, { prefix: '/auth', profile: 'development', settings: rest });
    await app.ready();
    expect(app.sesame.linkBase).toBe('http://127.0.0.1:5000');
    await app.close();
  });
});
