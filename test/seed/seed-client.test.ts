/**
 * Runs the seed's own kind of client, a Python `requests` script written from task 20 (`test/seed/seed_client/main.py`),
 * against a freshly started built server: the HTTP face must satisfy it unchanged.
 * @module
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, startBuiltServer, type RunningServer } from '../support/built-server.js';

const SCRIPT = join(REPO_ROOT, 'test', 'seed', 'seed_client', 'main.py');
const RESET_THEN_LOGOUT = join(REPO_ROOT, 'test', 'seed', 'seed_client', 'reset_then_logout.py');

/** Why the Python client cannot run here, or null when python3 and `requests` are both available. */
function missingPython(): string | null {
  const probe = spawnSync('python3', ['-c', 'import requests'], { encoding: 'utf8', timeout: 20_000 });
  if (probe.error !== undefined) return `python3 is not available (${probe.error.message})`;
  if (probe.status !== 0) return `python3 cannot import requests (${probe.stderr.trim().split('\n').pop() ?? ''}); pip3 install requests`;
  return null;
}

/** Runs a Python client against a URL and collects its exit code and output. */
function runClient(url: string, script = SCRIPT, ...args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn('python3', [script, url, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolveRun({ code, output }));
  });
}

const missing = missingPython();
const onCi = process.env['CI'] === 'true';

describe('the seed task-20 Python client (requests)', () => {
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('has python3 and requests available (required on CI)', (context) => {
    if (missing !== null && !onCi) context.skip(`skipped: ${missing}`);
    expect(missing, 'CI machines must have python3 with requests installed').toBeNull();
  });

  it('passes unchanged against a fresh built server, and fails on a second run (email taken)', async (context) => {
    if (missing !== null) {
      if (onCi) throw new Error(`cannot run the seed client on CI: ${missing}`);
      context.skip(`skipped: ${missing}`);
    }
    server = await startBuiltServer();
    const first = await runClient(server.url);
    expect(first.output).toBe('');
    expect(first.code).toBe(0);
    // Its fixed email is now registered, so its first assertion must fail: proof the script really asserts.
    const second = await runClient(server.url);
    expect(second.code).not.toBe(0);
    expect(second.output).toContain('AssertionError');
    expect(second.output).toContain('email already registered');
  });

  it('logs out with a session a reset ended and gets the seed\'s 302, with the seed\'s reason phrases throughout', async (context) => {
    if (missing !== null) {
      if (onCi) throw new Error(`cannot run the seed client on CI: ${missing}`);
      context.skip(`skipped: ${missing}`);
    }
    server = await startBuiltServer();
    const run = await runClient(server.url, RESET_THEN_LOGOUT, 'reset-then-logout@seed.example');
    expect(run.output).toBe('');
    expect(run.code).toBe(0);
    // Run again: the email is taken now, so its first check fails, showing the script asserts what it says.
    const again = await runClient(server.url, RESET_THEN_LOGOUT, 'reset-then-logout@seed.example');
    expect(again.code).not.toBe(0);
    expect(again.output).toContain('AssertionError');
  });
});
