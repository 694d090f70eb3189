// Load shedding on the event loop: while it lags past MAX_EVENT_LOOP_DELAY, requests get 503 server.overloaded with
// Retry-After at once (the JSON error shape and the security headers), liveness still answers, readiness says
// overloaded; once the lag is gone, everything is served again. The lag is real: the test blocks the loop the
// in-process service runs on, for several times the bound, and the bound (1 s) is far above the lag a busy machine
// gives an idle loop, so only the test's blocking sheds. Recovery is awaited (at most 60 s), not timed.
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { heapBoundBytes } from '../../../src/surfaces/ops/load-shedding.js';
import { send, sleep } from '../../support/http.js';
import { startService, type Service } from '../../support/in-process.js';
import { waitUntil } from '../../support/ops-doubles.js';
import { problems } from '../../support/settings.js';

let service: Service | undefined;
afterEach(async () => {
  await service?.stop();
  service = undefined;
});

/** Keeps the event loop busy for `ms`, as a CPU-bound burst would. */
function blockLoop(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // spin
  }
}

/** How long the test blocks the loop: well past MAX_EVENT_LOOP_DELAY=1s and across several 0.5 s samples. */
const BLOCK_MS = 2500;

describe('load shedding', () => {
  it('sheds requests with 503 while the event loop lags, keeps liveness up, and recovers by itself', async () => {
    service = await startService({ MAX_EVENT_LOOP_DELAY: '1s', LOG_LEVEL: 'warn' });
    const running = service;
    // Served once the start-up's own busy moment (compiling routes, a loaded machine) is out of the latest sample.
    await waitUntil(async () => (await send(running.url, 'GET', '/')).status === 200, 'the service to serve', 60_000, 100);

    // Lag the loop across a sampling period, then ask while the sample still shows it.
    let shed = await send(running.url, 'GET', '/');
    for (let attempt = 0; attempt < 10 && shed.status !== 503; attempt += 1) {
      blockLoop(BLOCK_MS);
      await sleep(0);
      shed = await send(running.url, 'GET', '/');
    }
    expect(shed.status).toBe(503);
    expect(shed.headers['sesame-error']).toBe('server.overloaded');
    expect(shed.headers['retry-after']).toBe('2');
    expect(shed.headers['x-content-type-options']).toBe('nosniff');
    expect(shed.json).toEqual({ message: 'the service is over capacity right now: try again in a few seconds' });
    // Readiness says overloaded under the same lag (so a balancer looks elsewhere); liveness answers throughout.
    let ready = await send(running.url, 'GET', '/health/ready');
    for (let attempt = 0; attempt < 10 && ready.status !== 503; attempt += 1) {
      blockLoop(BLOCK_MS);
      await sleep(0);
      ready = await send(running.url, 'GET', '/health/ready');
    }
    expect(ready.status).toBe(503);
    expect(ready.json).toEqual({ status: 'overloaded' });
    expect(ready.headers['retry-after']).toBe('2');
    blockLoop(BLOCK_MS);
    await sleep(0);
    const live = await send(running.url, 'GET', '/health/live');
    expect(live.status).toBe(200);
    expect(live.json).toEqual({ status: 'ok' });
    expect(running.logs()).toMatch(/over capacity: request shed with 503/);

    // With the loop free again, the next samples show no lag and requests are served: wait for it.
    let after = await send(running.url, 'GET', '/');
    await waitUntil(async () => {
      after = await send(running.url, 'GET', '/');
      return after.status === 200;
    }, 'requests to be served again', 60_000, 100);
    expect(after.status).toBe(200);
  }, 180_000);

  it('settings: MAX_EVENT_LOOP_DELAY 1s by default (0 turns it off), MAX_HEAP_USED a percentage of the heap limit', () => {
    expect(loadConfig({}).ops).toMatchObject({ maxEventLoopDelayMs: 1000, maxHeapUsedPercent: 90 });
    expect(loadConfig({ MAX_EVENT_LOOP_DELAY: '0', MAX_HEAP_USED: '100' }).ops).toMatchObject({ maxEventLoopDelayMs: 0, maxHeapUsedPercent: 100 });
    expect(problems({ MAX_HEAP_USED: '0' }).join()).toMatch(/MAX_HEAP_USED/);
    expect(heapBoundBytes(100)).toBe(0);
    expect(heapBoundBytes(50) * 2).toBeGreaterThan(heapBoundBytes(90));
    expect(heapBoundBytes(90)).toBeGreaterThan(0);
  });
});
