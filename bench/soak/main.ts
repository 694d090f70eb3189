/**
 * `npm run soak`: a long mixed load on the real server (PostgreSQL and a private Redis for the rate limits), with
 * faults injected on a schedule: the server's PostgreSQL connections killed, Redis paused and Redis stopped. Prints
 * requests by status, 5xx outside the fault windows (must be 0), latency per route and memory growth, and exits 1 when
 * either check fails. Not part of CI: `--duration 10m` (default), `--users 16`, `--cost 6`. With `--shedding` it shows
 * instead that session checks keep their latency while a login burst is shed (see shedding.ts).
 * @module
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDuration } from '../../src/kernel/config/duration.js';
import { openPostgresBench } from '../postgres-db.js';
import { killAllServers, startServer } from '../server-process.js';
import { killBackends, startSoakRedis, type FaultWindow } from './faults.js';
import { virtualUser, type Sample } from './load.js';
import { report } from './report.js';
import { runShedding } from './shedding.js';

/** Reads `--name value` from the command line. */
function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}

/** The resident memory of a process, in bytes (Linux). */
function rssOf(pid: number | undefined): number {
  if (pid === undefined) return 0;
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:')) ?? '';
  return Number(/(\d+)/.exec(line)?.[1] ?? 0) * 1024;
}

const sleep = (ms: number): Promise<void> => new Promise((wake) => setTimeout(wake, ms));

async function main(): Promise<void> {
  const durationMs = parseDuration(option('duration', '10m')) ?? 600_000;
  const users = Number(option('users', '16'));
  const cost = Number(option('cost', '6'));
  // A fault cycle every minute (or a sixth of a short run): kill the backends, pause Redis, stop Redis.
  const cycleMs = Math.min(60_000, Math.max(12_000, Math.floor(durationMs / 6)));
  const warmUpMs = Math.min(60_000, Math.floor(durationMs / 5));

  const database = await openPostgresBench();
  const redis = await startSoakRedis();
  const applicationName = `sesame-soak-${randomBytes(6).toString('hex')}`;
  const url = new URL(database.url);
  url.searchParams.set('application_name', applicationName);
  const logFile = join(tmpdir(), `sesame-soak-${Date.now()}.log`);
  const server = await startServer({
    databaseUrl: url.toString(),
    cost,
    workers: 1,
    probe: false,
    logFile,
    env: { LOG_LEVEL: 'warn', REDIS_URL: redis.url, RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_IP_MAX: '1000000', RATE_LIMIT_ACCOUNT_MAX: '1000', SWEEP_INTERVAL: '1m' },
  });
  console.log(`soak: ${durationMs / 1000} s, ${users} users, bcrypt cost ${cost}, fault cycle ${cycleMs / 1000} s; server log ${logFile}`);

  const samples: Sample[] = [];
  const windows: FaultWindow[] = [];
  const started = Date.now();
  const stop = (): boolean => Date.now() - started >= durationMs;
  const load = Promise.all(Array.from({ length: users }, () => virtualUser(server.url, stop, samples)));

  let rssWarm = 0;
  const faults = (async () => {
    await sleep(warmUpMs);
    rssWarm = rssOf(server.pid);
    while (!stop()) {
      const cycle = Date.now();
      const at = async (offset: number): Promise<void> => sleep(Math.max(0, cycle + offset - Date.now()));
      await at(cycleMs * 0.2);
      if (stop()) break;
      const killed: FaultWindow = { name: 'postgres backends killed', from: Date.now(), to: 0 };
      await killBackends(database.url, applicationName);
      killed.to = Date.now() + 2000;
      windows.push(killed);
      await at(cycleMs * 0.45);
      if (stop()) break;
      const paused: FaultWindow = { name: 'redis paused', from: Date.now(), to: 0 };
      redis.pause();
      await sleep(3000);
      redis.resume();
      paused.to = Date.now() + 1000;
      windows.push(paused);
      await at(cycleMs * 0.7);
      if (stop()) break;
      const stopped: FaultWindow = { name: 'redis stopped', from: Date.now(), to: 0 };
      await redis.stop();
      await sleep(3000);
      await redis.start();
      stopped.to = Date.now() + 3000;
      windows.push(stopped);
      await at(cycleMs);
    }
  })();

  await Promise.all([load, faults]);
  const rssEnd = rssOf(server.pid);
  await server.stop();
  await redis.stop();
  await database.drop();
  const result = report(samples, windows, rssWarm, rssEnd, Date.now() - started);
  console.log(result.text);
  if (result.unexpectedFailures > 0 || result.rssRatio > 1.1) process.exitCode = 1;
}

const run = process.argv.includes('--shedding') ? runShedding(parseDuration(option('duration', '20s')) ?? 20_000) : main();
run.catch((error: unknown) => {
  killAllServers();
  console.error(error);
  process.exitCode = 1;
});
