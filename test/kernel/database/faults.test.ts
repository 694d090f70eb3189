// Database faults: what Sesame does when PostgreSQL refuses, stalls or drops its connections. Each test breaks only a
// TCP proxy it started in front of the shared server, never the server itself. A database that cannot serve is a 503
// with Retry-After and a code (never a 500, never a hang), readiness says so within its bound while liveness stays up,
// and the service heals by itself once the path is back. Start-up waits for a database that is still coming up.
import { randomBytes } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DatabaseUnavailableError, isDatabaseUnavailable } from '../../../src/kernel/database/faults.js';
import { openStorage } from '../../../src/sesame.js';
import { adminQuery, createPostgresSchema, isCi, postgresAvailability, postgresBaseUrl } from '../../support/engines.js';
import { send, sleep, uniqueEmail, type Outgoing } from '../../support/http.js';
import { startService, type Service } from '../../support/in-process.js';
import { startTcpFaultProxy, type TcpFaultProxy } from '../../support/tcp-fault-proxy.js';

describe('isDatabaseUnavailable', () => {
  const withCode = (code: string, message = 'failed'): Error => Object.assign(new Error(message), { code });

  it('recognises a dropped, refused or timed-out connection, a server that cannot serve, and a busy or full SQLite file', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNABORTED']) {
      expect(isDatabaseUnavailable(withCode(code)), code).toBe(true);
    }
    for (const code of ['57P01', '57P02', '57P03', '53300', '57014', '25006', '53100', '53200', '08006', '08001']) {
      expect(isDatabaseUnavailable(withCode(code)), code).toBe(true);
    }
    for (const code of ['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_LOCKED', 'SQLITE_FULL', 'SQLITE_READONLY', 'SQLITE_IOERR_WRITE', 'SQLITE_CANTOPEN', 'SQLITE_NOMEM']) {
      expect(isDatabaseUnavailable(withCode(code)), code).toBe(true);
    }
    for (const message of ['timeout exceeded when trying to connect', 'Connection terminated unexpectedly', 'Query read timeout', 'Client has encountered a connection error and is not queryable']) {
      expect(isDatabaseUnavailable(new Error(message)), message).toBe(true);
    }
    expect(isDatabaseUnavailable(new DatabaseUnavailableError())).toBe(true);
  });

  it('looks through a few layers of `cause`, but not for ever', () => {
    const wrapped = (depth: number): unknown => {
      let error: unknown = withCode('ECONNREFUSED');
      for (let i = 0; i < depth; i += 1) error = new Error('wrapper', { cause: error });
      return error;
    };
    expect(isDatabaseUnavailable(wrapped(1))).toBe(true);
    expect(isDatabaseUnavailable(wrapped(3))).toBe(true);
    expect(isDatabaseUnavailable(wrapped(4))).toBe(false);
  });

  it('leaves bugs as bugs: a constraint violation, a syntax error, a SQLite constraint, a plain error, nothing at all', () => {
    for (const code of ['23505', '42601', '42P01', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_ERROR', 'ERR_INVALID_ARG_TYPE']) {
      expect(isDatabaseUnavailable(withCode(code)), code).toBe(false);
    }
    expect(isDatabaseUnavailable(new TypeError('x is undefined'))).toBe(false);
    expect(isDatabaseUnavailable({ code: 42 })).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
    expect(isDatabaseUnavailable(null)).toBe(false);
  });

  it('keeps the cause for the log and answers with its own code and a Retry-After of 5 seconds', () => {
    const cause = withCode('ECONNRESET');
    const error = new DatabaseUnavailableError(cause);
    expect(error.code).toBe('database.unavailable');
    expect(error.cause).toBe(cause);
    expect(error.retryAfterSeconds).toBe(5);
    expect(new DatabaseUnavailableError().cause).toBeUndefined();
  });
});

const describePostgres = postgresAvailability.ok || isCi ? describe : describe.skip;

describePostgres('PostgreSQL behind a proxy the test breaks', () => {
  const target = new URL(postgresBaseUrl);
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  beforeAll(() => {
    if (!postgresAvailability.ok) throw new Error(postgresAvailability.reason);
  });

  /** A service on a fresh schema whose every connection goes through a fault proxy of its own. */
  async function serviceThroughProxy(): Promise<{ service: Service; proxy: TcpFaultProxy }> {
    const schema = await createPostgresSchema('fault');
    cleanups.push(() => schema.drop());
    const proxy = await startTcpFaultProxy(target.hostname, Number(target.port || 5432));
    cleanups.push(() => proxy.close());
    const service = await startService({
      DATABASE_URL: proxy.urlThrough(schema.url),
      // Short enough that a stalled database is noticed within the test, long enough that a busy machine's slow
      // connection through the proxy is not taken for a fault once it forwards again.
      DATABASE_CONNECT_TIMEOUT: '2s',
      DATABASE_STATEMENT_TIMEOUT: '3s',
      LOG_LEVEL: 'warn',
    });
    cleanups.push(() => service.stop());
    return { service, proxy };
  }

  /**
   * The request is answered 503 at all: the proxy never answers a stalled or refused connection, so a service bounded
   * only by the operating system's TCP timeouts would still be waiting when the test's own bound ends it. (No stopwatch:
   * how fast a busy machine answers is not the property.)
   */
  async function expectUnavailable(service: Service, method: string, path: string, outgoing: Outgoing): Promise<void> {
    const reply = await send(service.url, method, path, outgoing);
    expect(reply.status, `${method} ${path}: ${reply.text}`).toBe(503);
    expect(reply.headers['sesame-error']).toBe('database.unavailable');
    expect(reply.headers['retry-after']).toBe('5');
    expect(reply.statusText).toBe('SERVICE UNAVAILABLE');
    expect(reply.message).toBe('the service cannot reach its database right now: try again in a few seconds');
  }

  it('answers 503 with Retry-After while the database refuses connections, and heals when it is back', async () => {
    const { service, proxy } = await serviceThroughProxy();
    const email = uniqueEmail('fault');
    expect((await send(service.url, 'POST', '/users', { form: { email, password: 'pw' } })).status).toBe(200);
    const earlier = await send(service.url, 'POST', '/sessions', { form: { email, password: 'pw' } });

    proxy.setMode('refuse');
    proxy.cutAll();
    await expectUnavailable(service, 'POST', '/sessions', { form: { email, password: 'pw' } });
    await expectUnavailable(service, 'POST', '/users', { form: { email: uniqueEmail('fault'), password: 'pw' } });
    await expectUnavailable(service, 'GET', '/profile', { sessionId: earlier.sessionId ?? '' });
    await expectUnavailable(service, 'DELETE', '/sessions', { sessionId: earlier.sessionId ?? '' });
    await expectUnavailable(service, 'POST', '/reset_password', { form: { email } });
    expect((await send(service.url, 'GET', '/health/ready')).status).toBe(503);
    expect((await send(service.url, 'GET', '/health')).status).toBe(503);
    expect((await send(service.url, 'GET', '/health/live')).status).toBe(200);

    proxy.setMode('forward');
    const login = await send(service.url, 'POST', '/sessions', { form: { email, password: 'pw' } });
    expect(login.status).toBe(200);
    expect((await send(service.url, 'GET', '/profile', { sessionId: login.sessionId ?? '' })).status).toBe(200);
    expect((await send(service.url, 'GET', '/health/ready')).json).toEqual({ status: 'ok' });
    expect(service.logs()).toMatch(/database unavailable: answered 503/);
    expect(service.logs()).not.toMatch(/"statusCode":500/);
  });

  it('answers 503 within its timeouts when the database stops answering mid-connection, instead of hanging', async () => {
    const { service, proxy } = await serviceThroughProxy();
    const email = uniqueEmail('stall');
    const registered = await send(service.url, 'POST', '/users', { form: { email, password: 'pw' } });
    expect(registered.status).toBe(200);
    const login = await send(service.url, 'POST', '/sessions', { form: { email, password: 'pw' } });

    proxy.setMode('stall');
    await expectUnavailable(service, 'GET', '/profile', { sessionId: login.sessionId ?? '' });
    const ready = await send(service.url, 'GET', '/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.headers['retry-after']).toBe('5');
    expect((await send(service.url, 'GET', '/health/live')).status).toBe(200);

    // Connections that saw the stall are dropped; once the path is back, requests succeed again.
    proxy.setMode('forward');
    proxy.cutAll();
    let profile = await send(service.url, 'GET', '/profile', { sessionId: login.sessionId ?? '' });
    while (profile.status === 503) {
      await sleep(50);
      profile = await send(service.url, 'GET', '/profile', { sessionId: login.sessionId ?? '' });
    }
    expect(profile.status).toBe(200);
    expect(profile.json).toEqual({ email });
  });

  it('survives idle pooled connections being cut (a restart or failover): logs it, does not crash, serves the next request', async () => {
    const { service, proxy } = await serviceThroughProxy();
    const email = uniqueEmail('cut');
    expect((await send(service.url, 'POST', '/users', { form: { email, password: 'pw' } })).status).toBe(200);
    const before = proxy.accepted;

    proxy.cutAll();
    await vi.waitUntil(() => /a database connection failed; the pool opens another when needed/.test(service.logs()), { timeout: 30_000, interval: 20 });
    const login = await send(service.url, 'POST', '/sessions', { form: { email, password: 'pw' } });
    expect(login.status).toBe(200);
    expect(proxy.accepted).toBeGreaterThan(before);
  });

  it('survives its backends being terminated under load (pg_terminate_backend by its own application_name): 2xx or 503, never a 500 or a crash', async () => {
    const schema = await createPostgresSchema('terminate');
    cleanups.push(() => schema.drop());
    const name = `sesame-fault-${randomBytes(6).toString('hex')}`;
    const url = new URL(schema.url);
    url.searchParams.set('application_name', name);
    const service = await startService({ DATABASE_URL: url.toString(), DATABASE_CONNECT_TIMEOUT: '500ms', LOG_LEVEL: 'warn' });
    cleanups.push(() => service.stop());
    const email = uniqueEmail('terminate');
    expect((await send(service.url, 'POST', '/users', { form: { email, password: 'pw' } })).status).toBe(200);
    const login = await send(service.url, 'POST', '/sessions', { form: { email, password: 'pw' } });
    const cookie = { sessionId: login.sessionId ?? '' };

    // Requests keep flowing while the backends are killed three times; only this service's connections are named.
    const statuses: number[] = [];
    let loading = true;
    const load = (async () => {
      while (loading) {
        const replies = await Promise.all([
          send(service.url, 'GET', '/profile', cookie),
          send(service.url, 'POST', '/users', { form: { email: uniqueEmail('load'), password: 'pw' } }),
          send(service.url, 'GET', '/sessions', cookie),
        ]);
        statuses.push(...replies.map((reply) => reply.status));
      }
    })();
    // Each kill waits for a few more answers, and the load ends a few answers after the last: counts, not a stopwatch.
    const answers = async (count: number): Promise<void> => {
      const target = statuses.length + count;
      await vi.waitUntil(() => statuses.length >= target, { timeout: 30_000, interval: 10 });
    };
    for (let round = 0; round < 3; round += 1) {
      await answers(3);
      await adminQuery(`select pg_terminate_backend(pid) from pg_stat_activity where application_name = '${name}'`);
    }
    await answers(3);
    loading = false;
    await load;

    expect(statuses.length).toBeGreaterThan(10);
    expect(statuses.filter((status) => status !== 200 && status !== 503)).toEqual([]);
    expect(service.logs()).toMatch(/a database connection failed; the pool opens another when needed|database unavailable: answered 503/);
    const after = await send(service.url, 'GET', '/profile', cookie);
    expect(after.status).toBe(200);
    expect(after.json).toEqual({ email });
  });

  it('waits at start-up for a database that is still coming up, logging each try', async () => {
    const schema = await createPostgresSchema('startup');
    cleanups.push(() => schema.drop());
    const proxy = await startTcpFaultProxy(target.hostname, Number(target.port || 5432));
    cleanups.push(() => proxy.close());
    proxy.setMode('refuse');
    const tries: number[] = [];
    const opening = openStorage(proxy.urlThrough(schema.url), {
      startupWaitMs: 60_000,
      connectTimeoutMs: 500,
      onRetry: (attempt, error, delayMs) => {
        tries.push(attempt);
        expect(isDatabaseUnavailable(error)).toBe(true);
        expect(delayMs).toBeGreaterThan(0);
        expect(delayMs).toBeLessThanOrEqual(2000);
      },
    });
    // The database comes up once start-up has met it refusing (a count, not a stopwatch).
    await vi.waitUntil(() => tries.length >= 1, { timeout: 30_000, interval: 10 });
    proxy.setMode('forward');
    const storage = await opening;
    cleanups.push(() => storage.close());
    expect(tries.length).toBeGreaterThanOrEqual(1);
    expect(tries).toEqual(tries.map((_, index) => index + 1));
    await expect(storage.kysely.selectFrom('users').select('id').execute()).resolves.toEqual([]);
  });

  it('gives up after the start-up wait, naming the database without its password', async () => {
    const proxy = await startTcpFaultProxy(target.hostname, Number(target.port || 5432));
    cleanups.push(() => proxy.close());
    proxy.setMode('refuse');
    const url = new URL(proxy.urlThrough(postgresBaseUrl));
    url.username = 'sesame';
    url.password = 'hunter2';
    // A start-up that never gave up would hold the test until its own bound: answering at all is the property here.
    const failure = await openStorage(url.toString(), { startupWaitMs: 600, connectTimeoutMs: 300 }).then(
      () => new Error('opened'),
      (error: unknown) => error as Error,
    );
    expect(failure.message).toMatch(new RegExp(`^database postgres://sesame:\\*+@127\\.0\\.0\\.1:${proxy.port}/test is unreachable after \\d+ tries: `));
    expect(failure.message).not.toContain('hunter2');
    expect(isDatabaseUnavailable(failure)).toBe(true);
  });

  it('tries once without a start-up wait, and never retries a database that answers with a real error', async () => {
    const proxy = await startTcpFaultProxy(target.hostname, Number(target.port || 5432));
    cleanups.push(() => proxy.close());
    proxy.setMode('refuse');
    const retried: number[] = [];
    const once = await openStorage(proxy.urlThrough(postgresBaseUrl), { connectTimeoutMs: 300, onRetry: (attempt) => retried.push(attempt) }).catch((error: unknown) => error as Error);
    expect((once as Error).message).toMatch(/is unreachable: /);
    expect(retried).toEqual([]);
    expect(proxy.accepted).toBe(1);

    const missing = new URL(postgresBaseUrl);
    missing.pathname = '/sesame_no_such_database';
    const wrong = await openStorage(missing.toString(), { startupWaitMs: 5000, onRetry: (attempt) => retried.push(attempt) }).catch((error: unknown) => error as Error);
    expect((wrong as Error).message).toMatch(/sesame_no_such_database/);
    expect(retried).toEqual([]);
  });
});
