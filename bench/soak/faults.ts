/**
 * The faults the soak injects on a schedule, each on something the soak itself started: the server's own PostgreSQL
 * connections (found by the unique `application_name` it gave them), and a private `redis-server` on its own port.
 * The machine's shared PostgreSQL and Redis are never stopped or flushed.
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import pg from 'pg';
import { freePort } from '../server-process.js';

/** A private Redis the soak can stop, start, pause and resume. */
export interface SoakRedis {
  readonly url: string;
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** Starts `redis-server` on a free loopback port, saving nothing to disk. */
export async function startSoakRedis(): Promise<SoakRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    child.once('error', (error) => {
      throw new Error(`soak: cannot start redis-server (apt-get install -y redis-server): ${error.message}`);
    });
    await new Promise((wake) => setTimeout(wake, 300));
  };
  const stop = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGCONT');
    running.kill('SIGKILL');
    await exited;
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, pause: () => child?.kill('SIGSTOP'), resume: () => child?.kill('SIGCONT'), stop, start };
}

/** Terminates every PostgreSQL backend of the server under soak (and only those), as a restart or failover would. */
export async function killBackends(adminUrl: string, applicationName: string): Promise<number> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const result = await client.query('select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1', [applicationName]);
    return result.rowCount ?? 0;
  } finally {
    await client.end();
  }
}

/** One injected fault: when it started and when its effects may last until (its window). */
export interface FaultWindow {
  readonly name: string;
  readonly from: number;
  to: number;
}
