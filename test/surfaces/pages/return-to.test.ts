/**
 * Where the sign-in page may send a person: the open-redirect forms the issue lists are refused as values, and over
 * HTTP a sign-in that carries one lands on the account page instead, at the root and under a mount prefix.
 * @module
 */
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sesamePlugin } from '../../../src/index.js';
import { safeReturnTo } from '../../../src/surfaces/pages/return-to.js';
import { CookieJar, uniqueEmail, type Reply } from '../../support/http.js';
import { startService, type Service } from '../../support/in-process.js';
import { SLOW_MACHINE_DATABASE, SLOW_MACHINE_SCORING } from '../../support/settings.js';
import { makeTempDir, type TempDir } from '../../support/temp.js';

const TRUSTED = 'https://trusted.example';

/** Every form of "somewhere else" the issue names, and a few more that parse surprisingly. */
const HOSTILE: readonly string[] = [
  '//evil.example',
  '/\\evil.example',
  'https:evil.example',
  '%2F%2Fevil.example',
  'https://trusted.example@evil.example',
  'https://trusted.example:8443/',
  'https://trusted.example.evil.example/',
  'http://trusted.example/',
  'javascript:alert(1)',
  '/\t/evil.example',
  ' //evil.example',
  '///evil.example',
  'https://evil.example/',
  'https://user:pass@trusted.example/',
];

describe('safeReturnTo', () => {
  it('keeps same-origin paths and URLs on a listed origin', () => {
    expect(safeReturnTo('/app/inbox?tab=2#top', [TRUSTED])).toBe('/app/inbox?tab=2#top');
    expect(safeReturnTo('/', [])).toBe('/');
    expect(safeReturnTo('https://trusted.example/after?x=1', [TRUSTED])).toBe('https://trusted.example/after?x=1');
    expect(safeReturnTo('https://TRUSTED.example/', [TRUSTED])).toBe('https://trusted.example/');
    expect(safeReturnTo('https://trusted.example', [TRUSTED])).toBe('https://trusted.example/');
  });

  it.each(HOSTILE)('refuses %s', (value) => {
    expect(safeReturnTo(value, [TRUSTED])).toBeUndefined();
  });

  it('refuses nothing, an empty value, a relative path and an overlong one; 2,048 characters still pass', () => {
    expect(safeReturnTo(undefined, [TRUSTED])).toBeUndefined();
    expect(safeReturnTo('', [TRUSTED])).toBeUndefined();
    expect(safeReturnTo('app/home', [TRUSTED])).toBeUndefined();
    expect(safeReturnTo(`/${'a'.repeat(2047)}`, [TRUSTED])).toBe(`/${'a'.repeat(2047)}`);
    expect(safeReturnTo(`/${'a'.repeat(2048)}`, [TRUSTED])).toBeUndefined();
  });

  it('refuses control characters, spaces, DEL and backslashes anywhere, which browsers strip or turn into slashes', () => {
    for (const value of ['/a b', '/a\\b', '/a\u007f', '/a\u001f', '/a\u0000', '/a\tb', '/a\nb']) expect(safeReturnTo(value, [TRUSTED]), JSON.stringify(value)).toBeUndefined();
    expect(safeReturnTo('/a!b', [TRUSTED])).toBe('/a!b');
  });

  it('refuses a user name or a password even on a listed origin, and any origin not listed exactly', () => {
    expect(safeReturnTo('https://user@trusted.example/', [TRUSTED])).toBeUndefined();
    expect(safeReturnTo('https://:pass@trusted.example/', [TRUSTED])).toBeUndefined();
    expect(safeReturnTo('http://trusted.example/', ['http://trusted.example'])).toBe('http://trusted.example/');
    expect(safeReturnTo('javascript://trusted.example/%0aalert(1)', [TRUSTED])).toBeUndefined();
    expect(safeReturnTo('https://trusted.example.', [TRUSTED])).toBeUndefined();
  });
});

/** Signs up and signs in through the pages of `base` (the pages' directory URL) with `returnTo`; the sign-in's reply. */
async function signInThroughPages(base: string, returnTo: string): Promise<Reply> {
  const jar = new CookieJar(base);
  const email = uniqueEmail('return');
  const password = 'correct horse battery staple';
  const signup = await jar.send('GET', 'signup');
  expect(signup.status).toBe(200);
  const created = await jar.send('POST', 'signup', { form: { email, password, form_token: formToken(signup) } });
  expect(created.status).toBe(200);
  const login = await jar.send('GET', `login?return_to=${encodeURIComponent(returnTo)}`);
  return jar.send('POST', 'login', { form: { email, password, return_to: returnTo, form_token: formToken(login) } });
}

/** The form token of a page. */
function formToken(page: Reply): string {
  return /name="form_token" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
}

describe('return_to over HTTP', () => {
  let service: Service;
  beforeAll(async () => {
    service = await startService({ TRUSTED_ORIGINS: TRUSTED });
  });
  afterAll(async () => {
    await service.stop();
  });

  it('follows a same-origin path and a listed origin', async () => {
    expect((await signInThroughPages(`${service.url}/account/`, '/app/home')).headers.location).toBe('/app/home');
    expect((await signInThroughPages(`${service.url}/account/`, 'https://trusted.example/x')).headers.location).toBe('https://trusted.example/x');
  });

  it.each(HOSTILE)('lands on the account page instead of %s', async (value) => {
    const reply = await signInThroughPages(`${service.url}/account/`, value);
    expect(reply.status).toBe(303);
    expect(reply.headers.location).toBe('./');
  });

  it('lets the sign-in form redirect to the listed origins (form-action), and nowhere else', async () => {
    const page = await new CookieJar(`${service.url}/account/`).send('GET', 'login');
    expect(page.headers['content-security-policy']).toContain(`form-action 'self' ${TRUSTED};`);
  });
});

describe('return_to under a mount prefix', () => {
  const app = Fastify({ logger: false });
  let dir: TempDir;
  let base = '';
  beforeAll(async () => {
    dir = makeTempDir('return-to-prefix');
    await app.register(sesamePlugin, {
      prefix: '/auth',
      profile: 'development',
      settings: {
        ...SLOW_MACHINE_DATABASE,
        ...SLOW_MACHINE_SCORING,
        DATABASE_URL: `sqlite:${dir.path}/sesame.db`,
        MAIL_OUTBOX_DIR: `${dir.path}/outbox`,
        BCRYPT_COST: '4',
        LOG_LEVEL: 'silent',
        TRUSTED_ORIGINS: TRUSTED,
      },
    });
    base = `${await app.listen({ port: 0, host: '127.0.0.1' })}/auth/account/`;
  });
  afterAll(async () => {
    await app.close();
    dir.remove();
  });

  it.each(HOSTILE)('lands on the prefixed account page instead of %s', async (value) => {
    const reply = await signInThroughPages(base, value);
    expect(reply.status).toBe(303);
    expect(new URL(reply.headers.location ?? '', `${base}login`).pathname).toBe('/auth/account/');
  });
});
