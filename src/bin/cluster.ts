/**
 * Several server processes on one port (`WORKERS` > 1): the primary migrates the database once, forks the workers with `node:cluster` and relays a stop signal to them.
 * @module
 */
import cluster, { type Worker } from 'node:cluster';
import { hostname } from 'node:os';
import type { Config, LogLevel } from '../config.js';
import { openStorage } from '../sesame.js';
import { serveClusterMetrics } from '../surfaces/ops/cluster-metrics.js';

/** Pino's numeric levels, so the primary's few log lines look like the workers' (which log through Fastify's pino). */
const LEVELS: Record<LogLevel, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };

/** Writes one pino-shaped JSON line to stdout when `level` is enabled by the configured log level. */
function log(config: Config, level: Exclude<LogLevel, 'silent'>, fields: object, msg: string): void {
  if (LEVELS[level] < LEVELS[config.log.level]) return;
  const line = { level: LEVELS[level], time: Date.now(), pid: process.pid, hostname: hostname(), role: 'primary', ...fields, msg };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

/**
 * Runs the cluster primary: applies pending migrations once (so workers never race on them), forks `config.server.workers`
 * workers that each run the ordinary server on the shared port, and forwards SIGTERM/SIGINT to them. Each worker
 * then stops accepting, finishes its requests in flight, closes the database and exits 0; the primary exits when the
 * last worker has gone, with 0 if every worker exited cleanly. A worker that dies is not restarted: the primary keeps
 * serving with the rest and exits 1 once none is left, for the supervisor to restart.
 */
export async function runPrimary(config: Config): Promise<void> {
  const storage = await openStorage(config.database.url, {
    connectTimeoutMs: config.database.connectTimeoutMs,
    preparedStatements: config.database.preparedStatements,
    // The workers open the database under this prefix: the primary must migrate those tables, not unprefixed ones.
    tablePrefix: config.database.tablePrefix,
    startupWaitMs: config.database.startupWaitMs,
    onRetry: (attempt, error, retryInMs) =>
      log(config, 'warn', { attempt, retryInMs, reason: error instanceof Error ? error.message : String(error) }, 'database not reachable yet: trying again'),
  });
  await storage.close();

  const workers = new Set<Worker>();
  let stopping = false;
  let failed = false;
  let listening = 0;

  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    log(config, 'info', { signal, workers: workers.size }, 'shutting down: stopping every worker');
    for (const worker of workers) worker.process.kill('SIGTERM');
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  cluster.on('listening', (worker) => {
    listening += 1;
    if (listening === config.server.workers) log(config, 'info', { workers: config.server.workers, port: config.server.port }, 'all workers are listening');
    log(config, 'debug', { worker: worker.process.pid }, 'worker is listening');
  });
  cluster.on('exit', (worker, code, signal) => {
    workers.delete(worker);
    // A worker killed by our own SIGTERM before it had installed its handler (still starting up) counts as clean.
    const clean = code === 0 || (stopping && signal === 'SIGTERM');
    if (!clean) failed = true;
    if (!stopping) log(config, 'error', { worker: worker.process.pid, code, signal }, 'worker exited unexpectedly; not restarted');
    if (workers.size === 0) {
      log(config, failed ? 'error' : 'info', { failed }, 'every worker has exited');
      process.exit(failed ? 1 : 0);
    }
  });

  // Workers answer /metrics with the group's totals, which only the primary can gather (it holds the IPC channels).
  if (config.ops.metricsEnabled) serveClusterMetrics(cluster);
  for (let i = 0; i < config.server.workers; i += 1) workers.add(cluster.fork());
}
