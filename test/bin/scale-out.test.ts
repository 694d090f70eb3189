// Several machines: two stateless Sesame processes on different ports sharing one PostgreSQL and one Redis.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCi, postgresAvailability, postgresEngine, type TestStorage } from '../support/engines.js';
import { redisAvailability, redisUrl } from '../support/redis.js';
import { startBuiltServer, type RunningServer } from '../support/built-server.js';
import { SLOW_START_MS, SLOW_TEST_MS } from '../support/ops-doubles.js';

const missing = [postgresAvailability, redisAvailability].find((a) => !a.ok);
const reason = missing !== undefined && !missing.ok ? missing.reason : '';
const suite = missing === undefined || isCi ? describe : describe.skip;

/** Posts a form and returns status, JSON body and the session cookie if any. */
async function post(url: string, form: Record<string, string>, method = 'POST'): Promise<{ status: number; body: unknown; cookie?: string }> {
  const response = await fetch(url, { method, body: new URLSearchParams(form), redirect: 'manual' });
  const cookie = /session_id=([^;]+)/.exec(response.headers.get('set-cookie') ?? '')?.[1];
  return { status: response.status, body: await response.json(), ...(cookie === undefined ? {} : { cookie }) };
}

/** GET /profile with a session id. */
async function profile(base: string, sessionId: string): Promise<number> {
  return (await fetch(`${base}/profile`, { headers: { cookie: `session_id=${sessionId}` } })).status;
}

suite(`two Sesame processes, one PostgreSQL, one Redis${reason ? ` (skipped: ${reason})` : ''}`, () => {
  let storage: TestStorage;
  let a: RunningServer;
  let b: RunningServer;
  const keyPrefix = `scale${Date.now()}`;

  beforeAll(async () => {
    if (missing !== undefined) throw new Error(reason);
    storage = await postgresEngine.open();
    const env = {
      DATABASE_URL: storage.url,
      REDIS_URL: redisUrl,
      RATE_LIMIT_STORE: 'redis',
      RATE_LIMIT_ACCOUNT_MAX: '8',
      BCRYPT_COST: '4',
    };
    [a, b] = await Promise.all([startBuiltServer({ env, startTimeoutMs: SLOW_START_MS }), startBuiltServer({ env, startTimeoutMs: SLOW_START_MS })]);
  }, SLOW_TEST_MS);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await storage?.close();
  });

  it('runs two processes on different ports', () => {
    expect(a.url).not.toBe(b.url);
    expect(a.pid).not.toBe(b.pid);
  });

  it('a session made through one process is valid at the other, and a logout there is seen here at once', async () => {
    const email = `${keyPrefix}-roam@example.com`;
    expect((await post(`${a.url}/users`, { email, password: 'pw-roam' })).status).toBe(200);
    const login = await post(`${a.url}/sessions`, { email, password: 'pw-roam' });
    expect(login.status).toBe(200);
    const sessionId = login.cookie ?? '';
    expect(await profile(b.url, sessionId)).toBe(200);
    const logout = await fetch(`${b.url}/sessions`, { method: 'DELETE', headers: { cookie: `session_id=${sessionId}` }, redirect: 'manual' });
    expect(logout.status).toBe(302);
    expect(await profile(a.url, sessionId)).toBe(403);
  });

  it('registers one email through both processes at once: exactly one succeeds', async () => {
    const email = `${keyPrefix}-race@example.com`;
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => post(`${(i % 2 === 0 ? a : b).url}/users`, { email, password: 'pw-race' })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 400)).toHaveLength(7);
  });

  it('counts failed logins across both processes (Redis): the limit trips at the other process', async () => {
    const email = `${keyPrefix}-limit@example.com`;
    expect((await post(`${a.url}/users`, { email, password: 'pw-right' })).status).toBe(200);
    // Four failures at each process: eight in all, the account limit.
    for (const server of [a, b, a, b, a, b, a, b]) {
      expect((await post(`${server.url}/sessions`, { email, password: 'wrong' })).status).toBe(401);
    }
    const refusedAtA = await post(`${a.url}/sessions`, { email, password: 'pw-right' });
    const refusedAtB = await post(`${b.url}/sessions`, { email, password: 'pw-right' });
    expect(refusedAtA.status).toBe(429);
    expect(refusedAtB.status).toBe(429);
    expect(refusedAtB.body).toMatchObject({ message: expect.stringContaining('too many attempts') });
  });
});
