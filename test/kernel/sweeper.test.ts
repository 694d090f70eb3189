// createSesame starts the expiry sweeper: expired rows go at start-up and every SWEEP_INTERVAL, without anyone asking;
// with the sweeper off they stay (so it is the sweeper that removes them). The interval timer is Vitest's fake one
// (setInterval only: everything else runs on real time), so the test decides when a tick comes instead of sleeping.
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startSweeper } from '../../src/kernel/sweeper.js';
import { createSesame } from '../../src/sesame.js';
import { sqliteEngine, useFreshStorage } from '../support/engines.js';
import { waitUntil } from '../support/ops-doubles.js';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** SHA-256 hex. */
function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

describe('the expiry sweeper', () => {
  const storage = useFreshStorage(sqliteEngine);

  /** Inserts an account with one session that expired an hour ago; returns its hash. */
  async function expiredSession(label: string): Promise<string> {
    const now = Date.now();
    const user = await storage().kysely.insertInto('users').values({ email: `${label}@x.io`, hashed_password: 'h', created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
    await storage().kysely.insertInto('sessions').values({ id_hash: sha256(label), user_id: user.id, created_at: now - 7_200_000, expires_at: now - 3_600_000 }).execute();
    return sha256(label);
  }

  /** Whether a session row is still there. */
  async function present(idHash: string): Promise<boolean> {
    return (await storage().kysely.selectFrom('sessions').select('id_hash').where('id_hash', '=', idHash).executeTakeFirst()) !== undefined;
  }

  it('runs at start and then every SWEEP_INTERVAL', async () => {
    const before = await expiredSession('before');
    const sesame = await createSesame(loadConfig({ LOG_LEVEL: 'silent', SWEEP_INTERVAL: '1m' }), { storage: storage() });
    try {
      // No tick has come: only the sweep at start can remove it (at most 60 s on a busy machine).
      await waitUntil(async () => !(await present(before)), 'the sweep at start');
      const after = await expiredSession('after');
      // Just short of the interval: no sweep, so the row is still there when the first sweep's work is done.
      vi.advanceTimersByTime(59_999);
      expect(await present(after)).toBe(true);
      // The interval passes: the tick's sweep removes it.
      vi.advanceTimersByTime(1);
      await waitUntil(async () => !(await present(after)), 'the sweep after one SWEEP_INTERVAL');
    } finally {
      await sesame.close();
    }
  });

  it('is what removes them: with the sweeper off the expired row stays', async () => {
    const row = await expiredSession('kept');
    const sesame = await createSesame(loadConfig({ LOG_LEVEL: 'silent', SWEEP_INTERVAL: '1s' }), { storage: storage(), sweeper: false });
    // Ten intervals pass; closing waits for any sweep in flight, so one started would have finished by the check.
    vi.advanceTimersByTime(10_000);
    await sesame.close();
    expect(await present(row)).toBe(true);
  });
});

describe('stopping the sweeper', () => {
  it('waits for a sweep in flight, so a shutdown never closes the database under it, and runs no more sweeps', async () => {
    let release: () => void = () => undefined;
    let sweeps = 0;
    const logged: string[] = [];
    const log = { info: (_: object, message: string) => logged.push(message), error: (_: object, message: string) => logged.push(message) };
    const stop = startSweeper(
      () => {
        sweeps += 1;
        return new Promise((resolve) => {
          release = () => resolve({ sessions: 2 });
        });
      },
      10,
      log,
    );
    let stopped = false;
    const stopping = stop().then(() => {
      stopped = true;
    });
    // Let every settled promise run (a macrotask turn): stopping still waits for the sweep the test holds.
    await new Promise((turn) => setImmediate(turn));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(stopped).toBe(true);
    expect(logged).toEqual(['purged expired rows']);
    // Many intervals after the stop: no tick, so no second sweep.
    vi.advanceTimersByTime(1000);
    expect(sweeps).toBe(1);
  });
});
