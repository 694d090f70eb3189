/**
 * Starts and stops the real server (`node dist/src/server.js`) as a child process for the bench, optionally with the probe preloaded.
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { PROBE_ENTRY, REPO_ROOT, SERVER_ENTRY } from './paths.js';
import type { EldReading, ProbeRequest, ProfileWritten } from './probe.js';
import { QUERY_ROUTE_ENV } from './query-route.js';

/** How the bench wants one server started. */
export interface ServerSpec {
  /** `DATABASE_URL` of the server. */
  readonly databaseUrl: string;
  /** `BCRYPT_COST` of the server. */
  readonly cost: number;
  /** `WORKERS` (1: a single process). */
  readonly workers: number;
  /** Preload the probe (event-loop delay over IPC, hello-world route); single process only. */
  readonly probe: boolean;
  /** File the server's stdout and stderr (its pino log) are appended to. */
  readonly logFile: string;
  /** Further settings for this server only (e.g. the production password policy). */
  readonly env?: Readonly<Record<string, string>>;
  /** With the probe on PostgreSQL: serve the bare-query route running this lookup for this session id hash. */
  readonly queryRoute?: QueryReference;
}

/** The session lookup the bare-query route runs: the service's SQL, and the id hash of a live seeded session. */
export interface QueryReference {
  /** The SQL of the service's session lookup (three parameters: id hash, now, idle cut-off). */
  readonly sql: string;
  /** The id hash of a live session. */
  readonly idHash: string;
}

/** A server the bench started. */
export interface BenchServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Process id of the server (the primary when WORKERS > 1). */
  readonly pid: number | undefined;
  /** Base URL of the probe's hello-world route, when the probe is loaded. */
  readonly helloUrl: string | undefined;
  /** Base URL of the probe's bare-query route, when asked for (PostgreSQL). */
  readonly queryUrl: string | undefined;
  /** Clears the recorded event-loop delay (probe only). */
  resetEld(): void;
  /** Marks the start of a loaded interval whose event-loop delay counts (probe only). */
  beginEld(): void;
  /** Marks its end: the interval's samples join the record (probe only). */
  endEld(): void;
  /** Reads the event-loop delay since the last reset (probe only). */
  readEld(): Promise<EldReading>;
  /** Starts the V8 CPU profiler inside the server (probe only). */
  startProfile(): void;
  /** Stops the profiler and resolves once the server has written the `.cpuprofile` to `file` (probe only). */
  stopProfile(file: string): Promise<void>;
  /** SIGTERM, then waits for the exit (SIGKILL after 15 s); resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Every child still running, so an interrupted bench can kill them on its way out. */
const live = new Set<ChildProcess>();

/** Kills every server the bench started and has not stopped yet (for an interrupted or failed run). */
export function killAllServers(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}

/** A free TCP port on 127.0.0.1 (listen on 0, close, reuse the number: cluster workers cannot share port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Resolves once `GET url` answers at all, or rejects when the child exits or 30 s pass. */
async function waitForHttp(url: string, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`server exited during start-up; its log (${logFile}):\n${readFileSync(logFile, 'utf8').slice(-4000)}`);
    }
    if (Date.now() > deadline) throw new Error(`server at ${url} did not answer within 30 s; see ${logFile}`);
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      return;
    } catch {
      await new Promise((wake) => setTimeout(wake, 50));
    }
  }
}

/** Resolves once the log file contains `text` (the cluster primary's readiness line), or rejects when the child exits or 30 s pass. */
async function waitForLog(text: string, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!readFileSync(logFile, 'utf8').includes(text)) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`server exited during start-up; its log (${logFile}):\n${readFileSync(logFile, 'utf8').slice(-4000)}`);
    }
    if (Date.now() > deadline) throw new Error(`server did not log ${JSON.stringify(text)} within 30 s; see ${logFile}`);
    await new Promise((wake) => setTimeout(wake, 50));
  }
}

/** Starts the server as specified on free loopback ports and resolves once it (and the probe's route) answer. */
export async function startServer(spec: ServerSpec): Promise<BenchServer> {
  const port = await freePort();
  const helloPort = spec.probe ? await freePort() : undefined;
  const queryPort = spec.probe && spec.queryRoute !== undefined ? await freePort() : undefined;
  const execArgv: string[] = [];
  if (spec.probe) execArgv.push('--import', PROBE_ENTRY);
  const log = openSync(spec.logFile, 'a');
  const child = spawn(process.execPath, [...execArgv, SERVER_ENTRY], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: spec.databaseUrl,
      BCRYPT_COST: String(spec.cost),
      WORKERS: String(spec.workers),
      LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'info',
      // A benchmark from one address is exactly what the rate limits exist to stop.
      RATE_LIMIT_ENABLED: 'false',
      ...(helloPort === undefined ? {} : { BENCH_HELLO_PORT: String(helloPort) }),
      ...(queryPort === undefined || spec.queryRoute === undefined
        ? {}
        : { [QUERY_ROUTE_ENV.port]: String(queryPort), [QUERY_ROUTE_ENV.sql]: spec.queryRoute.sql, [QUERY_ROUTE_ENV.idHash]: spec.queryRoute.idHash }),
      ...spec.env,
    },
    stdio: spec.probe ? ['ignore', log, log, 'ipc'] : ['ignore', log, log],
  });
  closeSync(log);
  live.add(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then(() => live.delete(child));

  const url = `http://127.0.0.1:${port}`;
  const helloUrl = helloPort === undefined ? undefined : `http://127.0.0.1:${helloPort}`;
  const queryUrl = queryPort === undefined ? undefined : `http://127.0.0.1:${queryPort}`;
  try {
    if (spec.workers > 1) await waitForLog('all workers are listening', child, spec.logFile);
    await waitForHttp(`${url}/`, child, spec.logFile);
    if (helloUrl !== undefined) await waitForHttp(`${helloUrl}/`, child, spec.logFile);
    if (queryUrl !== undefined) await waitForHttp(`${queryUrl}/`, child, spec.logFile);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }

  const ask = (request: ProbeRequest): void => {
    if (!child.connected) throw new Error('bench: the server was started without the probe');
    child.send(request);
  };
  return {
    url,
    pid: child.pid,
    helloUrl,
    queryUrl,
    resetEld: () => ask({ type: 'eld:reset' }),
    beginEld: () => ask({ type: 'eld:begin' }),
    endEld: () => ask({ type: 'eld:end' }),
    readEld: () =>
      new Promise<EldReading>((resolve) => {
        const onMessage = (message: EldReading): void => {
          if (message.type !== 'eld') return;
          child.off('message', onMessage);
          resolve(message);
        };
        child.on('message', onMessage);
        ask({ type: 'eld:read' });
      }),
    startProfile: () => ask({ type: 'prof:start' }),
    stopProfile: (file) =>
      new Promise<void>((resolve) => {
        const onMessage = (message: ProfileWritten): void => {
          if (message.type !== 'prof:written') return;
          child.off('message', onMessage);
          resolve();
        };
        child.on('message', onMessage);
        ask({ type: 'prof:stop', file });
      }),
    stop: async () => {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
