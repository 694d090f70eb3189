/**
 * Runs the compiled standalone server (`node dist/src/server.js`, produced by `npm run build`) as a child process
 * with a clean environment, for tests of what the real entry point does at start-up.
 * @module
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTempDir } from './service.js';

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The compiled entry point. */
export const BUILT_SERVER = join(REPO_ROOT, 'dist', 'src', 'server.js');

/** Every setting Sesame reads; stripped from the inherited environment so a developer's shell cannot leak in. */
const SETTINGS = [
  'SESAME_PROFILE', 'PORT', 'HOST', 'DATABASE_URL', 'BCRYPT_COST', 'SESSION_TTL', 'RESET_TOKEN_TTL', 'LOG_LEVEL',
  'COOKIE_SECURE', 'SWEEP_INTERVAL', 'WORKERS', 'TRUSTED_ORIGINS', 'CSRF_PROTECTION', 'TRUST_PROXY',
  'RATE_LIMIT_ENABLED', 'RATE_LIMIT_STORE', 'REDIS_URL', 'RATE_LIMIT_IP_MAX', 'RATE_LIMIT_IP_WINDOW',
  'RATE_LIMIT_ACCOUNT_MAX', 'RATE_LIMIT_ACCOUNT_WINDOW', 'RATE_LIMIT_BLOCK_MAX', 'PASSWORD_MIN_LENGTH',
  'PASSWORD_CHECK_COMMON', 'RESET_TOKEN_DELIVERY', 'RESET_WEBHOOK_URL',
];

/** How a run ended and what it printed. */
export interface Run {
  /** Exit code, or null when a signal ended it. */
  readonly code: number | null;
  /** The signal that ended it, if any. */
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Whether the server logged that it was listening before it ended. */
  readonly listened: boolean;
}

/** Throws a clear instruction when `npm run build` has not been run. */
export function assertBuilt(): void {
  if (!existsSync(BUILT_SERVER)) throw new Error(`${BUILT_SERVER} is missing: run \`npm run build\` first`);
}

/**
 * Starts the built server with the given settings (on 127.0.0.1, port 0, a temp SQLite file) and waits for it to
 * end. A server that starts listening is sent SIGTERM at once (it has shown it accepted the settings); one that is
 * still running after `timeoutMs` is killed.
 */
export async function runBuiltServer(env: Readonly<Record<string, string>>, timeoutMs = 15_000): Promise<Run> {
  assertBuilt();
  const dir = makeTempDir();
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined && !SETTINGS.includes(entry[0])),
  );
  try {
    const child = spawn(process.execPath, [BUILT_SERVER], {
      cwd: REPO_ROOT,
      env: { ...inherited, PORT: '0', HOST: '127.0.0.1', DATABASE_URL: `sqlite:${join(dir.path, 'sesame.db')}`, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let listened = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (!listened && stdout.includes('Server listening at')) {
        listened = true;
        child.kill('SIGTERM');
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
      child.once('exit', (c, s) => resolve([c, s]));
    });
    clearTimeout(timer);
    return { code, signal, stdout, stderr, listened };
  } finally {
    dir.remove();
  }
}
