// Rate limits on a Redis that fails, a private redis-server the test starts on its own port (never the machine's
// shared one). A Redis that is stopped (refuses) or paused (accepts and never answers) makes each limited request count
// in this process's memory instead, answered in bounded time and still limited; once Redis answers again, counting
// returns to it without a restart. "Bounded" is checked against a hang, not timed: each login must answer within a
// generous bound (a stalled Redis without a command timeout never answers at all), and every wait for a reconnection or
// a log line polls until it happens, at most a minute.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isCi } from '../../support/engines.js';
import { send, uniqueEmail, uniqueIp, type Reply } from '../../support/http.js';
import { startService, type Service } from '../../support/in-process.js';
import { redisServerAvailability, startPrivateRedis, type PrivateRedis } from '../../support/private-redis.js';
import { waitUntil, within } from '../../support/ops-doubles.js';

/** At most this long for one login with Redis down: far above REDIS_COMMAND_TIMEOUT's few calls, far below a hang. */
const LOGIN_BOUND_MS = 30_000;

const describeRedis = redisServerAvailability.ok || isCi ? describe : describe.skip;

describeRedis('rate limits on a failing Redis', () => {
  let redis: PrivateRedis;
  let service: Service;
  beforeEach(async () => {
    if (!redisServerAvailability.ok) throw new Error(redisServerAvailability.reason);
    redis = await startPrivateRedis();
    service = await startService({ REDIS_URL: redis.url, RATE_LIMIT_ACCOUNT_MAX: '3', REDIS_COMMAND_TIMEOUT: '1s', LOG_LEVEL: 'warn' });
  });
  afterEach(async () => {
    redis.resume();
    await service.stop();
    await redis.stop();
  });

  /** A wrong-password login from `ip`; fails if it has no answer within {@link LOGIN_BOUND_MS} (a hang). */
  async function wrongLogin(email: string, ip: string): Promise<{ reply: Reply }> {
    const reply = await within(send(service.url, 'POST', '/sessions', { form: { email, password: 'wrong' }, headers: { 'x-forwarded-for': ip } }), 'a login', LOGIN_BOUND_MS);
    return { reply };
  }

  async function registered(): Promise<string> {
    const email = uniqueEmail('redis');
    expect((await send(service.url, 'POST', '/users', { form: { email, password: 'pw' } })).status).toBe(200);
    return email;
  }

  it('counts in Redis while it answers', async () => {
    const email = await registered();
    await redis.flush();
    expect((await wrongLogin(email, uniqueIp())).reply.status).toBe(401);
    expect(await redis.keyCount()).toBeGreaterThan(0);
  });

  it('a paused Redis (SIGSTOP): logins answer in bounded time, still limited in memory; after SIGCONT counting returns to Redis', { timeout: 180_000 }, async () => {
    const email = await registered();
    const ip = uniqueIp();
    redis.pause();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      // Each limiter call gives up on Redis after REDIS_COMMAND_TIMEOUT: a stall never becomes a hang.
      const { reply } = await wrongLogin(email, ip);
      statuses.push(reply.status);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    expect(service.logs()).not.toMatch(/"statusCode":5\d\d/);

    redis.resume();
    await redis.flush();
    const other = await registered();
    expect((await wrongLogin(other, uniqueIp())).reply.status).toBe(401);
    expect(await redis.keyCount()).toBeGreaterThan(0);
  });

  it('a stopped Redis (refusing): limited in memory at once; started again, counting returns to Redis', { timeout: 180_000 }, async () => {
    const email = await registered();
    const ip = uniqueIp();
    await redis.stop();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      const { reply } = await wrongLogin(email, ip);
      statuses.push(reply.status);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    // The client's reconnect attempts are refused, and each refusal is logged.
    await waitUntil(() => /redis unavailable: rate limits count in memory meanwhile/.test(service.logs()), 'the refusal to be logged');
    expect(service.logs()).toMatch(/redis unavailable: rate limits count in memory meanwhile/);

    await redis.start();
    const other = await registered();
    // The client reconnects with back-off: log in until a count lands in Redis (at most a minute), never a 500 meanwhile.
    await waitUntil(async () => {
      expect((await wrongLogin(other, uniqueIp())).reply.status).not.toBe(500);
      return (await redis.keyCount()) > 0;
    }, 'counting to return to Redis', 60_000, 100);
  });
});
