/**
 * No account enumeration by timing, checked at the HTTP level by counting bcrypt work (not with a stopwatch): the
 * standalone app is built with a real bcrypt hasher that records each comparison, and every failed-login path
 * over real HTTP must do exactly one comparison against a hash of the same cost. (test/auth.test.ts checks the same
 * at the Auth level; this proves the routes add no shortcut in front of it.)
 * @module
 */
import type { AddressInfo } from 'node:net';
import bcrypt from 'bcrypt';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { Auth } from '../../src/auth/auth.js';
import { BcryptHasher, type PasswordHasher } from '../../src/auth/password-hasher.js';
import { loadConfig } from '../../src/config/config.js';
import { DB } from '../../src/db/db.js';
import { openStorage, type Storage } from '../../src/db/storage.js';
import { RateLimits } from '../../src/limits/rate-limits.js';
import { send } from './support/http.js';
import { makeTempDir, type TempDir } from './support/service.js';

const COST = 6;

/** The real bcrypt hasher, recording which stored hash each comparison was made against. */
class CountingHasher implements PasswordHasher {
  readonly #inner = new BcryptHasher(COST);
  readonly compared: string[] = [];

  /** Hashes with real bcrypt. */
  hash(password: string): Promise<string> {
    return this.#inner.hash(password);
  }

  /** Records the hash, then compares with real bcrypt. */
  verify(password: string, hash: string): Promise<boolean> {
    this.compared.push(hash);
    return this.#inner.verify(password, hash);
  }

  /** Delegates. */
  needsRehash(hash: string): boolean {
    return this.#inner.needsRehash(hash);
  }
}

describe('login work is the same for unknown and known emails', () => {
  const hasher = new CountingHasher();
  let dir: TempDir;
  let storage: Storage;
  let app: FastifyInstance;
  let url = '';

  beforeAll(async () => {
    dir = makeTempDir();
    const config = loadConfig({ DATABASE_URL: `sqlite:${dir.path}/sesame.db`, LOG_LEVEL: 'silent', RATE_LIMIT_ACCOUNT_MAX: '3' });
    storage = await openStorage(config.databaseUrl);
    const auth = new Auth(new DB(storage.kysely), { hasher });
    app = await buildApp({ auth, config, limits: new RateLimits({ kind: 'memory' }, config.rateLimit) });
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    expect((await send(url, 'POST', '/users', { form: { email: 'known@sec.example', password: 'right one' } })).status).toBe(200);
  });
  afterAll(async () => {
    await app.close();
    await storage.close();
    dir.remove();
  });
  beforeEach(() => {
    hasher.compared.length = 0;
  });

  /** Logs in and returns the status with the hashes compared on the way. */
  async function attempt(email: string, password: string): Promise<{ status: number; compared: string[] }> {
    hasher.compared.length = 0;
    const reply = await send(url, 'POST', '/sessions', { form: { email, password } });
    return { status: reply.status, compared: [...hasher.compared] };
  }

  it('does one comparison, at the configured cost, on every path, with the same reply for both failures', async () => {
    const unknown = await attempt('nobody@sec.example', 'guess');
    const wrong = await attempt('known@sec.example', 'guess');
    const right = await attempt('known@sec.example', 'right one');
    const otherUnknown = await attempt('NOBODY-ELSE@sec.example', 'guess');
    for (const [name, result] of Object.entries({ unknown, wrong, right, otherUnknown })) {
      expect(result.compared, name).toHaveLength(1);
      expect(bcrypt.getRounds(result.compared[0] ?? ''), name).toBe(COST);
    }
    expect([unknown.status, wrong.status, right.status, otherUnknown.status]).toEqual([401, 401, 200, 401]);
    // The unknown-email path compares against a dummy hash, not the known user's (which would leak nothing but
    // shows the path is really separate), and the same dummy every time.
    expect(unknown.compared[0]).not.toBe(wrong.compared[0]);
    expect(otherUnknown.compared[0]).toBe(unknown.compared[0]);
    const a = await send(url, 'POST', '/sessions', { form: { email: 'nobody@sec.example', password: 'guess' } });
    const b = await send(url, 'POST', '/sessions', { form: { email: 'known@sec.example', password: 'guess 2' } });
    expect(a.text).toBe(b.text);
  });

  it('does no bcrypt work for a request refused by validation or by the rate limit', async () => {
    expect((await attempt('not-an-email', 'guess')).compared).toEqual([]);
    for (let i = 0; i < 3; i += 1) await attempt('locked@sec.example', `guess ${i}`);
    const limited = await attempt('locked@sec.example', 'guess 4');
    expect(limited.status).toBe(429);
    expect(limited.compared).toEqual([]);
  });
});
