// The built server against a PostgreSQL that is not up yet: it keeps trying for DATABASE_STARTUP_WAIT (logging each
// try), serves once the database answers, and otherwise exits 1 naming the database and the reason. The database is
// "down" only through a TCP proxy the test runs; the shared server is never touched.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runBuiltServer, runBuiltServerToExit } from '../support/built-server.js';
import { createPostgresSchema, isCi, postgresAvailability, postgresBaseUrl } from '../support/engines.js';
import { startTcpFaultProxy, type TcpFaultProxy } from '../support/tcp-fault-proxy.js';

const describePostgres = postgresAvailability.ok || isCi ? describe : describe.skip;

describePostgres('DATABASE_STARTUP_WAIT (built server, PostgreSQL behind a proxy)', () => {
  const target = new URL(postgresBaseUrl);
  let proxy: TcpFaultProxy;
  const cleanups: Array<() => Promise<void>> = [];
  beforeAll(() => {
    if (!postgresAvailability.ok) throw new Error(postgresAvailability.reason);
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function refusingProxy(): Promise<TcpFaultProxy> {
    proxy = await startTcpFaultProxy(target.hostname, Number(target.port || 5432));
    cleanups.push(() => proxy.close());
    proxy.setMode('refuse');
    return proxy;
  }

  it('exits 1 after the wait, naming the database, having logged each try', async () => {
    await refusingProxy();
    const run = await runBuiltServerToExit({ DATABASE_URL: proxy.urlThrough(postgresBaseUrl), DATABASE_STARTUP_WAIT: '1s', DATABASE_CONNECT_TIMEOUT: '200ms', LOG_LEVEL: 'warn' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^sesame: failed to start: database postgres://root@127\\.0\\.0\\.1:${proxy.port}/test is unreachable after \\d+ tries: `));
    expect(run.stdout).toMatch(/database not reachable yet: trying again/);
    expect(proxy.accepted).toBeGreaterThan(1);
  });

  it('starts serving once the database answers within the wait', async () => {
    await refusingProxy();
    const schema = await createPostgresSchema('startup');
    cleanups.push(() => schema.drop());
    // Let the server be refused twice (it has started and is retrying), then let it through.
    const opener = setInterval(() => {
      if (proxy.accepted >= 2) proxy.setMode('forward');
    }, 20);
    cleanups.push(() => Promise.resolve(clearInterval(opener)));
    const run = await runBuiltServer({ DATABASE_URL: proxy.urlThrough(schema.url), DATABASE_STARTUP_WAIT: '20s', DATABASE_CONNECT_TIMEOUT: '200ms', LOG_LEVEL: 'info' });
    expect(run.listened).toBe(true);
    expect(run.stdout).toMatch(/database not reachable yet: trying again/);
    expect(run.code).toBe(0);
    // Its shutdown waits for the start-up sweep instead of closing the database under it.
    expect(run.stdout).not.toMatch(/expiry sweep failed/);
  });
});
