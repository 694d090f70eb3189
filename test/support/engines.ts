/**
 * The engine harness: lets one suite run unchanged against SQLite (a real temporary file) and PostgreSQL (an
 * isolated schema per database), so every storage-level behaviour is proven on both engines without mocks.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe } from 'vitest';
import { redactUrl, type Engine, type Storage, type StorageOptions } from '../../src/kernel/database/storage.js';
import { openStorage } from '../../src/sesame.js';

/** Default PostgreSQL server for tests: the local trust-auth server's `test` database. */
const DEFAULT_POSTGRES_URL = 'postgres://root@127.0.0.1:5432/test';

/** How long the reachability probe waits for PostgreSQL before declaring it down, in ms. */
const PROBE_TIMEOUT_MS = 2000;

/** Base URL of the PostgreSQL test database: `TEST_DATABASE_URL` when set, so CI can point elsewhere. */
export const postgresBaseUrl: string = process.env.TEST_DATABASE_URL ?? DEFAULT_POSTGRES_URL;

/** True under CI, where an unreachable PostgreSQL must fail the run instead of quietly skipping half of it. */
export const isCi: boolean = process.env.CI === 'true';

/** A storage opened by the harness, which also knows how to reopen or remove the database behind it. */
export interface TestStorage extends Storage {
  /** The URL the storage was opened with, for messages and for tests that open a second handle. */
  readonly url: string;
  /** Closes the connection and removes the database (the SQLite file, or the PostgreSQL schema with CASCADE). */
  close(): Promise<void>;
  /** Closes the connection but keeps the database, so {@link TestStorage.reopen} can simulate a restart. */
  detach(): Promise<void>;
  /** Opens the same database again (migrations run again), as a restarted server would. */
  reopen(options?: OpenOptions): Promise<TestStorage>;
}

/** One engine a suite runs on: its name and a factory for fresh, migrated, isolated databases. */
export interface EngineCase {
  /** Which engine this is; also used in suite titles. */
  readonly name: Engine;
  /** Opens a new, empty database on this engine with every migration applied. */
  open(options?: OpenOptions): Promise<TestStorage>;
}

/** How the harness opens a database: the storage knobs, and optionally a migration to stop at (an older schema). */
export type OpenOptions = StorageOptions & { readonly upTo?: string };

/** Whether PostgreSQL answered the probe, and if not, the message to skip or fail with. */
export type Availability = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Removes every database the harness created and nobody closed yet (a test that failed midway leaves some). */
const leftovers = new Map<string, () => Promise<void>>();

/** Runs every pending cleanup, so a failed test never leaves a schema or temp file behind. */
async function removeLeftovers(): Promise<void> {
  const pending = [...leftovers.values()];
  leftovers.clear();
  await Promise.allSettled(pending.map((cleanup) => cleanup()));
}

/** Wraps a just-opened storage with reopen/detach/close that also remove the database on close. */
function wrap(
  storage: Storage,
  url: string,
  key: string,
  remove: () => Promise<void>,
  reopen: (options?: OpenOptions) => Promise<TestStorage>,
): TestStorage {
  let closed = false;
  const release = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await storage.close();
  };
  return {
    ...storage,
    url,
    detach: release,
    reopen,
    async close() {
      await release();
      leftovers.delete(key);
      await remove();
    },
  };
}

/** Opens a SQLite file inside its own temp directory, removing the directory on close. */
function openSqliteAt(dir: string, options?: OpenOptions): Promise<TestStorage> {
  const url = `sqlite:${join(dir, 'sesame.db')}`;
  const remove = (): Promise<void> => {
    rmSync(dir, { recursive: true, force: true });
    return Promise.resolve();
  };
  leftovers.set(dir, remove);
  return openStorage(url, options).then(
    (storage) => wrap(storage, url, dir, remove, (again) => openSqliteAt(dir, again)),
    async (error: unknown) => {
      leftovers.delete(dir);
      await remove();
      throw error;
    },
  );
}

/**
 * How long an admin statement (creating or dropping a test's schema) may wait to connect: the probe's short bound is for
 * "is PostgreSQL there at all", answered once; beside busy suites a connection can take longer than that.
 */
const ADMIN_CONNECT_TIMEOUT_MS = 60_000;

/** Runs one statement on a short-lived admin connection to the base PostgreSQL database. */
export async function adminQuery(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgresBaseUrl, connectionTimeoutMillis: ADMIN_CONNECT_TIMEOUT_MS });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** The base URL with `options=-c search_path=<schema>`, so every pooled connection works inside that schema. */
export function urlForSchema(schema: string): string {
  const url = new URL(postgresBaseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

/** Opens storage on a PostgreSQL schema that already exists, dropping the schema on close. */
function openPostgresSchema(schema: string, options?: OpenOptions): Promise<TestStorage> {
  const url = urlForSchema(schema);
  const remove = (): Promise<void> => adminQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  leftovers.set(schema, remove);
  return openStorage(url, options).then(
    (storage) => wrap(storage, url, schema, remove, (again) => openPostgresSchema(schema, again)),
    async (error: unknown) => {
      leftovers.delete(schema);
      await remove();
      throw error;
    },
  );
}

/** Probes PostgreSQL once with a short timeout; never throws. */
async function probePostgres(): Promise<Availability> {
  const client = new pg.Client({ connectionString: postgresBaseUrl, connectionTimeoutMillis: PROBE_TIMEOUT_MS });
  client.on('error', () => undefined);
  const started = Date.now();
  try {
    await client.connect();
    await client.query('SELECT 1');
    return { ok: true };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const detail = Date.now() - started >= PROBE_TIMEOUT_MS - 50 ? `no answer within ${PROBE_TIMEOUT_MS} ms: ${message}` : message;
    return {
      ok: false,
      reason:
        `PostgreSQL at ${redactUrl(postgresBaseUrl)} is unreachable (${detail}): start it with ` +
        '`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`',
    };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Whether PostgreSQL is reachable, probed once when this module loads so suites can decide at collection time. */
export const postgresAvailability: Availability = await probePostgres();

/** The SQLite engine: each `open()` gets a fresh file under the OS temp directory. */
export const sqliteEngine: EngineCase = {
  name: 'sqlite',
  open: (options) => openSqliteAt(mkdtempSync(join(tmpdir(), 'sesame-test-')), options),
};

/** The PostgreSQL engine: each `open()` gets its own `sesame_test_<random>` schema in the test database. */
export const postgresEngine: EngineCase = {
  name: 'postgres',
  async open(options) {
    if (!postgresAvailability.ok) throw new Error(postgresAvailability.reason);
    const schema = `sesame_test_${randomBytes(6).toString('hex')}`;
    await adminQuery(`CREATE SCHEMA "${schema}"`);
    return openPostgresSchema(schema, options);
  },
};

/**
 * Both engines, in the order suites run them; `TEST_ENGINES=sqlite` narrows a run to one (the mutation runs do, since a
 * mutant of engine-neutral code dies or survives alike on both, at twice the cost). CI always runs both.
 */
export const engines: readonly EngineCase[] = [sqliteEngine, postgresEngine].filter(
  (engine) => isCi || process.env.TEST_ENGINES === undefined || process.env.TEST_ENGINES.split(',').includes(engine.name),
);

/** Set once the skip reason has been printed, so a run warns once rather than once per suite. */
let warnedSkip = false;

/**
 * Defines one `describe` block per engine, titled `<title> [<engine>]`. When PostgreSQL is unreachable its block is
 * skipped with the reason in its title (and one console warning), or, under `CI=true`, fails in `beforeAll`.
 * Databases a failed test left open are removed after each block.
 */
export function describeEngines(title: string, body: (engine: EngineCase) => void): void {
  for (const engine of engines) {
    const availability: Availability = engine.name === 'postgres' ? postgresAvailability : { ok: true };
    if (availability.ok) {
      describe(`${title} [${engine.name}]`, () => {
        afterAll(removeLeftovers);
        body(engine);
      });
    } else if (isCi) {
      describe(`${title} [${engine.name}]`, () => {
        beforeAll(() => {
          throw new Error(availability.reason);
        });
        body(engine);
      });
    } else {
      if (!warnedSkip) {
        warnedSkip = true;
        console.warn(`[engines] skipping PostgreSQL suites: ${availability.reason}`);
      }
      describe.skip(`${title} [${engine.name}] (skipped: ${availability.reason})`, () => body(engine));
    }
  }
}

/**
 * Gives each test in the enclosing block a fresh database on the engine, closed and removed after the test;
 * returns a getter because the storage only exists once `beforeEach` has run.
 */
export function useFreshStorage(engine: EngineCase, options?: OpenOptions): () => TestStorage {
  let current: TestStorage | undefined;
  beforeEach(async () => {
    current = await engine.open(options);
  });
  afterEach(async () => {
    const storage = current;
    current = undefined;
    await storage?.close();
  });
  return () => {
    if (current === undefined) throw new Error('useFreshStorage: storage is only available inside a test');
    return current;
  };
}

/**
 * A fresh, empty PostgreSQL schema and a `DATABASE_URL` whose connections work inside it, for tests that start a
 * whole service on PostgreSQL; `drop` removes it with everything in it.
 */
export async function createPostgresSchema(label = 'svc'): Promise<{ readonly url: string; drop(): Promise<void> }> {
  if (!postgresAvailability.ok) throw new Error(postgresAvailability.reason);
  const schema = `sesame_${label}_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE SCHEMA "${schema}"`);
  return { url: urlForSchema(schema), drop: () => adminQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`) };
}
