// Time limits on clients: a body that never comes, headers sent a byte at a time, idle keep-alive connections and a
// flood of open sockets are each cut off, so no client can hold a socket for ever. Raw sockets on loopback play the
// slow client; each test bounds how long the cut may take ("within a few seconds, not never").
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { problems } from '../support/settings.js';
import { sleep } from '../support/http.js';
import { startService, type Service } from '../support/in-process.js';

let service: Service | undefined;
afterEach(async () => {
  await service?.stop();
  service = undefined;
});

/** A raw connection to the service that keeps what it receives and notes when the server closes it. */
async function open(url: string): Promise<{ socket: Socket; received(): string; closed: Promise<number> }> {
  const { port } = new URL(url);
  const socket = connect(Number(port), '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const started = Date.now();
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
    const ms = await client.closed;
    expect(ms).toBeGreaterThanOrEqual(900);
    expect(ms).toBeLessThan(4000);
    expect(client.received()).toMatch(/^HTTP\/1\.1 408 REQUEST TIMEOUT\r\n/);
    expect(client.received()).toMatch(/\r\nSesame-Error: request\.timeout\r\n/i);
    expect(client.received()).toMatch(/\r\nX-Content-Type-Options: nosniff\r\n/i);
    expect(client.received()).toMatch(/\r\n\r\n\{"message":"[^"]+"\}$/);
  });

  it('headers sent a byte at a time are cut off after HEADERS_TIMEOUT, although bytes keep coming', async () => {
    service = await startService({ REQUEST_TIMEOUT: '5s', HEADERS_TIMEOUT: '500ms' });
    const client = await open(service.url);
    const drip = 'GET /profile HTTP/1.1\r\nHost: sesame\r\nX-Slow: ' + 'a'.repeat(200);
    let sent = 0;
    const timer = setInterval(() => {
      if (!client.socket.destroyed && sent < drip.length) client.socket.write(drip[sent++] ?? '');
    }, 50);
    const ms = await client.closed;
    clearInterval(timer);
    expect(ms).toBeLessThan(3000);
    expect(sent).toBeLessThan(drip.length);
    expect(client.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('closes an idle keep-alive connection after KEEP_ALIVE_TIMEOUT', async () => {
    service = await startService({ KEEP_ALIVE_TIMEOUT: '300ms' });
    const client = await open(service.url);
    client.socket.write('GET / HTTP/1.1\r\nHost: sesame\r\n\r\n');
    const ms = await client.closed;
    expect(client.received()).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(ms).toBeLessThan(2500);
  });

  it('accepts at most MAX_CONNECTIONS open connections; more are closed at once, and room frees up as they close', async () => {
    service = await startService({ MAX_CONNECTIONS: '3' });
    const held = await Promise.all([open(service.url), open(service.url), open(service.url)]);
    await sleep(50);
    const extra = await open(service.url);
    extra.socket.write('GET / HTTP/1.1\r\nHost: sesame\r\n\r\n');
    expect(await extra.closed).toBeLessThan(2000);
    expect(extra.received()).toBe('');

    held[0]?.socket.destroy();
    await held[0]?.closed;
    await sleep(50);
    const next = await open(service.url);
    next.socket.write('GET / HTTP/1.1\r\nHost: sesame\r\nConnection: close\r\n\r\n');
    await next.closed;
    expect(next.received()).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    for (const connection of held) connection.socket.destroy();
  });

  it('settings: durations and a count, HEADERS_TIMEOUT no longer than REQUEST_TIMEOUT', () => {
    expect(problems({ HEADERS_TIMEOUT: '20s' })).toEqual(['HEADERS_TIMEOUT must not be longer than REQUEST_TIMEOUT']);
    expect(problems({ REQUEST_TIMEOUT: '0' })).toEqual(['REQUEST_TIMEOUT must be a positive duration like 3600, 90s, 15m, 12h or 7d']);
    expect(problems({ MAX_CONNECTIONS: '0' }).join()).toMatch(/MAX_CONNECTIONS/);
  });
});
