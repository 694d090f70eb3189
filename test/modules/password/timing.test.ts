/**
 * No account enumeration by timing, checked at the HTTP level by counting bcrypt work (not with a stopwatch): the
 * standalone app is built with a real bcrypt hasher that records each comparison, and every failed-login path
 * over real HTTP must do exactly one comparison against a hash of the same cost. (test/auth.test.ts checks the same
 * at the Auth level; this proves the routes add no shortcut in front of it.)
 * @module
 */
import bcrypt from 'bcrypt';
import { BcryptHasher } from '../../../src/modules/password/index.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CountingHasher } from '../../support/doubles.js';
import { send } from '../../support/http.js';
import { buildSesame, startService, type Service } from '../../support/in-process.js';
import { recordStatements } from '../../support/statements.js';

const COST = 6;

describe('login work is the same for unknown and known emails', () => {
  const hasher = new CountingHasher(COST);
  let service: Service;
  let url = '';

  beforeAll(async () => {
    service = await startService({ RATE_LIMIT_ACCOUNT_MAX: '3' }, { hasher });
    url = service.url;
    expect((await send(url, 'POST', '/users', { form: { email: 'known@sec.example', password: 'right one' } })).status).toBe(200);
  });
  afterAll(() => service.stop());
  beforeEach(() => {
    hasher.reset();
  });

  /** Logs in and returns the status with the hashes compared on the way. */
  async function attempt(email: string, password: string): Promise<{ status: number; compared: string[] }> {
    hasher.reset();
    const reply = await send(url, 'POST', '/sessions', { form: { email, password } });
    return { status: reply.status, compared: [...hasher.verifyHashes] };
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

describe('after BCRYPT_COST was raised', () => {
  const hasher = new CountingHasher(COST);
  let service: Service;

  beforeAll(async () => {
    service = await startService({}, { hasher });
    // An account whose hash predates the raise: two cost steps weaker than the service's.
    await service.sesame.users.insert('old@sec.example', await new BcryptHasher(COST - 2).hash('right one'), Date.now());
  });
  afterAll(() => service.stop());

  /** The bcrypt rounds one login spends, from the cost of each hash it compared against. */
  async function rounds(email: string, password: string): Promise<{ status: number; costs: number[] }> {
    hasher.reset();
    const reply = await send(service.url, 'POST', '/sessions', { form: { email, password } });
    const costs = hasher.verifyHashes.map((hash) => bcrypt.getRounds(hash));
    return { status: reply.status, costs };
  }

  it('a wrong password on an old-cost account never costs less than an unknown email: it is padded with the dummy comparison', async () => {
    const unknown = await rounds('nobody-else@sec.example', 'guess');
    const old = await rounds('old@sec.example', 'guess');
    expect(unknown).toEqual({ status: 401, costs: [COST] });
    expect(old).toEqual({ status: 401, costs: [COST - 2, COST] });
    const work = (costs: number[]): number => costs.reduce((sum, cost) => sum + 2 ** cost, 0);
    expect(work(old.costs)).toBeGreaterThanOrEqual(work(unknown.costs));
    // The right password upgrades the hash, after which the account is like any other.
    expect((await rounds('old@sec.example', 'right one')).status).toBe(200);
    expect(await rounds('old@sec.example', 'guess')).toEqual({ status: 401, costs: [COST] });
  });
});

describe('reset requests do the same work for known and unknown emails', () => {
  it('one transaction each, with one statement per table in the same order, and one token drawn and hashed', async () => {
    const service = await startService({});
    try {
      await send(service.url, 'POST', '/users', { form: { email: 'reset-known@sec.example', password: 'right one' } });
      const recorded = recordStatements(service.sesame.storage);
      const counted = await buildSesame(recorded.storage, {});
      const statements: string[][] = [];
      try {
        for (const email of ['reset-known@sec.example', 'reset-nobody@sec.example']) {
          recorded.reset();
          await counted.password.reset.request(email);
          statements.push([...recorded.statements]);
          expect(recorded.transactions(), email).toBe(1);
        }
      } finally {
        await counted.close();
      }
      const [known = [], unknown = []] = statements;
      expect(known.map((s) => s.split(':')[1])).toEqual(['users', 'verification_tokens', 'auth_events']);
      expect(unknown.map((s) => s.split(':')[1])).toEqual(known.map((s) => s.split(':')[1]));
      expect(known[1]).toMatch(/^InsertQueryNode/);
      expect(unknown[1]).toMatch(/^UpdateQueryNode/);
    } finally {
      await service.stop();
    }
  });
});
