/**
 * Metrics that hold with WORKERS=2: the built server as a node:cluster primary with two workers, METRICS_ENABLED=true.
 * Requests spread over both workers (a fresh connection each), and every scrape, whichever worker answers it, shows
 * the whole group's totals, gathered by the primary with prom-client's AggregatorRegistry.
 * @module
 */
import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { findFreePort, startBuiltServer, type RunningServer } from '../support/built-server.js';
import { SLOW_START_MS, SLOW_TEST_MS, waitUntil, logEntries, type LogEntry } from '../support/ops-doubles.js';

/** One response read in full, with the client port it came from (the server logs it as `req.remotePort`). */
interface Reply {
  readonly status: number;
  readonly body: string;
  readonly localPort: number | undefined;
}

/** Sends one request on a new TCP connection (no keep-alive), so the cluster hands each one to the next worker. */
function send(base: string, method: string, path: string, form?: Record<string, string>): Promise<Reply> {
  const body = form === undefined ? undefined : new URLSearchParams(form).toString();
  const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' };
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { method, headers, agent: false, timeout: 60_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), localPort: res.socket.localPort }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** The value of one series in Prometheus text, or 0 when it is absent. */
function value(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

/**
 * How many processes logged the requests of these replies (matched by client port). Each request is logged before it
 * is answered; the wait (at most 60 s) is only for every reply's line to come through the pipe.
 */
async function processesServing(server: RunningServer, replies: readonly Reply[]): Promise<number> {
  const ports = new Set(replies.map((reply) => reply.localPort));
  const mine = (): LogEntry[] => logEntries(server).filter((entry) => ports.has(entry.req?.remotePort));
  await waitUntil(() => new Set(mine().map((entry) => entry.req?.remotePort)).size >= ports.size, 'every request\'s log line');
  return new Set(mine().map((entry) => entry.pid).filter((pid) => pid !== undefined)).size;
}

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

describe('GET /metrics with WORKERS=2', () => {
  it('answers the process group\'s totals whichever worker serves the scrape', async () => {
    const port = await findFreePort();
    server = await startBuiltServer({
      env: { PORT: String(port), WORKERS: '2', METRICS_ENABLED: 'true', SESAME_PROFILE: 'development', BCRYPT_COST: '4', RATE_LIMIT_ACCOUNT_MAX: '3' },
      startTimeoutMs: SLOW_START_MS,
    });
    const running = server;
    await waitUntil(() => running.logs().includes('all workers are listening'), 'every worker to listen', SLOW_START_MS);
    const base = `http://127.0.0.1:${port}`;

    const N = 12;
    const home: Reply[] = [];
    for (let i = 0; i < N; i += 1) home.push(await send(base, 'GET', '/'));
    expect(home.map((reply) => reply.status)).toEqual(home.map(() => 200));
    expect(await processesServing(server, home)).toBe(2);

    const user = { email: 'metrics-cluster@example.com', password: 'a long enough passphrase' };
    expect((await send(base, 'POST', '/users', user)).status).toBe(200);
    expect((await send(base, 'POST', '/sessions', user)).status).toBe(200);
    const guesses: number[] = [];
    for (let i = 0; i < 4; i += 1) guesses.push((await send(base, 'POST', '/sessions', { ...user, password: `guess ${i}` })).status);
    // Three wrong passwords, then the per-account limit (counted in the database, shared by both workers) refuses.
    expect(guesses).toEqual([401, 401, 401, 429]);

    // Fresh connections alternate between the workers: each scrape is answered by one or the other.
    for (let scrape = 0; scrape < 4; scrape += 1) {
      const metrics = await send(base, 'GET', '/metrics');
      expect(metrics.status, server.logs().split('\n').filter((l) => l.includes('"level":50')).join('\n')).toBe(200);
      expect(value(metrics.body, 'sesame_http_requests_total{method="GET",route="/",status="200"}'), `scrape ${scrape}`).toBe(N);
      expect(value(metrics.body, 'sesame_logins_total{outcome="succeeded"}')).toBe(1);
      expect(value(metrics.body, 'sesame_logins_total{outcome="failed"}')).toBe(3);
      expect(value(metrics.body, 'sesame_logins_total{outcome="rate_limited"}')).toBe(1);
      expect(value(metrics.body, 'sesame_lockouts_total{action="login"}')).toBe(1);
      expect(value(metrics.body, 'sesame_http_request_duration_seconds_count{method="GET",route="/"}')).toBe(N);
    }
  }, SLOW_TEST_MS);
});
