// createSesame starts the expiry sweeper: expired rows go at start-up and every SWEEP_INTERVAL, without anyone asking;
// with the sweeper off they stay (so it is the sweeper that removes them).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startSweeper } from '../../src/kernel/sweeper.js';
import { createSesame } from '../../src/sesame.js';
import { sqliteEngine, useFreshStorage } from '../support/engines.js';
import { sleep } from '../support/http.js';

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

  /** Waits until `test` holds, at most `ms`. */
  async function eventually(test: () => Promise<boolean>, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (await test()) return true;
      await sleep(20);
    }
    return test();
  }

  it('runs at start and then every SWEEP_INTERVAL', async () => {
    const before = await expiredSession('before');
    const sesame = await createSesame(loadConfig({ LOG_LEVEL: 'silent', SWEEP_INTERVAL: '1s' }), { storage: storage() });
    try {
      expect(await eventually(async () => !(await present(before)), 2000)).toBe(true);
      const after = await expiredSession('after');
      expect(await present(after)).toBe(true);
      expect(await eventually(async () => !(await present(after)), 3000)).toBe(true);
    } finally {
      await sesame.close();
    }
  });

  it('is what removes them: with the sweeper off the expired row stays', async () => {
    const row = await expiredSession('kept');
    const sesame = await createSesame(loadConfig({ LOG_LEVEL: 'silent', SWEEP_INTERVAL: '1s' }), { storage: storage(), sweeper: false });
    try {
      await sleep(300);
      expect(await present(row)).toBe(true);
    } finally {
      await sesame.close();
    }
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
    await sleep(50);
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(stopped).toBe(true);
    expect(logged).toEqual(['purged expired rows']);
    await sleep(50);
    expect(sweeps).toBe(1);
  });
});
