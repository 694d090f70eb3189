/**
 * A `redis-server` of the test's own, on a free loopback port with nothing saved to disk, so a fault test can stop,
 * pause (SIGSTOP) and resume it without touching the machine's shared Redis.
 * @module
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { findFreePort } from './built-server.js';
import type { Availability } from './engines.js';

/** Whether a `redis-server` binary is on the PATH, and if not, how to get one. */
export const redisServerAvailability: Availability =
  spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0
    ? { ok: true }
    : { ok: false, reason: 'redis-server is not installed: `apt-get install -y redis-server` (the fault tests start one of their own)' };

/** A private Redis the test controls. */
export interface PrivateRedis {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  /** Freezes the server (SIGSTOP): connections stay open, nothing answers. */
  pause(): void;
  /** Thaws it (SIGCONT). */
  resume(): void;
  /** Stops it; connections are refused until {@link PrivateRedis.start}. */
  stop(): Promise<void>;
  /** Starts it again on the same port (empty). */
  start(): Promise<void>;
  /** How many keys it holds (answers only while it runs). */
  keyCount(): Promise<number>;
  /** Empties it. */
  flush(): Promise<void>;
}

/** Starts a private `redis-server` and resolves once it answers; stop it with {@link PrivateRedis.stop}. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await findFreePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;

  const query = async <T>(work: (client: Redis) => Promise<T>): Promise<T> => {
    const client = new Redis(url, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return await work(client);
    } finally {
      client.disconnect();
    }
  };

  const start = async (): Promise<void> => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        await query((client) => client.ping());
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((wake) => setTimeout(wake, 50));
      }
    }
  };

  const stop = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null) return;
    running.kill('SIGCONT');
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };

  await start();
  return {
    url,
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    stop,
    start,
    keyCount: () => query((client) => client.dbsize()),
    flush: () => query(async (client) => void (await client.flushall())),
  };
}
