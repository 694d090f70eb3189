/**
 * `PASSWORD_BREACH_FILTER` in the password policy, over real HTTP on both engines: a password in the operator's
 * breach filter is refused with `password.breached` (400, the advice saying "known data breaches", never which list)
 * on registration, on PUT /password and on reset, in its NFKC form too but not in another case; and a file that is
 * not a filter (or is truncated) is a settings problem that stops the service from starting.
 * @module
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { buildBreachFilter } from '../../../src/modules/password/index.js';
import { createPostgresSchema, describeEngines } from '../../support/engines.js';
import { send, uniqueEmail, type Reply } from '../../support/http.js';
import { startService, type Service } from '../../support/in-process.js';
import { makeTempDir, type TempDir } from '../../support/temp.js';

/** In the breach filter (as HIBP would list it: SHA-1 of the UTF-8 bytes). */
const BREACHED = 'Tr0ub4dor&3 horse';
/** In the filter in its NFKC form only: the registration sends the compatibility (full-width) form. */
const BREACHED_NFKC = 'battery staple 2024';
const FULLWIDTH = 'battery staple ２０２４';
const GOOD = 'the quiet librarian hums at noon';

let dir: TempDir;
let filterPath: string;

beforeAll(async () => {
  dir = makeTempDir('breach-policy');
  const lines = [BREACHED, BREACHED_NFKC].map((password) => `${createHash('sha1').update(password, 'utf8').digest('hex').toUpperCase()}:7`).join('\n');
  const { filter } = await buildBreachFilter(async function* source() {
    yield Buffer.from(lines);
  });
  filterPath = join(dir.path, 'breached.bin');
  writeFileSync(filterPath, filter.serialize());
});
afterAll(() => dir.remove());

/** Checks a reply is the breach refusal: 400, the code in `Sesame-Error`, the advice naming no list. */
function expectBreached(reply: Reply): void {
  expect(reply.status, reply.text).toBe(400);
  expect(reply.headers['sesame-error']).toBe('password.breached');
  expect(reply.message).toMatch(/^password appears in known data breaches/);
  expect(reply.message).not.toMatch(/pwned|hibp|list|corpus/i);
}

describeEngines('PASSWORD_BREACH_FILTER', (engine) => {
  let service: Service;
  let dropSchema: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    const database = engine.name === 'postgres' ? await createPostgresSchema('breach') : undefined;
    dropSchema = database?.drop;
    service = await startService({
      PASSWORD_MIN_LENGTH: '8',
      PASSWORD_BREACH_FILTER: filterPath,
      RESET_TOKEN_DELIVERY: 'response',
      RATE_LIMIT_IP_MAX: '10000',
      ...(database === undefined ? {} : { DATABASE_URL: database.url }),
    });
  });
  afterAll(async () => {
    await service.stop();
    await dropSchema?.();
  });

  it('refuses a breached password on registration, as received and in NFKC form, and creates nothing', async () => {
    const email = uniqueEmail('breach');
    expectBreached(await send(service.url, 'POST', '/users', { form: { email, password: BREACHED } }));
    expectBreached(await send(service.url, 'POST', '/users', { form: { email, password: FULLWIDTH } }));
    expect((await send(service.url, 'POST', '/sessions', { form: { email, password: BREACHED } })).status).toBe(401);
    // No case folding: the corpus is exact, so another case of it is another password.
    expect((await send(service.url, 'POST', '/users', { form: { email, password: BREACHED.toUpperCase() } })).status).toBe(200);
  });

  it('refuses a breached new password on PUT /password and keeps the old one', async () => {
    const email = uniqueEmail('breach-change');
    expect((await send(service.url, 'POST', '/users', { form: { email, password: GOOD } })).status).toBe(200);
    const login = await send(service.url, 'POST', '/sessions', { form: { email, password: GOOD } });
    const sessionId = login.sessionId ?? '';
    expectBreached(await send(service.url, 'PUT', '/password', { form: { password: GOOD, new_password: BREACHED }, sessionId }));
    expect((await send(service.url, 'POST', '/sessions', { form: { email, password: BREACHED } })).status).toBe(401);
    expect((await send(service.url, 'POST', '/sessions', { form: { email, password: GOOD } })).status).toBe(200);
  });

  it('refuses a breached new password on reset without spending the token', async () => {
    const email = uniqueEmail('breach-reset');
    expect((await send(service.url, 'POST', '/users', { form: { email, password: GOOD } })).status).toBe(200);
    const issued = await send(service.url, 'POST', '/reset_password', { form: { email } });
    const token = String((issued.json as Record<string, unknown>)['reset_token']);
    expectBreached(await send(service.url, 'PUT', '/reset_password', { form: { email, reset_token: token, new_password: FULLWIDTH } }));
    const reset = await send(service.url, 'PUT', '/reset_password', { form: { email, reset_token: token, new_password: 'a fresh passphrase of words' } });
    expect(reset.status, reset.text).toBe(200);
  });
});

it('a PASSWORD_BREACH_FILTER that is missing, not a filter or truncated is a settings problem, naming the setting', async () => {
  const bogus = join(dir.path, 'not-a-filter.txt');
  writeFileSync(bogus, 'hunter2\n');
  expect(() => loadConfig({ PASSWORD_BREACH_FILTER: bogus })).toThrow(/PASSWORD_BREACH_FILTER: .*not-a-filter\.txt: not a Sesame breach filter/);
  expect(() => loadConfig({ PASSWORD_BREACH_FILTER: join(dir.path, 'missing.bin') })).toThrow(/PASSWORD_BREACH_FILTER: cannot read .*missing\.bin/);
  const truncated = join(dir.path, 'truncated.bin');
  writeFileSync(truncated, readFileSync(filterPath).subarray(0, 40));
  expect(() => loadConfig({ PASSWORD_BREACH_FILTER: truncated })).toThrow(/truncated or corrupt/);
  expect(() => loadConfig({ PASSWORD_BREACH_FILTER: filterPath })).not.toThrow();
  // The service refuses to start on it too.
  await expect(startService({ PASSWORD_BREACH_FILTER: bogus })).rejects.toThrow(/not a Sesame breach filter/);
});
