// Time limits on clients: a body that never comes, headers sent a byte at a time, idle keep-alive connections and a
// flood of open sockets are each cut off, so no client can hold a socket for ever. Raw sockets on loopback play the
// slow client. Each cut must come from the setting under test: every other bound is far longer than the test (Node's
// and Fastify's defaults are minutes), so a cut that comes at all, within a generous bound, is the setting's; no test
// asserts how fast it comes. Connection counts are read from the server, not assumed after a sleep.
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { problems } from '../support/settings.js';
import { startService, type Service } from '../support/in-process.js';
import { waitUntil, within } from '../support/ops-doubles.js';

/** How long a cut may take at most on a busy machine: far above each setting tested, far below the defaults (minutes). */
const CUT_BOUND_MS = 45_000;

let service: Service | undefined;
afterEach(async () => {
  await service?.stop();
  service = undefined;
});

/** How many connections the service's HTTP server holds open right now. */
function connections(running: Service): Promise<number> {
  return new Promise((resolve, reject) => running.app.server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
}

/** A raw connection to the service that keeps what it receives and notes when the server closes it. */
async function open(url: string): Promise<{ socket: Socket; received(): string; closed: Promise<number> }> {
  const { port } = new URL(url);
  // Timed from before the connection: the server's clock for a request starts when it accepts it, which a busy event
  // loop can report to this side late; a lower bound measured from here cannot come out short.
  const started = Date.now();
  const socket = connect(Number(port), '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let data = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => {
    data += chunk;
  });
  socket.on('error', () => undefined);
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now() - started)));
  return { socket, received: () => data, closed };
}

describe('client time limits', () => {
  it('a body that never comes: 408 JSON with the security headers once REQUEST_TIMEOUT passes, and the socket is freed', async () => {
    service = await startService({ REQUEST_TIMEOUT: '1s', HEADERS_TIMEOUT: '500ms' });
    const client = await open(service.url);
    client.socket.write('POST /users HTTP/1.1\r\nHost: sesame\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"email":');
    const ms = await within(client.closed, 'the cut after REQUEST_TIMEOUT', CUT_BOUND_MS);
    // Never before REQUEST_TIMEOUT (a lower bound a slow machine cannot break).
    expect(ms).toBeGreaterThanOrEqual(900);
    expect(client.received()).toMatch(/^HTTP\/1\.1 408 REQUEST TIMEOUT\r\n/);
    expect(client.received()).toMatch(/\r\nSesame-Error: request\.timeout\r\n/i);
    expect(client.received()).toMatch(/\r\nX-Content-Type-Options: nosniff\r\n/i);
    expect(client.received()).toMatch(/\r\n\r\n\{"message":"[^"]+"\}$/);
  });

  it('headers sent a byte at a time are cut off after HEADERS_TIMEOUT, although bytes keep coming', async () => {
    // REQUEST_TIMEOUT far beyond the test: only HEADERS_TIMEOUT can cut this request. The drip lasts minutes (a byte
    // every 50 ms), so bytes are still coming when the cut comes.
    service = await startService({ REQUEST_TIMEOUT: '10m', HEADERS_TIMEOUT: '500ms' });
    const client = await open(service.url);
    const drip = 'GET /profile HTTP/1.1\r\nHost: sesame\r\nX-Slow: ' + 'a'.repeat(4000);
    let sent = 0;
    const timer = setInterval(() => {
      if (!client.socket.destroyed && sent < drip.length) client.socket.write(drip[sent++] ?? '');
    }, 50);
    await within(client.closed, 'the cut after HEADERS_TIMEOUT', CUT_BOUND_MS).finally(() => clearInterval(timer));
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThan(drip.length);
    expect(client.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('closes an idle keep-alive connection after KEEP_ALIVE_TIMEOUT', async () => {
    service = await startService({ KEEP_ALIVE_TIMEOUT: '300ms' });
    const client = await open(service.url);
    client.socket.write('GET / HTTP/1.1\r\nHost: sesame\r\n\r\n');
    // Fastify's default keep-alive is 72 s: a close within the bound is KEEP_ALIVE_TIMEOUT's.
    await within(client.closed, 'the idle connection to be closed', CUT_BOUND_MS);
    expect(client.received()).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
  });

  it('accepts at most MAX_CONNECTIONS open connections; more are closed at once, and room frees up as they close', async () => {
    service = await startService({ MAX_CONNECTIONS: '3' });
    const running = service;
    const held = await Promise.all([open(running.url), open(running.url), open(running.url)]);
    // The kernel completes a handshake before Node accepts it: wait until the server holds all three.
    await waitUntil(async () => (await connections(running)) === 3, 'the server to hold three connections');
    const extra = await open(running.url);
    extra.socket.write('GET / HTTP/1.1\r\nHost: sesame\r\n\r\n');
    await within(extra.closed, 'the fourth connection to be closed', CUT_BOUND_MS);
    expect(extra.received()).toBe('');

    held[0]?.socket.destroy();
    await held[0]?.closed;
    await waitUntil(async () => (await connections(running)) === 2, 'the server to let go of the closed connection');
    const next = await open(running.url);
    next.socket.write('GET / HTTP/1.1\r\nHost: sesame\r\nConnection: close\r\n\r\n');
    await within(next.closed, 'the answer to the next connection', CUT_BOUND_MS);
    expect(next.received()).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    for (const connection of held) connection.socket.destroy();
  });

  it('settings: durations and a count, HEADERS_TIMEOUT no longer than REQUEST_TIMEOUT', () => {
    expect(problems({ HEADERS_TIMEOUT: '20s' })).toEqual(['HEADERS_TIMEOUT must not be longer than REQUEST_TIMEOUT']);
    expect(problems({ REQUEST_TIMEOUT: '0' })).toEqual(['REQUEST_TIMEOUT must be a positive duration like 3600, 90s, 15m, 12h or 7d']);
    expect(problems({ MAX_CONNECTIONS: '0' }).join()).toMatch(/MAX_CONNECTIONS/);
  });
});
