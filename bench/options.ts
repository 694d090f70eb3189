/**
 * The bench's command-line options (`npm run bench -- --duration 10 --users 1000000 --db postgres`), parsed and checked.
 * @module
 */
import { parseArgs } from 'node:util';

/** Every option of the bench, with defaults applied. */
export interface BenchOptions {
  /** Seconds of measured load per row. */
  readonly duration: number;
  /** Seconds of unmeasured load before each row, so the JIT and the caches are warm. */
  readonly warmup: number;
  /** Concurrent connections of the load generator; also the concurrency of the bcrypt bound. */
  readonly connections: number;
  /** Users in the large-database row (the baseline row always has {@link BASELINE_USERS}). */
  readonly users: number;
  /** Database engine. */
  readonly db: 'sqlite' | 'postgres';
  /** BCRYPT_COST of the server and of the bcrypt bound. */
  readonly cost: number;
  /** Also take a CPU profile of the server under `GET /profile` load and print its top self-time functions. */
  readonly cpuProf: boolean;
  /** Run only the start-up rows (bench/startup.ts), about half a minute: for iterating on what loads at start. */
  readonly startupOnly: boolean;
  /** Run only the breach-filter step (bench/breach-filter.ts). */
  readonly breachOnly: boolean;
  /** Entries of the breach filter the breach-filter step builds. */
  readonly breachEntries: number;
}

/** Users in the baseline database, the figure every other row's database size is compared with. */
export const BASELINE_USERS = 10_000;

const USAGE = `usage: npm run bench -- [options]
  --duration S      seconds of measured load per row (default 5)
  --warmup S        seconds of unmeasured load before each row (default 1)
  --connections N   concurrent connections, also the bcrypt bound's concurrency (default 10)
  --users N         users in the large-database GET /profile row (default 100000; try 1000000)
  --db ENGINE       sqlite (default) or postgres (DATABASE_URL, default postgres://root@127.0.0.1:5432/test)
  --cost N          BCRYPT_COST (default 12, the service default)
  --cpu-prof        also profile the server under GET /profile load and print the top self-time functions
  --startup-only    only the start-up rows (RSS, spawn to first answer, import time against bare Fastify)
  --breach-only     only the breach-filter step (build throughput, load time, RSS added, lookup time)
  --breach-entries N  entries of the breach filter built (default 1000000; the whole HIBP corpus is about 930000000)`;

/** Parses a whole number option within bounds, or throws a usage error naming it. */
function whole(name: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`--${name} must be a whole number from ${min} to ${max}\n${USAGE}`);
  return value;
}

/** Reads the options from argv (without node and the script); `--help` prints the usage and exits. */
export function parseOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      users: { type: 'string' },
      db: { type: 'string' },
      cost: { type: 'string' },
      'cpu-prof': { type: 'boolean' },
      'startup-only': { type: 'boolean' },
      'breach-only': { type: 'boolean' },
      'breach-entries': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const db = values.db ?? 'sqlite';
  if (db !== 'sqlite' && db !== 'postgres') throw new Error(`--db must be sqlite or postgres\n${USAGE}`);
  return {
    duration: whole('duration', values.duration, 5, 1, 3600),
    warmup: whole('warmup', values.warmup, 1, 0, 600),
    connections: whole('connections', values.connections, 10, 1, 1000),
    users: whole('users', values.users, 100_000, 0, 100_000_000),
    db,
    cost: whole('cost', values.cost, 12, 4, 31),
    cpuProf: values['cpu-prof'] === true,
    startupOnly: values['startup-only'] === true,
    breachOnly: values['breach-only'] === true,
    breachEntries: whole('breach-entries', values['breach-entries'], 1_000_000, 1, 2_000_000_000),
  };
}
