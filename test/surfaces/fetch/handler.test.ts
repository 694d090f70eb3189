/**
 * The web-standard handler on its own, as a Hono or Next.js host calls it: whose forwarded headers it believes with
 * and without the connection's `clientAddress`, the request id it answers with, and a body that fails mid-stream.
 * @module
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFetchHandler, type SesameFetchHandler } from '../../../src/fetch.js';
import { makeTempDir, type TempDir } from '../../support/temp.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const BASE = 'http://host.example/auth';

/** A form POST as a `Request`. */
function formRequest(path: string, fields: Record<string, string>, headers: Record<string, string> = {}): Request {
  return new Request(`${BASE}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(fields).toString() });
}

describe('sesame-auth/fetch with TRUST_PROXY=loopback', () => {
  let dir: TempDir;
  let handler: SesameFetchHandler;

  beforeAll(async () => {
    dir = makeTempDir('fetch-handler');
    handler = await createFetchHandler({
      profile: 'development',
      prefix: '/auth',
      settings: { DATABASE_URL: `sqlite:${join(dir.path, 'handler.db')}`, BCRYPT_COST: '4', LOG_LEVEL: 'silent', TRUST_PROXY: 'loopback' },
    });
  });
  afterAll(async () => {
    await handler?.close();
    dir?.remove();
  });

  /** Registers, logs in with `headers` and `clientAddress`, and returns the address the session was recorded from. */
  async function addressRecorded(label: string, headers: Record<string, string>, clientAddress?: string): Promise<string | null> {
    const fields = { email: `${label}-${Date.now()}@example.test`, password: 'a long enough password' };
    const connection = clientAddress === undefined ? undefined : { clientAddress };
    expect((await handler.handle(formRequest('/users', fields), connection)).status).toBe(200);
    const login = await handler.handle(formRequest('/sessions', fields, headers), connection);
    expect(login.status).toBe(200);
    const cookie = (login.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
    const listed = await handler.handle(new Request(`${BASE}/sessions`, { headers: { cookie } }), connection);
    const body = (await listed.json()) as { sessions: Array<{ ip: string | null }> };
    return body.sessions[0]?.ip ?? null;
  }

  it('believes no forwarded header without clientAddress: a client cannot pick its own rate-limit address', async () => {
    expect(await addressRecorded('no-peer', { 'x-forwarded-for': '203.0.113.9' })).toBe('127.0.0.1');
  });

  it('believes X-Forwarded-For from a clientAddress TRUST_PROXY names, and not from one it does not', async () => {
    expect(await addressRecorded('proxied', { 'x-forwarded-for': '203.0.113.9' }, '127.0.0.1')).toBe('203.0.113.9');
    expect(await addressRecorded('direct', { 'x-forwarded-for': '203.0.113.9' }, '198.51.100.4')).toBe('198.51.100.4');
  });

  it('answers a body that errors mid-stream with 400 in the table\'s shape instead of rejecting, and registers nobody', async () => {
    const email = `broken-${Date.now()}@example.test`;
    const encoder = new TextEncoder();
    let pulls = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls += 1;
        if (pulls === 1) controller.enqueue(encoder.encode(`email=${encodeURIComponent(email)}&pass`));
        else controller.error(new Error('the client went away'));
      },
    });
    const request = new Request(`${BASE}/users`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body, duplex: 'half' } as RequestInit);
    const answer = await handler.handle(request);
    expect(answer.status).toBe(400);
    expect(answer.headers.get('sesame-error')).toBe('request.malformed');
    expect(answer.headers.get('x-request-id')).toMatch(UUID);
    expect(await answer.json()).toEqual({ message: 'request is invalid' });
    await expect(handler.sesame.db.findUserBy({ email })).rejects.toThrow();
  });

  it('answers with X-Request-Id: the proxy\'s from a trusted clientAddress, a fresh UUID otherwise', async () => {
    const offered = { 'x-request-id': 'lb-fetch-1' };
    const proxied = await handler.handle(new Request(`${BASE}/`, { headers: offered }), { clientAddress: '127.0.0.1' });
    expect(proxied.headers.get('x-request-id')).toBe('lb-fetch-1');
    const noPeer = await handler.handle(new Request(`${BASE}/`, { headers: offered }));
    expect(noPeer.headers.get('x-request-id')).toMatch(UUID);
    const untrusted = await handler.handle(new Request(`${BASE}/nowhere`, { headers: offered }), { clientAddress: '198.51.100.4' });
    expect([untrusted.status, untrusted.headers.get('x-request-id')]).toEqual([404, expect.stringMatching(UUID)]);
  });
});
