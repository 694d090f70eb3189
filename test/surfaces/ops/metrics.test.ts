// GET /metrics (METRICS_ENABLED=true): Prometheus text with requests by route template and status, and no secret in it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type Service } from '../../support/in-process.js';

const PASSWORD = 'metrics passphrase';

let on: Service;
let off: Service;
beforeAll(async () => {
  [on, off] = await Promise.all([startService({ LOG_LEVEL: 'info', METRICS_ENABLED: 'true' }), startService({ LOG_LEVEL: 'info' })]);
});
afterAll(async () => {
  await Promise.all([on.stop(), off.stop()]);
});

/** POSTs a form to the metrics-enabled app; returns the response. */
function post(path: string, form: Record<string, string>): Promise<Response> {
  return fetch(`${on.url}${path}`, { method: 'POST', body: new URLSearchParams(form) });
}

/** The current metrics text. */
async function scrape(): Promise<string> {
  const response = await fetch(`${on.url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  return response.text();
}

/** The value of one series, or 0 when it has not appeared yet. */
function value(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

describe('GET /metrics', () => {
  it('counts requests by method, route template and status: logins, failures and 403s show up', async () => {
    const email = `metrics-${Math.random().toString(36).slice(2)}@example.com`;
    const before = await scrape();
    const failed = 'sesame_http_requests_total{method="POST",route="/sessions",status="401"}';
    const created = 'sesame_http_requests_total{method="POST",route="/users",status="200"}';
    expect((await post('/users', { email, password: PASSWORD })).status).toBe(200);
    expect((await post('/sessions', { email, password: 'wrong' })).status).toBe(401);
    expect((await post('/sessions', { email, password: 'wrong' })).status).toBe(401);
    const after = await scrape();
    expect(value(after, failed) - value(before, failed)).toBe(2);
    expect(value(after, created) - value(before, created)).toBe(1);
    expect(after).toMatch(/^sesame_http_request_duration_seconds_bucket\{le="0\.5",method="POST",route="\/sessions"\} \d+$/m);
    expect(after).toMatch(/^sesame_nodejs_eventloop_lag_p99_seconds /m);
  });

  it('labels unknown paths "unmatched", never with the raw URL, and never holds a password or session id', async () => {
    const email = `metrics-${Math.random().toString(36).slice(2)}@example.com`;
    await post('/users', { email, password: PASSWORD });
    const login = await post('/sessions', { email, password: PASSWORD });
    const sessionId = /session_id=([^;]*)/.exec(login.headers.get('set-cookie') ?? '')?.[1] ?? '';
    expect(sessionId).not.toBe('');
    expect((await fetch(`${on.url}/made-up-${sessionId}`)).status).toBe(404);
    const text = await scrape();
    expect(text).toMatch(/route="unmatched",status="404"/);
    expect(text).not.toContain('made-up');
    expect(text).not.toContain(sessionId);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(email);
  });

  it('is not served unless METRICS_ENABLED=true (the default is off)', async () => {
    const response = await fetch(`${off.url}/metrics`);
    expect(response.status).toBe(404);
  });
});
