// Stopping the built server: SIGTERM finishes the requests in flight and exits 0; SHUTDOWN_TIMEOUT bounds the wait
// (exit 1 with the request unfinished); a second signal exits at once. A request whose body is still arriving is the
// request in flight: the test decides when (or whether) the rest comes.
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startBuiltServer, type RunningServer } from '../support/built-server.js';
import { sleep } from '../support/http.js';

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

const BODY = 'email=shutdown%40example.com&password=pw';

/** Opens a connection and sends a registration's headers and half its body; returns the socket and what it receives. */
async function halfSentRegistration(url: string): Promise<{ socket: Socket; received(): string }> {
  const socket = connect(Number(new URL(url).port), '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let data = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => {
    data += chunk;
  });
  socket.on('error', () => undefined);
  socket.write(`POST /users HTTP/1.1\r\nHost: sesame\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${BODY.length}\r\n\r\n${BODY.slice(0, 10)}`);
  await sleep(100);
  return { socket, received: () => data };
}

describe('shutdown', () => {
  it('SIGTERM: stops accepting, finishes the request in flight, then exits 0', async () => {
    server = await startBuiltServer({ env: { REQUEST_TIMEOUT: '30s' } });
    const running = server;
    const client = await halfSentRegistration(running.url);
    process.kill(running.pid, 'SIGTERM');
    await sleep(300);
    expect(running.exitCode()).toBeNull();
    client.socket.write(BODY.slice(10));
    const status = await running.exited;
    expect(client.received()).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*"message":"user created"/);
    // The keep-alive connection is closed after its answer, or it would hold the shutdown open.
    expect(client.received()).toMatch(/\r\nconnection: close\r\n/i);
    expect(status).toEqual({ code: 0, signal: null });
    expect(running.logs()).toMatch(/shutting down: finishing requests in flight/);
  });

  it('SHUTDOWN_TIMEOUT bounds the wait: a request that does not finish in time is cut and the process exits 1', async () => {
    server = await startBuiltServer({ env: { REQUEST_TIMEOUT: '60s', SHUTDOWN_TIMEOUT: '1s' } });
    const running = server;
    await halfSentRegistration(running.url);
    const started = Date.now();
    process.kill(running.pid, 'SIGTERM');
    const status = await running.exited;
    const ms = Date.now() - started;
    expect(status.code).toBe(1);
    expect(ms).toBeGreaterThanOrEqual(900);
    expect(ms).toBeLessThan(5000);
    expect(running.logs()).toMatch(/shutdown took longer than SHUTDOWN_TIMEOUT: exiting with requests unfinished/);
  });

  it('a second signal exits at once, however long SHUTDOWN_TIMEOUT is', async () => {
    server = await startBuiltServer({ env: { REQUEST_TIMEOUT: '60s', SHUTDOWN_TIMEOUT: '60s' } });
    const running = server;
    await halfSentRegistration(running.url);
    process.kill(running.pid, 'SIGTERM');
    await sleep(300);
    expect(running.exitCode()).toBeNull();
    const started = Date.now();
    process.kill(running.pid, 'SIGINT');
    const status = await running.exited;
    expect(status.code).toBe(1);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(running.logs()).toMatch(/second signal: exiting at once/);
  });
});
