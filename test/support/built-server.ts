/**
 * The one built-server runner: starts the compiled standalone server (`node dist/src/bin/server.js`, produced by
 * `npm run build`) in a child process with a clean environment, over a fresh SQLite file, for tests of what the real
 * entry point does (start-up, signals, workers, the seed's Python client).
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SETTING_NAMES, type LogLevel } from '../../src/config.js';
import { SLOW_MACHINE_DATABASE, SLOW_MACHINE_SCORING } from './settings.js';
import { makeTempDir } from './temp.js';

export { makeTempDir, type TempDir } from './temp.js';

/** The repository root, so the built server is found whatever the working directory. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Path of the compiled standalone server that `npm run build` produces. */
export const BUILT_SERVER = join(REPO_ROOT, 'dist', 'src', 'bin', 'server.js');

/** Levels at which the server logs its "Server listening at" line, so the port can be read from the log. */
const LEVELS_WITH_INFO: readonly LogLevel[] = ['info', 'debug', 'trace'];

/** How a child process ended: its exit code, or the signal that killed it. */
export interface ExitStatus {
  /** Exit code, or null when a signal ended the process. */
  readonly code: number | null;
  /** The signal that ended the process, or null when it exited by itself. */
  readonly signal: NodeJS.Signals | null;
}

/** Options for {@link startBuiltServer}. */
export interface BuiltServerOptions {
  /** SQLite file to use; default a fresh file in a new temp dir, deleted on stop. */
  readonly databasePath?: string;
  /** Pino level for the child (default `info`, which also lets the port be read from the log). */
  readonly logLevel?: LogLevel;
  /** Extra environment variables, applied last (they may override the defaults set here). */
  readonly env?: Readonly<Record<string, string>>;
  /** How long to wait for the server to listen, in ms (default 15 s). */
  readonly startTimeoutMs?: number;
}

/** A built server running in a child process. */
export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:43125`, without a trailing slash. */
  readonly url: string;
  /** The SQLite file the server uses. */
  readonly databasePath: string;
  /** The child's process id. */
  readonly pid: number;
  /** Sends SIGTERM and resolves once the process has exited (and its temp dir, if any, is gone). */
  stop(): Promise<void>;
  /** Everything the server wrote to stdout so far: its pino JSON log, one object per line. */
  logs(): string;
  /** Everything the server wrote to stderr so far. */
  stderr(): string;
  /** The exit code once the process has exited, else null (also null when a signal killed it). */
  exitCode(): number | null;
  /** Resolves with the exit status when the process ends, however it ends. */
  readonly exited: Promise<ExitStatus>;
}

/** Finds a free TCP port on 127.0.0.1 by listening on port 0 and closing again (only for levels that hide the listen log). */
export async function findFreePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolvePort(port));
    });
  });
}

/**
 * An environment for the child: the parent's, minus every setting Sesame reads, so a developer's shell cannot leak in;
 * and no shedding on event-loop lag, which a busy test machine (several servers and suites on two cores) would
 * trigger where no test asks for it (test/surfaces/ops/load-shedding.test.ts proves it on its own).
 */
export function baseEnvironment(): Record<string, string> {
  const settings = new Set(SETTING_NAMES);
  // As in-process services: no shedding on a busy machine's event-loop lag, and no scoring cap a busy machine hits.
  const env: Record<string, string> = { MAX_EVENT_LOOP_DELAY: '0', ...SLOW_MACHINE_SCORING, ...SLOW_MACHINE_DATABASE };
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !settings.has(key)) env[key] = value;
  }
  return env;
}

/** Throws a clear instruction when the server has not been compiled yet. */
function assertBuilt(): void {
  if (!existsSync(BUILT_SERVER)) {
    throw new Error(`${BUILT_SERVER} is missing: run \`npm run build\` before the end-to-end tests`);
  }
}

/** Collects a stream's text as it arrives. */
function collect(stream: NodeJS.ReadableStream | null): { text(): string } {
  const chunks: string[] = [];
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => chunks.push(chunk));
  return { text: () => chunks.join('') };
}

/** Turns a child's `exit` event into a promise of its status. */
function exitOf(child: ChildProcess): Promise<ExitStatus> {
  return new Promise((resolveExit) => {
    child.once('exit', (code, signal) => resolveExit({ code, signal }));
    // A process that could not be spawned emits only 'error'; report it as ended without a code.
    child.once('error', () => resolveExit({ code: null, signal: null }));
  });
}

/** The listening URL from a `Server listening at <url>` pino line, or undefined when the text holds none yet. */
export function listeningUrlFrom(log: string): string | undefined {
  for (const line of log.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line) as { msg?: unknown };
      if (typeof entry.msg === 'string' && entry.msg.startsWith('Server listening at ')) {
        return entry.msg.slice('Server listening at '.length).trim();
      }
    } catch {
      // A partial line still arriving: look again on the next chunk.
    }
  }
  return undefined;
}

/** Polls `GET /` until the server answers, for log levels that do not print the listening line. */
async function waitUntilAnswering(url: string, deadline: number, exited: () => boolean): Promise<void> {
  while (Date.now() < deadline && !exited()) {
    try {
      const response = await fetch(`${url}/`);
      await response.body?.cancel();
      return;
    } catch {
      await new Promise((wake) => setTimeout(wake, 50));
    }
  }
  throw new Error(`server at ${url} did not answer in time`);
}

/**
 * Starts `node dist/src/server.js` on 127.0.0.1 with a free port, BCRYPT_COST=4 and a SQLite file, and resolves once
 * it listens; at info level and below it passes PORT=0 and reads the port from the log, which cannot race.
 */
export async function startBuiltServer(options: BuiltServerOptions = {}): Promise<RunningServer> {
  assertBuilt();
  const logLevel = options.logLevel ?? 'info';
  const tempDir = options.databasePath === undefined ? makeTempDir('e2e') : undefined;
  const databasePath = options.databasePath ?? join(tempDir?.path ?? tmpdir(), 'sesame.db');
  const portFromLog = LEVELS_WITH_INFO.includes(logLevel);
  const port = portFromLog ? 0 : await findFreePort();

  const child = spawn(process.execPath, [BUILT_SERVER], {
    cwd: REPO_ROOT,
    env: {
      ...baseEnvironment(),
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: `sqlite:${databasePath}`,
      // Development writes each message as an .eml file: beside the database, not in the checkout.
      MAIL_OUTBOX_DIR: join(dirname(databasePath), 'outbox'),
      BCRYPT_COST: '4',
      LOG_LEVEL: logLevel,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout = collect(child.stdout);
  const stderr = collect(child.stderr);
  let status: ExitStatus | undefined;
  const exited = exitOf(child).then((result) => {
    status = result;
    tempDir?.remove();
    return result;
  });

  const stop = async (): Promise<void> => {
    if (status === undefined) child.kill('SIGTERM');
    await exited;
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  let url: string | undefined;
  try {
    if (portFromLog) {
      while (url === undefined) {
        if (status !== undefined) throw new Error('server exited before listening');
        if (Date.now() > deadline) throw new Error('server did not log "Server listening at" in time');
        url = listeningUrlFrom(stdout.text());
        if (url === undefined) await new Promise((wake) => setTimeout(wake, 20));
      }
    } else {
      url = `http://127.0.0.1:${port}`;
      await waitUntilAnswering(url, deadline, () => status !== undefined);
    }
  } catch (error) {
    await stop();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${reason} (exit ${JSON.stringify(status)})\nstdout:\n${stdout.text()}\nstderr:\n${stderr.text()}`);
  }

  return {
    url: url.replace(/\/+$/, ''),
    databasePath,
    pid: child.pid ?? -1,
    stop,
    logs: stdout.text,
    stderr: stderr.text,
    exitCode: () => status?.code ?? null,
    exited,
  };
}

/** What a server process printed before it exited by itself. */
export interface FinishedRun extends ExitStatus {
  /** Its stdout. */
  readonly stdout: string;
  /** Its stderr. */
  readonly stderr: string;
}

/**
 * Runs the built server with the given environment overrides and waits for it to exit by itself (for bad settings);
 * a server that is still running after `timeoutMs` is killed and the result says SIGKILL.
 */
export async function runBuiltServerToExit(env: Readonly<Record<string, string>>, timeoutMs = 60_000): Promise<FinishedRun> {
  assertBuilt();
  const tempDir = makeTempDir('bad-env');
  try {
    const child = spawn(process.execPath, [BUILT_SERVER], {
      cwd: REPO_ROOT,
      env: {
        ...baseEnvironment(),
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: `sqlite:${join(tempDir.path, 'sesame.db')}`,
        BCRYPT_COST: '4',
        LOG_LEVEL: 'info',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout = collect(child.stdout);
    const stderr = collect(child.stderr);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const status = await exitOf(child);
    clearTimeout(timer);
    return { ...status, stdout: stdout.text(), stderr: stderr.text() };
  } finally {
    tempDir.remove();
  }
}

/** How a run of {@link runBuiltServer} ended and what it printed. */
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

/**
 * Starts the built server with the given settings (on 127.0.0.1, port 0, a temp SQLite file) and waits for it to
 * end. A server that starts listening is sent SIGTERM at once (it has shown it accepted the settings); one that is
 * still running after `timeoutMs` is killed.
 */
export async function runBuiltServer(env: Readonly<Record<string, string>>, timeoutMs = 60_000): Promise<Run> {
  assertBuilt();
  const dir = makeTempDir('run');
  try {
    const child = spawn(process.execPath, [BUILT_SERVER], {
      cwd: REPO_ROOT,
      env: { ...baseEnvironment(), PORT: '0', HOST: '127.0.0.1', DATABASE_URL: `sqlite:${join(dir.path, 'sesame.db')}`, ...env },
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
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolvePair) => {
      child.once('exit', (c, s) => resolvePair([c, s]));
    });
    clearTimeout(timer);
    return { code, signal, stdout, stderr, listened };
  } finally {
    dir.remove();
  }
}
