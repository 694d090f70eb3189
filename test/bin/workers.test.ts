/**
 * WORKERS=2 end to end: the built server as a node:cluster primary with two workers on one port and one SQLite file,
 * driven over real HTTP on a fresh connection per request, so consecutive requests land on both workers.
 * @module
 */
import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { findFreePort, startBuiltServer, type RunningServer } from '../support/built-server.js';
import { SLOW_START_MS, SLOW_TEST_MS, waitUntil, logEntries } from '../support/ops-doubles.js';

/** One response read in full. */
interface Reply {
  /** HTTP status code. */
  readonly status: number;
  /** The `session_id` value of a Set-Cookie header, if any. */
  readonly sessionId: string | undefined;
  /** The body text. */
  readonly body: string;
  /** The client-side port of the connection, which the server logs as `req.remotePort`. */
  readonly localPort: number | undefined;
}

/** Sends one request on a new TCP connection (no keep-alive), so the cluster hands each one to the next worker. */
function send(base: string, method: string, path: string, options: { form?: Record<string, string>; sessionId?: string } = {}): Promise<Reply> {
  const body = options.form === undefined ? undefined : new URLSearchParams(options.form).toString();
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
  if (options.sessionId !== undefined) headers['cookie'] = `session_id=${options.sessionId}`;
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { method, headers, agent: false, timeout: 60_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const cookie = (res.headers['set-cookie'] ?? []).find((c) => c.startsWith('session_id='));
        resolve({
          status: res.statusCode ?? 0,
          sessionId: cookie?.slice('session_id='.length).split(';')[0],
          body: Buffer.concat(chunks).toString('utf8'),
          localPort: res.socket.localPort,
        });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** The process ids that logged the incoming requests of these replies (matched by the client port each came from). */
function pidsServing(server: RunningServer, replies: readonly Reply[]): Set<number> {
  const ports = new Set(replies.map((reply) => reply.localPort));
  const pids = new Set<number>();
  for (const entry of logEntries(server)) {
    if (entry.pid !== undefined && entry.req?.remotePort !== undefined && ports.has(entry.req.remotePort)) pids.add(entry.pid);
  }
  return pids;
}

/**
 * How many worker processes logged these replies' requests. Every request logs its "incoming request" line before it
 * is answered, so the lines are written; the wait is for them to come through the pipe: until one line per reply is
 * here, at most 60 s.
 */
async function workersServing(server: RunningServer, replies: readonly Reply[]): Promise<number> {
  const ports = new Set(replies.map((reply) => reply.localPort));
  const logged = (): number => new Set(logEntries(server).map((entry) => entry.req?.remotePort).filter((port) => ports.has(port))).size;
  await waitUntil(() => logged() >= ports.size, 'every request\'s log line');
  return pidsServing(server, replies).size;
}

/** Waits until the server's log contains `text`, at most 2 minutes (a cluster starting beside busy suites). */
async function waitForLog(server: RunningServer, text: string): Promise<void> {
  try {
    await waitUntil(() => server.logs().includes(text), `the log line ${JSON.stringify(text)}`, SLOW_START_MS);
  } catch (error) {
    throw new Error(`${(error as Error).message}:\n${server.logs()}\n${server.stderr()}`);
  }
}

let server: RunningServer | undefined;

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

describe('WORKERS=2 (node:cluster, one port, one SQLite file)', () => {
  it('serves concurrent writes on both workers, shows a logout to every worker at once, and stops cleanly on SIGTERM', async () => {
    const port = await findFreePort();
    server = await startBuiltServer({
      env: { PORT: String(port), WORKERS: '2', RATE_LIMIT_ENABLED: 'false', SESAME_PROFILE: 'development' },
      startTimeoutMs: SLOW_START_MS,
    });
    await waitForLog(server, 'all workers are listening');
    const base = `http://127.0.0.1:${port}`;

    // Eight registrations at once: two processes write the same SQLite file; WAL plus the busy timeout absorb it.
    const users = Array.from({ length: 8 }, (_, i) => ({ email: `worker-${i}@example.com`, password: `pass phrase ${i} for workers` }));
    const registered = await Promise.all(users.map((user) => send(base, 'POST', '/users', { form: user })));
    expect(registered.map((reply) => reply.status)).toEqual(users.map(() => 200));

    const logins = await Promise.all(users.map((user) => send(base, 'POST', '/sessions', { form: user })));
    expect(logins.map((reply) => reply.status)).toEqual(users.map(() => 200));
    const sessionIds = logins.map((reply) => reply.sessionId);
    expect(sessionIds.every((id) => typeof id === 'string' && id.length === 36)).toBe(true);
    expect(await workersServing(server, registered)).toBe(2);

    // The session works on both workers before the logout...
    const sessionId = sessionIds[0] as string;
    const before: Reply[] = [];
    for (let i = 0; i < 4; i += 1) before.push(await send(base, 'GET', '/profile', { sessionId }));
    expect(before.map((reply) => reply.status)).toEqual([200, 200, 200, 200]);
    expect(before.map((reply) => JSON.parse(reply.body) as unknown)).toEqual(before.map(() => ({ email: users[0]?.email })));

    // ...and is refused by both on the very next requests after it: nothing caches a session.
    expect((await send(base, 'DELETE', '/sessions', { sessionId })).status).toBe(302);
    const after: Reply[] = [];
    for (let i = 0; i < 6; i += 1) after.push(await send(base, 'GET', '/profile', { sessionId }));
    expect(after.map((reply) => reply.status)).toEqual([403, 403, 403, 403, 403, 403]);
    expect(await workersServing(server, before)).toBe(2);
    expect(await workersServing(server, after)).toBe(2);
    // Another user's session is untouched.
    expect((await send(base, 'GET', '/profile', { sessionId: sessionIds[1] as string })).status).toBe(200);

    // SIGTERM to the primary: every worker finishes and exits, then the primary exits 0.
    await server.stop();
    expect(server.exitCode()).toBe(0);
    expect(server.logs()).toContain('every worker has exited');
    server = undefined;
  }, SLOW_TEST_MS);

  it('never answers 5xx when both workers write the same SQLite file under sustained load (no SQLITE_BUSY halfway through a transaction)', async () => {
    const port = await findFreePort();
    server = await startBuiltServer({
      env: { PORT: String(port), WORKERS: '2', RATE_LIMIT_ENABLED: 'false', SESAME_PROFILE: 'development', BCRYPT_COST: '4' },
      startTimeoutMs: SLOW_START_MS,
    });
    await waitForLog(server, 'all workers are listening');
    const base = `http://127.0.0.1:${port}`;
    // Each client loops: register, log in (a read, then writes, in one transaction), change the password, log in
    // again. A fixed number of rounds, not a time: a slow machine runs the same load, only for longer.
    const statuses: number[] = [];
    const ROUNDS = 3;
    await Promise.all(
      Array.from({ length: 12 }, async (_, client) => {
        for (let round = 0; round < ROUNDS; round += 1) {
          const user = { email: `load-${client}-${round}@example.com`, password: `first ${client} ${round}` };
          const replies = [await send(base, 'POST', '/users', { form: user })];
          const login = await send(base, 'POST', '/sessions', { form: user });
          replies.push(login);
          replies.push(await send(base, 'PUT', '/password', { form: { password: user.password, new_password: `second ${client} ${round}` }, sessionId: login.sessionId ?? '' }));
          replies.push(await send(base, 'POST', '/sessions', { form: { email: user.email, password: `second ${client} ${round}` } }));
          statuses.push(...replies.map((reply) => reply.status));
        }
      }),
    );
    expect(statuses).toHaveLength(12 * ROUNDS * 4);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    await server.stop();
    server = undefined;
  }, SLOW_TEST_MS);
});
