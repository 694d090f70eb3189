/**
 * The compiled `sesame` command as a child process, with a clean environment and a working directory of the test's
 * choosing (so a command that would create `./data/sesame.db` is caught creating it in a scratch directory). Every
 * `--json` run's lines are checked for the one JSON style (./json-style.ts) as they come back.
 * @module
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT, baseEnvironment } from './built-server.js';
import { expectJsonStyle } from './json-style.js';

/** The compiled CLI (`npm run build`). */
export const BUILT_CLI = join(REPO_ROOT, 'dist', 'src', 'bin', 'cli.js');

/** What a run of the CLI printed and how it ended. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `sesame ...args` with the given settings (and nothing of the developer's shell) to completion; with `--json`,
 * fails the test unless every line printed is JSON in the one style.
 */
export async function runCli(args: readonly string[], env: Readonly<Record<string, string>>, options: { readonly cwd?: string; readonly input?: string } = {}): Promise<CliRun> {
  const run = await spawnCli(args, env, options);
  if (args.includes('--json')) for (const line of run.stdout.split('\n').filter((text) => text !== '')) expectJsonStyle(JSON.parse(line), `sesame ${args.join(' ')}`, { verbatim: new Set(['texts']) });
  return run;
}

/** The child process behind {@link runCli}. */
function spawnCli(args: readonly string[], env: Readonly<Record<string, string>>, options: { readonly cwd?: string; readonly input?: string }): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BUILT_CLI, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...baseEnvironment(), ...env },
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Parses one JSON value per line. */
export function jsonLines(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
