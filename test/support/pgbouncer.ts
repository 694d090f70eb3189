/**
 * A PgBouncer of the test's own, in transaction mode on a free loopback port in front of the shared PostgreSQL, with
 * a database of its own (a search_path in the URL cannot pass through PgBouncer, so a schema would not isolate it).
 * Stopping it stops only this PgBouncer and drops only that database.
 * @module
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { findFreePort, makeTempDir } from './built-server.js';
import { adminQuery, postgresBaseUrl, type Availability } from './engines.js';

/** Whether a `pgbouncer` binary is on the PATH, and if not, how to get one. */
export const pgbouncerAvailability: Availability =
  spawnSync('pgbouncer', ['--version'], { stdio: 'ignore' }).status === 0
    ? { ok: true }
    : { ok: false, reason: 'pgbouncer is not installed: `apt-get install -y pgbouncer` (.ci/run installs it where missing)' };

/** A running PgBouncer and the database behind it. */
export interface PrivatePgBouncer {
  /** `postgres://<user>@127.0.0.1:<port>/<database>`: a Sesame `DATABASE_URL` through PgBouncer. */
  readonly url: string;
  /** The first line of `pgbouncer --version`. */
  readonly version: string;
  /** Everything PgBouncer logged so far. */
  log(): string;
  /** Stops PgBouncer and drops its database. */
  stop(): Promise<void>;
}

/** Starts PgBouncer in transaction mode before a fresh database and resolves once a query passes through it. */
export async function startPgBouncer(): Promise<PrivatePgBouncer> {
  const base = new URL(postgresBaseUrl);
  const user = decodeURIComponent(base.username || 'root');
  const database = `sesame_pgb_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE "${database}"`);
  const dir = makeTempDir('pgbouncer');
  // PgBouncer refuses to run as root; it then runs as `postgres`, which must read its files.
  chmodSync(dir.path, 0o755);
  const port = await findFreePort();
  const config = join(dir.path, 'pgbouncer.ini');
  writeFileSync(join(dir.path, 'users.txt'), `"${user}" ""\n`, { mode: 0o644 });
  writeFileSync(
    config,
    [
      '[databases]',
      `${database} = host=${base.hostname} port=${base.port || '5432'} dbname=${database}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${join(dir.path, 'users.txt')}`,
      'pool_mode = transaction',
      // node-postgres sends statement_timeout as a start-up parameter, which PgBouncer refuses unless told to ignore it.
      'ignore_startup_parameters = extra_float_digits, statement_timeout',
      'default_pool_size = 4',
      '',
    ].join('\n'),
    { mode: 0o644 },
  );
  const runAs = process.getuid?.() === 0 ? ['-u', 'postgres'] : [];
  let output = '';
  const child: ChildProcess = spawn('pgbouncer', [...runAs, config], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const url = `postgres://${encodeURIComponent(user)}@127.0.0.1:${port}/${database}`;

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    dir.remove();
    await adminQuery(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  };

  const deadline = Date.now() + 60_000;
  for (;;) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      break;
    } catch (error) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline || child.exitCode !== null) {
        await stop();
        throw new Error(`PgBouncer did not come up: ${error instanceof Error ? error.message : String(error)}\n${output}`);
      }
      await new Promise((wake) => setTimeout(wake, 100));
    }
  }
  const version = (spawnSync('pgbouncer', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0] ?? '').trim();
  return { url, version, log: () => output, stop };
}
