// TRUST_PROXY behind a real forwarding hop: each documented form decides whose X-Forwarded-For Sesame believes, and
// so which address keys the rate limits. The proxy connects from 127.0.0.2; clients connect from other loopback
// addresses, so "the peer is the proxy" and "the peer is a client" are told apart by address, as in production.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { runBuiltServer } from '../support/built-server.js';
import { sendFrom, startForwardingProxy, type ForwardingProxy } from '../support/forwarding-proxy.js';
import { startService, type Service } from '../support/in-process.js';

const PROXY = '127.0.0.2';
const OUTER_PROXY = '127.0.0.7';
const CLIENT = '127.0.0.5';
const OTHER_CLIENT = '127.0.0.6';
const SPOOFER = '127.0.0.3';

const running: Array<{ close(): Promise<void> } | Service> = [];
afterEach(async () => {
  for (const thing of running.splice(0).reverse()) await ('stop' in thing ? thing.stop() : thing.close());
});

/** Starts the service with a TRUST_PROXY value (and any other settings) and a proxy in front of it. */
async function setUp(trustProxy: string, env: Record<string, string> = {}): Promise<{ service: Service; proxy: ForwardingProxy }> {
  const service = await startService({ TRUST_PROXY: trustProxy, LOG_LEVEL: 'info', ...env });
  running.push(service);
  const proxy = await startForwardingProxy(service.url, PROXY);
  running.push(proxy);
  return { service, proxy };
}

/** Sends `GET <unique path>` from `source` to `baseUrl` and returns the client address the service logged for it. */
async function addressSeen(service: Service, source: string, baseUrl: string, headers: Record<string, string> = {}): Promise<string> {
  const path = `/whoami-${randomUUID()}`;
  const reply = await sendFrom(source, `${baseUrl}${path}`, { headers });
  expect(reply.status).toBe(404);
  for (const line of service.logs().split('\n')) {
    if (!line.includes(path)) continue;
    const entry = JSON.parse(line) as { req?: { url?: string; remoteAddress?: string } };
    if (entry.req?.url === path) return String(entry.req.remoteAddress);
  }
  throw new Error(`no log line for ${path}`);
}

describe('TRUST_PROXY behind a forwarding hop', () => {
  it('false (the default): every client is the peer, so behind a proxy all share its address; a spoofed header is ignored', async () => {
    const { service, proxy } = await setUp('false');
    expect(await addressSeen(service, CLIENT, proxy.url)).toBe(PROXY);
    expect(await addressSeen(service, SPOOFER, service.url, { 'x-forwarded-for': '203.0.113.9' })).toBe(SPOOFER);
  });

  it('the proxy\'s address: the client behind it is seen, while a direct client cannot spoof its address', async () => {
    const { service, proxy } = await setUp(PROXY);
    expect(await addressSeen(service, CLIENT, proxy.url)).toBe(CLIENT);
    expect(await addressSeen(service, CLIENT, proxy.url, { 'x-forwarded-for': '203.0.113.9' })).toBe(CLIENT);
    expect(await addressSeen(service, SPOOFER, service.url, { 'x-forwarded-for': '203.0.113.9' })).toBe(SPOOFER);
  });

  it('a list of ranges: a chain of listed proxies is walked to the client; an unlisted hop is where belief stops', async () => {
    const chained = await setUp(`${PROXY}/32, ${OUTER_PROXY}/32`);
    const outer = await startForwardingProxy(chained.proxy.url, OUTER_PROXY);
    running.push(outer);
    expect(await addressSeen(chained.service, CLIENT, outer.url)).toBe(CLIENT);
    expect(await addressSeen(chained.service, SPOOFER, chained.service.url, { 'x-forwarded-for': '203.0.113.9' })).toBe(SPOOFER);

    const innerOnly = await setUp(`${PROXY}/32`);
    const outerUnlisted = await startForwardingProxy(innerOnly.proxy.url, OUTER_PROXY);
    running.push(outerUnlisted);
    expect(await addressSeen(innerOnly.service, CLIENT, outerUnlisted.url)).toBe(OUTER_PROXY);
  });

  it('a keyword (loopback): every loopback peer is a proxy, so the client behind the hop is seen', async () => {
    const { service, proxy } = await setUp('loopback');
    expect(await addressSeen(service, CLIENT, proxy.url, { 'x-forwarded-for': '203.0.113.9' })).toBe('203.0.113.9');
    expect(await addressSeen(service, CLIENT, proxy.url)).toBe(CLIENT);
  });

  it('true: the client behind the hop is seen, and so is whatever a direct client claims (only for proxy-only networks)', async () => {
    const { service, proxy } = await setUp('true');
    expect(await addressSeen(service, CLIENT, proxy.url)).toBe(CLIENT);
    expect(await addressSeen(service, SPOOFER, service.url, { 'x-forwarded-for': '203.0.113.9' })).toBe('203.0.113.9');
  });

  it('one client behind the proxy using up its per-IP budget does not lock out another client behind the same proxy', async () => {
    const { proxy } = await setUp(PROXY, { RATE_LIMIT_IP_MAX: '3', RATE_LIMIT_IP_WINDOW: '1m' });
    const attempt = (source: string): Promise<number> =>
      sendFrom(source, `${proxy.url}/sessions`, { method: 'POST', form: { email: `nobody-${randomUUID()}@x.io`, password: 'guess' } }).then((r) => r.status);
    for (let i = 0; i < 3; i += 1) expect(await attempt(CLIENT)).toBe(401);
    expect(await attempt(CLIENT)).toBe(429);
    expect(await attempt(OTHER_CLIENT)).toBe(401);
  });

  it('a bare hop count is refused at start-up with the reason and what to set instead', async () => {
    for (const value of ['1', '2']) {
      let error: unknown;
      try {
        loadConfig({ TRUST_PROXY: value });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.join('\n')).toMatch(new RegExp(`TRUST_PROXY=${value} \\(a hop count\\) is refused.*List the proxies`));
    }
    const run = await runBuiltServer({ TRUST_PROXY: '1' });
    expect(run.listened).toBe(false);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/TRUST_PROXY=1 \(a hop count\) is refused/);
  });

  it('refuses entries that are neither addresses, ranges nor keywords, and accepts each documented form', () => {
    expect(() => loadConfig({ TRUST_PROXY: '10.0.0.0/8,not-an-address' })).toThrow(/TRUST_PROXY entries must be IP addresses.*"not-an-address"/);
    expect(loadConfig({}).server.trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'true' }).server.trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.10,loopback' }).server.trustProxy).toEqual(['10.0.0.0/8', '192.168.1.10', 'loopback']);
  });
});
