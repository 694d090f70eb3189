/**
 * Starts the whole standalone service in-process with `createService(loadConfig(env))`, listening on a loopback port,
 * over a fresh SQLite file unless the environment names another database, with its log captured.
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../../src/config/config.js';
import { createService } from '../../../src/service.js';

/** A running service. */
export interface Service {
  /** Base URL such as `http://127.0.0.1:41234`, no trailing slash. */
  readonly url: string;
  /** The service's own origin as a browser would send it in `Origin`. */
  readonly origin: string;
  /** The Fastify app, for tests that need its address. */
  readonly app: FastifyInstance;
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
}

/** A scratch directory removed on demand. */
export interface TempDir {
  /** Absolute path. */
  readonly path: string;
  /** Deletes it with everything inside. */
  remove(): void;
}

/** Makes a fresh temp directory whose name says it belongs to the security suite. */
export function makeTempDir(): TempDir {
  const path = mkdtempSync(join(tmpdir(), 'sesame-security-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * Builds the service from environment-style settings (BCRYPT_COST=4 and LOG_LEVEL=silent unless given), listens on
 * 127.0.0.1:0 and resolves once it accepts connections.
 */
export async function startService(env: Readonly<Record<string, string>> = {}, options: StartOptions = {}): Promise<Service> {
  const ownsDir = env['DATABASE_URL'] === undefined && options.databasePath === undefined;
  const dir = ownsDir ? makeTempDir() : undefined;
  const databasePath =
    env['DATABASE_URL'] !== undefined ? undefined : (options.databasePath ?? join(dir?.path ?? tmpdir(), 'sesame.db'));
  const config = loadConfig({
    BCRYPT_COST: '4',
    LOG_LEVEL: 'silent',
    ...(databasePath === undefined ? {} : { DATABASE_URL: `sqlite:${databasePath}` }),
    ...env,
    PORT: '0',
    HOST: '127.0.0.1',
  });
  const chunks: string[] = [];
  const logStream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const app = await createService(config, { logStream });
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
    databasePath,
    logs: () => chunks.join(''),
    async stop() {
      if (stopped) return;
      stopped = true;
      await app.close();
      dir?.remove();
    },
  };
}
