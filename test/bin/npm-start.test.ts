/**
 * README's first command as a user runs it: `npm start` serves from the compiled server without compiling again,
 * and a SIGTERM sent to npm reaches the server, which finishes and exits, leaving nothing behind that still answers.
 * @module
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript script (it runs before anything is compiled), without type declarations.
import { isStale } from '../../scripts/build-if-stale.mjs';
import { REPO_ROOT, baseEnvironment, makeTempDir, type TempDir } from '../support/built-server.js';

/** Whether a process id is still alive. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start', () => {
  let dir: TempDir | undefined;
  afterEach(() => dir?.remove());

  it('finds the build fresh after `npm run build`, so it does not compile again', () => {
    expect((isStale as () => boolean)()).toBe(false);
  });

  it('serves at once from dist, and a SIGTERM to npm stops the server itself', async () => {
    dir = makeTempDir('npm-start');
    const npm = spawn('npm', ['start'], {
      cwd: REPO_ROOT,
      env: { ...baseEnvironment(), PORT: '0', DATABASE_URL: `sqlite:${join(dir.path, 'sesame.db')}`, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    npm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    npm.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const started = Date.now();
    const deadline = started + 20_000;
    while (!output.includes('sesame is ready')) {
      if (Date.now() > deadline || npm.exitCode !== null) throw new Error(`npm start did not get ready:\n${output}`);
      await new Promise((wake) => setTimeout(wake, 50));
    }
    const url = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1] ?? '';
    const serverPid = Number(/"pid":(\d+)/.exec(output)?.[1]);
    expect(serverPid).toBeGreaterThan(0);
    expect(serverPid).not.toBe(npm.pid);
    expect((await fetch(`${url}/`)).status).toBe(200);
    // Nothing was compiled on the way: tsc prints nothing when it succeeds, but a rebuild would take seconds and the
    // launcher says it builds only when stale (checked above).
    expect(output).not.toMatch(/error TS\d+/);

    const exited = new Promise<number | null>((resolve) => npm.once('exit', resolve));
    npm.kill('SIGTERM');
    await exited;
    const until = Date.now() + 60_000;
    while (alive(serverPid) && Date.now() < until) await new Promise((wake) => setTimeout(wake, 50));
    expect(alive(serverPid)).toBe(false);
    expect(output).toMatch(/"signal":"SIGTERM".*shutting down/);
    await expect(fetch(`${url}/`)).rejects.toThrow();
  }, 120_000);
});
