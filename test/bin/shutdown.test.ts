// Stopping the built server: SIGTERM finishes the requests in flight and exits 0; SHUTDOWN_TIMEOUT bounds the wait
// (exit 1 with the request unfinished); a second signal exits at once. A request whose body is still arriving is the
// request in flight: the test decides when (or whether) the rest comes. Each step waits for what the server logs (the
// request arriving, the shutdown starting) rather than for a fixed time, and no test bounds how fast the exit is.
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startBuiltServer, type RunningServer } from '../support/built-server.js';
import { SLOW_START_MS, SLOW_TEST_MS, waitUntil } from '../support/ops-doubles.js';

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

const BODY = 'email=shutdown%40example.com&password=pw';

/** Starts the built server with these settings, however long a busy machine takes to start it. */
async function start(env: Record<string, string>): Promise<RunningServer> {
  server = await startBuiltServer({ env, startTimeoutMs: SLOW_START_MS });
  return server;
}

/**
 * Opens a connection and sends a registration's headers and half its body; resolves once the server has logged the
 * request as arriving (so it is in flight when the test signals), with the socket and what it receives.
 */
async function halfSentRegistration(running: RunningServer): Promise<{ socket: Socket; received(): string }> {
  const socket = connect(Number(new URL(running.url).port), '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let data = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => {
    data += chunk;
  });
  socket.on('error', () => undefined);
  socket.write(`POST /users HTTP/1.1\r\nHost: sesame\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${BODY.length}\r\n\r\n${BODY.slice(0, 10)}`);
  await waitUntil(() => /"msg":"incoming request"/.test(running.logs()), 'the server to log the request arriving');
  return { socket, received: () => data };
}

/** Waits until the server has logged that its shutdown began (the signal was handled). */
function shutdownBegan(running: RunningServer): Promise<void> {
  return waitUntil(() => running.logs().includes('shutting down: finishing requests in flight'), 'the shutdown to begin');
}

describe('shutdown', () => {
  it('SIGTERM: stops accepting, finishes the request in flight, then exits 0', async () => {
    // Bounds far beyond the test's length, so only the rest of the body can end the request.
    const running = await start({ REQUEST_TIMEOUT: '10m', SHUTDOWN_TIMEOUT: '10m' });
    const client = await halfSentRegistration(running);
    process.kill(running.pid, 'SIGTERM');
    await shutdownBegan(running);
    // The request is still unanswered and its connection open: the process is waiting for it, not gone.
    expect(running.exitCode()).toBeNull();
    expect(client.received()).toBe('');
    client.socket.write(BODY.slice(10));
    const status = await running.exited;
    expect(client.received()).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*"message":"user created"/);
    // The keep-alive connection is closed after its answer, or it would hold the shutdown open.
    expect(client.received()).toMatch(/\r\nconnection: close\r\n/i);
    expect(status).toEqual({ code: 0, signal: null });
    expect(running.logs()).toMatch(/shutting down: finishing requests in flight/);
  }, SLOW_TEST_MS);

  it('SHUTDOWN_TIMEOUT bounds the wait: a request that does not finish in time is cut and the process exits 1', async () => {
    // REQUEST_TIMEOUT is far beyond the test's length: only SHUTDOWN_TIMEOUT can end this shutdown while it runs.
    const running = await start({ REQUEST_TIMEOUT: '10m', SHUTDOWN_TIMEOUT: '1s' });
    const client = await halfSentRegistration(running);
    const started = Date.now();
    process.kill(running.pid, 'SIGTERM');
    const status = await running.exited;
    expect(status.code).toBe(1);
    // Never before the bound (a lower bound a slow machine cannot break); how soon after is not the test's business.
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(running.logs()).toMatch(/shutdown took longer than SHUTDOWN_TIMEOUT: exiting with requests unfinished/);
    // The request was cut unanswered, not finished by a request timeout.
    expect(client.received()).toBe('');
  }, SLOW_TEST_MS);

  it('a second signal exits at once, however long SHUTDOWN_TIMEOUT is', async () => {
    // Both bounds far beyond the test's length: only the second signal can end the process before the test times out.
    const running = await start({ REQUEST_TIMEOUT: '10m', SHUTDOWN_TIMEOUT: '10m' });
    const client = await halfSentRegistration(running);
    process.kill(running.pid, 'SIGTERM');
    await shutdownBegan(running);
    expect(running.exitCode()).toBeNull();
    process.kill(running.pid, 'SIGINT');
    const status = await running.exited;
    expect(status.code).toBe(1);
    expect(running.logs()).toMatch(/second signal: exiting at once/);
    expect(running.logs()).not.toMatch(/shutdown took longer than SHUTDOWN_TIMEOUT/);
    expect(client.received()).toBe('');
  }, SLOW_TEST_MS);
});
