/**
 * End-to-end tests of the built standalone server (`node dist/src/server.js`) in a child process over real HTTP: the
 * seed's task-20 flow, persistence across restarts, graceful SIGTERM, start-up refusal of bad settings, and its logs.
 * @module
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { logIn, profileLogged, registerUser, runSeedFlow, uniqueEmail } from './e2e/seed-flow.js';
import { makeTempDir, runBuiltServerToExit, startBuiltServer, type RunningServer, type TempDir } from '../support/built-server.js';
import { TEST_SECRET_KEY } from '../support/settings.js';

/** Parsed pino lines of a server's stdout. */
function logEntries(server: RunningServer): Array<Record<string, unknown>> {
  return server
    .logs()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const running: RunningServer[] = [];
const dirs: TempDir[] = [];

/** Starts a built server that the afterEach hook stops even when the test fails. */
async function start(options: Parameters<typeof startBuiltServer>[0] = {}): Promise<RunningServer> {
  const server = await startBuiltServer(options);
  running.push(server);
  return server;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.stop()));
  for (const dir of dirs.splice(0)) dir.remove();
});

describe('the built server', () => {
  it('passes the seed task-20 flow, logs no secret, and exits 0 on SIGTERM', async () => {
    const server = await start({ logLevel: 'debug' });
    const steps: string[] = [];
    const result = await runSeedFlow(server.url, { onStep: (step) => steps.push(step) });
    expect(steps).toEqual([
      'register_user',
      'log_in_wrong_password',
      'log_in',
      'profile_unlogged',
      'profile_logged',
      'log_out',
      'reset_password_token',
      'update_password',
      'log_in (new password)',
      'log_in_wrong_password (old password)',
    ]);
    expect(result.sessionIds).toHaveLength(2);
    await server.stop();
    expect(server.exitCode()).toBe(0);

    const logs = server.logs();
    // The server did log the requests (so the check below looks at a real log, not an empty one)...
    expect(logs).toContain('/reset_password');
    // ...and no password, session id or reset token reached it.
    for (const secret of [...result.passwords, ...result.sessionIds, result.resetToken]) {
      expect(logs, `the log must not contain ${secret}`).not.toContain(secret);
    }
    expect(server.stderr()).toBe('');
  });

  it('runs the flow any number of times against one long-lived server (unique email per run)', async () => {
    const server = await start();
    const first = await runSeedFlow(server.url);
    const second = await runSeedFlow(server.url);
    expect(first.email).not.toBe(second.email);
  });

  it('logs the URL it listens on, and that URL answers', async () => {
    const server = await start();
    const listening = logEntries(server).find((entry) => String(entry['msg']).startsWith('Server listening at '));
    expect(listening?.['msg']).toBe(`Server listening at ${server.url}`);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.url).not.toMatch(/:0$/);
    const response = await fetch(`${server.url}/`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ message: 'Bienvenue' });
    expect(logEntries(server).some((entry) => entry['msg'] === 'sesame is ready')).toBe(true);
  });

  it('honours LOG_LEVEL: at warn it logs no info lines', async () => {
    const server = await start({ logLevel: 'warn' });
    await runSeedFlow(server.url);
    expect(logEntries(server).filter((entry) => Number(entry['level']) < 40)).toEqual([]);
  });

  it('keeps users and sessions across a restart on the same SQLite file', async () => {
    const dir = makeTempDir('restart');
    dirs.push(dir);
    const databasePath = join(dir.path, 'sesame.db');
    const email = uniqueEmail('restart');

    const first = await start({ databasePath });
    await registerUser(first.url, email, 'first-life');
    const sessionId = await logIn(first.url, email, 'first-life');
    await first.stop();
    expect(first.exitCode()).toBe(0);

    const second = await start({ databasePath });
    expect(second.url).not.toBe('');
    // The account survived: logging in works and the email is still taken.
    await logIn(second.url, email, 'first-life');
    const again = await fetch(`${second.url}/users`, {
      method: 'POST',
      body: new URLSearchParams({ email, password: 'other' }),
    });
    expect(again.status).toBe(400);
    expect(await again.json()).toEqual({ message: 'email already registered' });
    // The session issued before the restart is still live.
    await profileLogged(second.url, sessionId, email);
  });

  it('in the production profile scores new passwords on its worker thread (the compiled one) and still exits 0 on SIGTERM', async () => {
    const server = await start({
      env: { SESAME_PROFILE: 'production', SECRET_KEY: TEST_SECRET_KEY, PUBLIC_URL: 'https://auth.example.com', RESET_WEBHOOK_URL: 'http://127.0.0.1:9/never-called', BCRYPT_COST: '10' },
    });
    const register = (email: string, password: string): Promise<Response> =>
      fetch(`${server.url}/users`, { method: 'POST', body: new URLSearchParams({ email, password }) });
    const weak = await register(uniqueEmail('prod-weak'), 'passwordpassword1');
    expect(weak.status).toBe(400);
    expect(((await weak.json()) as { message: string }).message).toMatch(/too easy to guess/);
    const strong = await register(uniqueEmail('prod-strong'), 'the quiet librarian hums at noon');
    expect(strong.status).toBe(200);
    await server.stop();
    expect(server.exitCode()).toBe(0);
  });

  it('exits with code 0 on SIGTERM and says it is shutting down', async () => {
    const server = await start();
    await registerUser(server.url, uniqueEmail('sigterm'), 'pw');
    await server.stop();
    const status = await server.exited;
    expect(status).toEqual({ code: 0, signal: null });
    expect(logEntries(server).some((entry) => entry['signal'] === 'SIGTERM')).toBe(true);
  });

  it('exits non-zero with a message when its port is taken', async () => {
    const server = await start();
    const port = new URL(server.url).port;
    const run = await runBuiltServerToExit({ PORT: port });
    expect(run.signal).toBeNull();
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/EADDRINUSE/);
  });
});

// Each case is its own short-lived process, so they run side by side.
describe.concurrent('start-up with a bad setting', () => {
  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['BCRYPT_COST', '99'],
    ['DATABASE_URL', 'mysql://x'],
    ['SESSION_TTL', 'forever'],
    ['LOG_LEVEL', 'loud'],
    ['COOKIE_SECURE', 'maybe'],
  ])('%s=%s makes the process exit non-zero, naming the setting on stderr', async (name, value) => {
    const run = await runBuiltServerToExit({ [name]: value });
    expect(run.signal, 'the server must exit by itself, not keep running').toBeNull();
    expect(run.code).not.toBe(0);
    expect(run.code).not.toBeNull();
    expect(run.stderr).toContain(name);
    expect(run.stdout).not.toContain('Server listening at');
  });

  it('lists every bad setting at once', async () => {
    const run = await runBuiltServerToExit({ PORT: 'abc', BCRYPT_COST: '99' });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('PORT');
    expect(run.stderr).toContain('BCRYPT_COST');
  });
});
