// Password scoring is fair (security review finding 5): zxcvbn runs on a bounded pool where each client may hold at
// most two checks, spends from a per-minute budget of scoring time, and a check past the time cap is stopped and
// refused; so a few clients sending costly passwords cannot make other people's registrations wait or fail.
// The scheduler's decisions are tested with a scorer the test finishes by hand and a clock it moves, never with real
// scoring times, so no verdict depends on how busy the machine is; the real threads are tested on their own below.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CHECKS_PER_CLIENT, PasswordTooCostlyError, StrengthEstimator } from '../../../src/modules/password/index.js';
import { ManualScorer } from '../../support/doubles.js';
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
    const scorer = new ManualScorer();
    service = await startService(POLICY, { strength: { scorer } });
    const hostile = uniqueIp();
    const settled: Reply[] = [];
    const attempts = Array.from({ length: 5 }, (_, i) =>
      register(hostile, `${COSTLY}${i}`).then((reply) => {
        settled.push(reply);
        return reply;
      }),
    );
    // Nothing is scored until the test says so: the client's first two checks hold its share, the other three are
    // refused without waiting.
    await vi.waitFor(() => expect(settled).toHaveLength(5 - CHECKS_PER_CLIENT), { timeout: 20_000, interval: 20 });
    for (const reply of settled) {
      expect(reply.status).toBe(429);
      expect(reply.headers['sesame-error']).toBe('password.check_busy');
      expect(Number(reply.headers['retry-after'])).toBeGreaterThan(0);
    }
    const other = register(uniqueIp(), 'the quiet librarian hums at noon');
    scorer.finishAll(4);
    const replies = await Promise.all(attempts);
    expect(replies.filter((r) => r.status === 200)).toHaveLength(CHECKS_PER_CLIENT);
    expect((await other).status).toBe(200);
    expect(scorer.started).toBe(CHECKS_PER_CLIENT + 1);
  });

  it('charges each client its scoring time: past PASSWORD_CHECK_CLIENT_BUDGET its passwords wait for the next minute, others do not', async () => {
    const scorer = new ManualScorer();
    let now = 1_000_000;
    service = await startService({ ...POLICY, PASSWORD_CHECK_CLIENT_BUDGET: '1s' }, { strength: { scorer, now: () => now } });
    const spender = uniqueIp();
    const first = register(spender, 'the quiet librarian hums at noon');
    await vi.waitFor(() => expect(scorer.started).toBe(1), { timeout: 20_000, interval: 20 });
    // The check "takes" exactly the budget: the client has spent its minute's scoring time.
    now += 1000;
    scorer.finishAll(4);
    expect((await first).status).toBe(200);
    now += 15_000;
    const over = await register(spender, 'a second quiet librarian at dusk');
    expect([over.status, over.headers['sesame-error'], over.headers['retry-after']]).toEqual([429, 'password.check_busy', '44']);
    expect((await register(uniqueIp(), 'a third quiet librarian at dawn')).status).toBe(200);
    // A minute after the window opened, the client's budget is whole again.
    now += 44_000;
    expect((await register(spender, 'a fourth quiet librarian at night')).status).toBe(200);
    expect(scorer.started).toBe(3);
  });

  it('refuses a password whose scoring runs past PASSWORD_CHECK_TIMEOUT with 400 password.too_costly, creating nothing', async () => {
    // The scorer never finishes on its own: only the time cap can end the check, however fast or slow the machine is.
    service = await startService({ ...POLICY, PASSWORD_CHECK_TIMEOUT: '1ms' }, { strength: { scorer: new ManualScorer() } });
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
  it('runs the time cap from when scoring begins, not while a thread starts and loads its dictionaries', async () => {
    // A cold thread takes half a second of CPU to start, far more on a busy machine: the first registration after a
    // start or an idle spell was refused as too costly when that counted against PASSWORD_CHECK_TIMEOUT.
    const scorer = new ManualScorer({ startByHand: true });
    const estimator = new StrengthEstimator({ threads: 1, timeoutMs: 50, scorer });
    try {
      const scored = estimator.score('the quiet librarian hums at noon', []);
      await vi.waitFor(() => expect(scorer.started).toBe(1), { timeout: 20_000, interval: 5 });
      // Twice the cap passes while the "thread" is still starting: a cap armed at hand-over has fired by now.
      await new Promise((wake) => setTimeout(wake, 100));
      scorer.begin();
      scorer.finishAll(4);
      expect(await scored).toBe(4);
    } finally {
      await estimator.close();
    }
  });

  it('still stops a check whose scoring itself runs past the cap, once it has begun', async () => {
    const scorer = new ManualScorer({ startByHand: true });
    const estimator = new StrengthEstimator({ threads: 1, timeoutMs: 1, scorer });
    try {
      const scored = estimator.score(COSTLY, []);
      await vi.waitFor(() => expect(scorer.started).toBe(1), { timeout: 20_000, interval: 5 });
      scorer.begin();
      await expect(scored).rejects.toBeInstanceOf(PasswordTooCostlyError);
    } finally {
      await estimator.close();
    }
  });

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
