// Rate limits on a Redis that fails, a private redis-server the test starts on its own port (never the machine's
// shared one). A Redis that is stopped (refuses) or paused (accepts and never answers) makes each limited request count
// in this process's memory instead, answered in bounded time and still limited; once Redis answers again, counting
// returns to it without a restart.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isCi } from '../../support/engines.js';
import { send, uniqueEmail, uniqueIp, type Reply } from '../../support/http.js';
import { startService, type Service } from '../../support/in-process.js';
import { redisServerAvailability, startPrivateRedis, type PrivateRedis } from '../../support/private-redis.js';

const describeRedis = redisServerAvailability.ok || isCi ? describe : describe.skip;

describeRedis('rate limits on a failing Redis', () => {
  let redis: PrivateRedis;
  let service: Service;
  beforeEach(async () => {
    if (!redisServerAvailability.ok) throw new Error(redisServerAvailability.reason);
    redis = await startPrivateRedis();
    service = await startService({ REDIS_URL: redis.url, RATE_LIMIT_ACCOUNT_MAX: '3', REDIS_COMMAND_TIMEOUT: '200ms', LOG_LEVEL: 'warn' });
  });
  afterEach(async () => {
    redis.resume();
    await service.stop();
    await redis.stop();
  });

  /** A wrong-password login from `ip`, with how long it took. */
  async function wrongLogin(email: string, ip: string): Promise<{ reply: Reply; ms: number }> {
    const started = Date.now();
    const reply = await send(service.url, 'POST', '/sessions', { form: { email, password: 'wrong' }, headers: { 'x-forwarded-for': ip } });
    return { reply, ms: Date.now() - started };
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

  it('a paused Redis (SIGSTOP): logins answer in bounded time, still limited in memory; after SIGCONT counting returns to Redis', async () => {
    const email = await registered();
    const ip = uniqueIp();
    redis.pause();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      const { reply, ms } = await wrongLogin(email, ip);
      statuses.push(reply.status);
      // Each limiter call gives up on Redis after REDIS_COMMAND_TIMEOUT: a stall never becomes a hang.
      expect(ms).toBeLessThan(2000);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    expect(service.logs()).not.toMatch(/"statusCode":5\d\d/);

    redis.resume();
    await redis.flush();
    const other = await registered();
    expect((await wrongLogin(other, uniqueIp())).reply.status).toBe(401);
    expect(await redis.keyCount()).toBeGreaterThan(0);
  });

  it('a stopped Redis (refusing): limited in memory at once; started again, counting returns to Redis', async () => {
    const email = await registered();
    const ip = uniqueIp();
    await redis.stop();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      const { reply, ms } = await wrongLogin(email, ip);
      statuses.push(reply.status);
      expect(ms).toBeLessThan(1000);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    // The client's reconnect attempts are refused, and each refusal is logged.
    for (let attempt = 0; attempt < 40 && !/redis unavailable: rate limits count in memory meanwhile/.test(service.logs()); attempt += 1) {
      await new Promise((wake) => setTimeout(wake, 50));
    }
    expect(service.logs()).toMatch(/redis unavailable: rate limits count in memory meanwhile/);

    await redis.start();
    const other = await registered();
    let counted = false;
    // The client reconnects with back-off; give it a few seconds.
    for (let attempt = 0; attempt < 40 && !counted; attempt += 1) {
      expect((await wrongLogin(other, uniqueIp())).reply.status).not.toBe(500);
      counted = (await redis.keyCount()) > 0;
      if (!counted) await new Promise((wake) => setTimeout(wake, 100));
    }
    expect(counted).toBe(true);
  });
});
