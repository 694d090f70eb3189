/**
 * The one in-process starter: builds the whole standalone service with `createSesame(loadConfig(env))` and
 * `buildServer`, listening on a loopback port, over a fresh SQLite file unless the environment names another
 * database, with its log captured, so HTTP suites talk to it with a real client and can look inside.
 * @module
 */
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterEach } from 'vitest';
import { buildServer } from '../../src/bin/app.js';
import { loadConfig } from '../../src/config.js';
import type { Clock } from '../../src/kernel/clock.js';
import type { Storage } from '../../src/kernel/database/storage.js';
import type { PasswordHasher, StrengthEstimatorOptions } from '../../src/modules/password/index.js';
import { createSesame, type Sesame } from '../../src/sesame.js';
import { SLOW_MACHINE_DATABASE, SLOW_MACHINE_SCORING } from './settings.js';
import { makeTempDir } from './temp.js';

/** A running service. */
export interface Service {
  /** Base URL such as `http://127.0.0.1:41234`, no trailing slash. */
  readonly url: string;
  /** The service's own origin as a browser would send it in `Origin`. */
  readonly origin: string;
  /** The Fastify app, for tests that need its address. */
  readonly app: FastifyInstance;
  /** The services behind it. */
  readonly sesame: Sesame;
  /** The SQLite file in use, or undefined when the environment named a PostgreSQL database. */
  readonly databasePath: string | undefined;
  /** Everything logged so far (pino JSON lines). */
  logs(): string;
  /** Closes the app (and its database, Redis client and sweeper) and removes the temp dir it made, if any. */
  stop(): Promise<void>;
}

/** Options for {@link startService}. */
export interface StartOptions {
  /** Use this SQLite file (two services can share one); default a fresh file in a new temp dir. */
  readonly databasePath?: string;
  /** The services' clock (default the real one). */
  readonly clock?: Clock;
  /** The password hasher (default bcrypt at BCRYPT_COST). */
  readonly hasher?: PasswordHasher;
  /** What scores password strength and the clock its budgets use (default zxcvbn on worker threads, `performance.now`). */
  readonly strength?: Pick<StrengthEstimatorOptions, 'scorer' | 'now'>;
}

/** A writable stream that keeps what is written to it. */
export function captureStream(): { readonly stream: Writable; text(): string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

/**
 * Builds the service from environment-style settings (BCRYPT_COST=4, LOG_LEVEL=silent and no event-loop shedding unless
 * given), listens on
 * 127.0.0.1:0 and resolves once it accepts connections.
 */
export async function startService(env: Readonly<Record<string, string>> = {}, options: StartOptions = {}): Promise<Service> {
  const ownsDir = env['DATABASE_URL'] === undefined && options.databasePath === undefined;
  const dir = ownsDir ? makeTempDir('service') : undefined;
  const databasePath = env['DATABASE_URL'] !== undefined ? undefined : (options.databasePath ?? join(dir?.path ?? tmpdir(), 'sesame.db'));
  const config = loadConfig({
    BCRYPT_COST: '4',
    LOG_LEVEL: 'silent',
    // Suites run many services in one busy process: shedding on event-loop lag is proved on its own, with its own bound
    // (test/surfaces/ops/load-shedding.test.ts), and must not turn a slow CI machine into 503s elsewhere.
    MAX_EVENT_LOOP_DELAY: '0',
    ...SLOW_MACHINE_SCORING, ...SLOW_MACHINE_DATABASE,
    ...(databasePath === undefined ? {} : { DATABASE_URL: `sqlite:${databasePath}` }),
    // Development writes each message as an .eml file: into the service's temp dir, never the checkout.
    MAIL_OUTBOX_DIR: join(dir?.path ?? tmpdir(), 'outbox'),
    ...env,
    PORT: '0',
    HOST: '127.0.0.1',
  });
  const log = captureStream();
  const sesame = await createSesame(config, {
    logStream: log.stream,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.hasher === undefined ? {} : { hasher: options.hasher }),
    ...(options.strength === undefined ? {} : { strength: options.strength }),
  });
  const app = await buildServer(sesame);
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
  } catch (error) {
    await app.close();
    dir?.remove();
    throw error;
  }
  const { port } = app.server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  let stopped = false;
  return {
    url,
    origin: url,
    app,
    sesame,
    databasePath,
    logs: log.text,
    async stop() {
      if (stopped) return;
      stopped = true;
      await app.close();
      dir?.remove();
    },
  };
}

/**
 * Builds the services (no HTTP) over a database a test opened, from environment-style settings (BCRYPT_COST=4,
 * LOG_LEVEL=silent and no sweeper unless given): for suites that call services directly on both engines. The caller
 * closes the returned instance (which leaves the storage open) and the storage.
 */
export async function buildSesame(storage: Storage, env: Readonly<Record<string, string>> = {}, options: Omit<StartOptions, 'databasePath'> = {}): Promise<Sesame> {
  const config = loadConfig({ BCRYPT_COST: '4', LOG_LEVEL: 'silent', ...SLOW_MACHINE_SCORING, ...SLOW_MACHINE_DATABASE, ...env });
  return createSesame(config, {
    storage,
    sweeper: false,
    // Suites on these builders look at the outbox rows themselves; none needs messages leaving.
    mailDispatcher: false,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.hasher === undefined ? {} : { hasher: options.hasher }),
  });
}

/**
 * For a suite on {@link buildSesame}: returns a builder over the test's database (`storage()`), with `baseEnv` under
 * each call's own settings, and closes everything it built after each test.
 */
export function useServices(
  storage: () => Storage,
  baseEnv: Readonly<Record<string, string>>,
  clock: Clock,
): (env?: Readonly<Record<string, string>>, hasher?: PasswordHasher) => Promise<Sesame> {
  const opened: Sesame[] = [];
  afterEach(async () => {
    for (const built of opened.splice(0)) await built.close();
  });
  return async (env = {}, hasher) => {
    const built = await buildSesame(storage(), { ...baseEnv, ...env }, { clock, ...(hasher === undefined ? {} : { hasher }) });
    opened.push(built);
    return built;
  };
}
