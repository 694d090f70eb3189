// Health for load balancers and orchestrators: liveness answers while the process serves; readiness (and the older
// `/health`) answers only while the database does, and says 503 with Retry-After when it does not. The PostgreSQL
// faults (refused, stalled, cut) are in test/kernel/database/faults.test.ts.
import { afterEach, describe, expect, it } from 'vitest';
import { send } from '../../support/http.js';
import { startService, type Service } from '../../support/in-process.js';

let service: Service | undefined;
afterEach(async () => {
  await service?.stop();
  service = undefined;
});

describe('health', () => {
  it('answers 200 {"status": "ok"} on every health route while the database answers, without logging each check', async () => {
    service = await startService({ LOG_LEVEL: 'info' });
    for (const path of ['/health/live', '/health/ready', '/health']) {
      const reply = await send(service.url, 'GET', path);
      expect(reply.status, path).toBe(200);
      expect(reply.json, path).toEqual({ status: 'ok' });
      expect(reply.headers['cache-control'], path).toBe('no-store');
    }
    // A probe every few seconds must not fill the log: health routes log at warn and above only.
    expect(service.logs()).not.toMatch(/"url":"\/health/);
  });

  it('says not ready (503, Retry-After, logged) once the database is gone, while liveness still answers', async () => {
    service = await startService({ LOG_LEVEL: 'info' });
    await service.sesame.storage.close();
    for (const path of ['/health/ready', '/health']) {
      const reply = await send(service.url, 'GET', path);
      expect(reply.status, path).toBe(503);
      expect(reply.json, path).toEqual({ status: 'unavailable' });
      expect(reply.headers['retry-after'], path).toBe('5');
    }
    const live = await send(service.url, 'GET', '/health/live');
    expect(live.status).toBe(200);
    expect(live.json).toEqual({ status: 'ok' });
    expect(service.logs()).toMatch(/health check: database unavailable/);
  });
});
