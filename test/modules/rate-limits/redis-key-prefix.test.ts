/**
 * REDIS_KEY_PREFIX against the machine's Redis: every key Sesame writes (the per-IP and per-account counters, the
 * lock-out memory) lands under the configured prefix, none outside it, and without the setting the keys stay where
 * they have always been. Each test has its own prefix and deletes only the keys a SCAN of it finds.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { accountKey } from '../../../src/modules/rate-limits/index.js';
import { send, uniqueIp } from '../../support/http.js';
import { startService } from '../../support/in-process.js';
import { redisAvailability, redisUrl } from '../../support/redis.js';

/** Every key under a prefix, by SCAN (never KEYS, never FLUSH: the Redis is shared). */
async function keysUnder(redis: Redis, prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    found.push(...keys);
  } while (cursor !== '0');
  return found.sort();
}

describe('REDIS_KEY_PREFIX setting', () => {
  it('defaults to none, keeping the keys counters have always had, and refuses spaces', () => {
    expect(loadConfig({}).rateLimits.redisKeyPrefix).toBe('');
    expect(loadConfig({ REDIS_KEY_PREFIX: 'sesame:' }).rateLimits.redisKeyPrefix).toBe('sesame:');
    expect(() => loadConfig({ REDIS_KEY_PREFIX: 'has space' })).toThrow(/REDIS_KEY_PREFIX/);
    expect(() => loadConfig({ REDIS_KEY_PREFIX: 'x'.repeat(65) })).toThrow(/REDIS_KEY_PREFIX/);
  });
});

describe.skipIf(!redisAvailability.ok)('Redis keys under REDIS_KEY_PREFIX', () => {
  let redis: Redis;
  let prefix: string;
  beforeEach(() => {
    redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    prefix = `sesame-test-${randomUUID()}:`;
  });
  afterEach(async () => {
    const keys = await keysUnder(redis, prefix);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('puts every counter and the lock-out memory under the prefix, and nothing outside it', async () => {
    const service = await startService({ TRUST_PROXY: 'true', RATE_LIMIT_STORE: 'redis', REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix, RATE_LIMIT_ACCOUNT_MAX: '2' });
    const ip = uniqueIp();
    const email = `prefix-${randomUUID().slice(0, 8)}@sec.example`;
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i += 1) {
        statuses.push((await send(service.url, 'POST', '/sessions', { form: { email, password: `guess ${i}` }, headers: { 'x-forwarded-for': ip } })).status);
      }
      expect(statuses).toEqual([401, 401, 429]);
    } finally {
      await service.stop();
    }
    const keys = await keysUnder(redis, prefix);
    expect(keys).toContain(`${prefix}ip:login:${ip}`);
    expect(keys.some((key) => key.startsWith(`${prefix}acip:`) && key.includes(accountKey(email)))).toBe(true);
    expect(keys.some((key) => key.startsWith(`${prefix}acct:`) && key.includes(accountKey(email)))).toBe(true);
    expect(keys.some((key) => key.startsWith(`${prefix}lock:`))).toBe(true);
    // Nothing written where the unprefixed keys would be.
    for (const key of keys) expect(await redis.exists(key.slice(prefix.length))).toBe(0);
  });

  it('two prefixes on one Redis count apart', async () => {
    const other = `${prefix}other:`;
    const ip = uniqueIp();
    const env = { TRUST_PROXY: 'true', RATE_LIMIT_STORE: 'redis', REDIS_URL: redisUrl, RATE_LIMIT_IP_MAX: '1' };
    const a = await startService({ ...env, REDIS_KEY_PREFIX: `${prefix}a:` });
    const b = await startService({ ...env, REDIS_KEY_PREFIX: other });
    try {
      const reset = (url: string): Promise<number> =>
        send(url, 'POST', '/reset_password', { form: { email: 'nobody@sec.example' }, headers: { 'x-forwarded-for': ip } }).then((r) => r.status);
      expect(await reset(a.url)).toBe(403);
      expect(await reset(a.url)).toBe(429);
      // The other deployment has its own counter for the same client.
      expect(await reset(b.url)).toBe(403);
    } finally {
      await a.stop();
      await b.stop();
    }
    expect(await keysUnder(redis, `${prefix}a:`)).toContain(`${prefix}a:ip:reset-request:${ip}`);
    expect(await keysUnder(redis, other)).toContain(`${other}ip:reset-request:${ip}`);
  });
});
