// Password scoring is fair (security review finding 5): zxcvbn runs on a bounded pool where each client may hold at
// most two checks, spends from a per-minute budget of scoring time, and a check past the time cap is stopped and
// refused; so a few clients sending costly passwords cannot make other people's registrations wait or fail.
import { afterEach, describe, expect, it } from 'vitest';
import { CHECKS_PER_CLIENT, PasswordTooCostlyError, StrengthEstimator } from '../../../src/modules/password/index.js';
import { send, uniqueEmail, uniqueIp, type Reply } from '../../support/http.js';
import { startService, type Service } from '../../support/in-process.js';

/** A 32-character l33t-speak password: the costliest kind measured (about 0.25 to 0.35 s of CPU here). */
const COSTLY = 'P@ssw0rdL0v3Dr4g0nM0nk3yS3cr3t!!';
/** The scoring policy of production, without the rest of its profile. */
const POLICY = { PASSWORD_MIN_LENGTH: '15', PASSWORD_CHECK_COMMON: 'true', PASSWORD_MIN_SCORE: '3', PASSWORD_CHECK_THREADS: '1', TRUST_PROXY: 'true' };

let service: Service | undefined;
afterEach(async () => {
  await service?.stop();
  service = undefined;
});

/** Registers a fresh account from a client address with a password. */
function register(client: string, password: string): Promise<Reply> {
  return send(service?.url ?? '', 'POST', '/users', { form: { email: uniqueEmail('score'), password }, headers: { 'x-forwarded-for': client } });
}

describe('a fair share of the scoring threads', () => {
  it(`lets one client hold at most ${CHECKS_PER_CLIENT} checks; the rest get 429 at once, and another client is still served`, async () => {
    service = await startService(POLICY);
    const hostile = uniqueIp();
    const attempts = Array.from({ length: 5 }, (_, i) => register(hostile, `${COSTLY}${i}`));
    const other = register(uniqueIp(), 'the quiet librarian hums at noon');
    const replies = await Promise.all(attempts);
    const refused = replies.filter((r) => r.status === 429);
    expect(refused).toHaveLength(5 - CHECKS_PER_CLIENT);
    for (const reply of refused) {
      expect(reply.headers['sesame-error']).toBe('password.check_busy');
      expect(Number(reply.headers['retry-after'])).toBeGreaterThan(0);
    }
    expect(replies.filter((r) => r.status === 200)).toHaveLength(CHECKS_PER_CLIENT);
    expect((await other).status).toBe(200);
  });

  it('charges each client its scoring time: past PASSWORD_CHECK_CLIENT_BUDGET its passwords wait for the next minute, others do not', async () => {
    service = await startService({ ...POLICY, PASSWORD_CHECK_CLIENT_BUDGET: '1ms' });
    const spender = uniqueIp();
    expect((await register(spender, 'the quiet librarian hums at noon')).status).toBe(200);
    const over = await register(spender, 'a second quiet librarian at dusk');
    expect(over.status).toBe(429);
    expect(over.headers['sesame-error']).toBe('password.check_busy');
    const wait = Number(over.headers['retry-after']);
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(60);
    expect((await register(uniqueIp(), 'a third quiet librarian at dawn')).status).toBe(200);
  });

  it('refuses a password whose scoring runs past PASSWORD_CHECK_TIMEOUT with 400 password.too_costly, creating nothing', async () => {
    service = await startService({ ...POLICY, PASSWORD_CHECK_TIMEOUT: '1ms' });
    const email = uniqueEmail('costly');
    const reply = await send(service.url, 'POST', '/users', { form: { email, password: COSTLY }, headers: { 'x-forwarded-for': uniqueIp() } });
    expect([reply.status, reply.headers['sesame-error'], reply.message]).toEqual([
      400,
      'password.too_costly',
      'this password takes too long to assess: choose a passphrase of several unrelated words',
    ]);
    expect((await send(service.url, 'POST', '/sessions', { form: { email, password: COSTLY } })).status).toBe(401);
  });
});

describe('StrengthEstimator', () => {
  it('stops a check past its time cap and stays usable for the next one', async () => {
    const capped = new StrengthEstimator({ threads: 1, timeoutMs: 1 });
    try {
      await expect(capped.score(COSTLY, [])).rejects.toBeInstanceOf(PasswordTooCostlyError);
      await expect(capped.score(COSTLY, [])).rejects.toBeInstanceOf(PasswordTooCostlyError);
    } finally {
      await capped.close();
    }
    const roomy = new StrengthEstimator({ threads: 1, timeoutMs: 30_000 });
    try {
      expect(await roomy.score('the quiet librarian hums at noon', [])).toBeGreaterThanOrEqual(3);
      expect(await roomy.score('password', [])).toBe(0);
    } finally {
      await roomy.close();
    }
  });
});
