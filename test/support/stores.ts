/**
 * The rate-limit stores suites run on (memory, SQLite and PostgreSQL through RATE_LIMIT_STORE=database, and Redis),
 * each giving a service environment over a fresh database. PostgreSQL and Redis are probed once (engines.ts,
 * redis.ts): when unreachable their tests are skipped with the reason in the title, except under CI=true where they fail.
 * @module
 */
import { Redis } from 'ioredis';
import { describe, it } from 'vitest';
import { createPostgresSchema, isCi, postgresAvailability, type Availability } from './engines.js';
import { redisAvailability, redisUrl } from './redis.js';
import { makeTempDir } from './temp.js';

/** The local Redis; `TEST_REDIS_URL` overrides it. */
export const REDIS_URL = redisUrl;
export { createPostgresSchema, isCi, postgresAvailability, type Availability } from './engines.js';
export { redisAvailability } from './redis.js';

/**
 * Deletes the Redis keys matching a glob pattern built from a test's own unique IPs, emails or tags; never flushes,
 * never touches anyone else's keys.
 */
export async function deleteRedisKeys(pattern: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/**
 * Waits until a service counts in Redis rather than in its in-memory insurance limiter: the service listens before
 * its Redis client has connected, and counts made meanwhile go to memory (see the start-up test in
 * rate-limits.test.ts). Probes with reset requests for `email` from fresh IPs drawn from `nextIp` (the caller
 * cleans their keys up), and looks for the IP counter in Redis.
 */
export async function awaitRedisCounting(baseUrl: string, nextIp: () => string, email: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await redis.connect();
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const ip = nextIp();
      await fetch(`${baseUrl}/reset_password`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': ip },
        body: new URLSearchParams({ email }).toString(),
      }).then((r) => r.text());
      if ((await redis.exists(`ip:reset-request:${ip}`)) === 1) return;
      await new Promise((wake) => setTimeout(wake, 25));
    }
    throw new Error(`the service at ${baseUrl} never counted in Redis`);
  } finally {
    redis.disconnect();
  }
}

/** The environment for services on one store, sharing one database; `cleanup` removes what `prepare` made. */
export interface StoreSetup {
  /** Settings every service of this setup gets (RATE_LIMIT_STORE, and DATABASE_URL or REDIS_URL as needed). */
  readonly env: Readonly<Record<string, string>>;
  /** A SQLite file the services should share, or undefined when env names the database. */
  readonly databasePath: string | undefined;
  /** Removes the temp dir or schema; on Redis also deletes the keys matching the given glob patterns. */
  cleanup(redisPatterns?: readonly string[]): Promise<void>;
}

/** One rate-limit store to run tests on. */
export interface StoreCase {
  /** Name for test titles. */
  readonly name: 'memory' | 'database-sqlite' | 'database-postgres' | 'redis';
  /** Whether counters are shared between processes on this store. */
  readonly shared: boolean;
  /** Whether the backend answered the probe. */
  readonly availability: Availability;
  /** Makes a fresh database (and store) for one test. */
  prepare(): Promise<StoreSetup>;
}

/** A SQLite setup in a fresh temp dir with the given extra settings. */
function sqliteSetup(env: Record<string, string>): StoreSetup {
  const dir = makeTempDir();
  return {
    env,
    databasePath: `${dir.path}/sesame.db`,
    cleanup: () => {
      dir.remove();
      return Promise.resolve();
    },
  };
}

/** Every store, in the order tests run on them. */
export const storeCases: readonly StoreCase[] = [
  { name: 'memory', shared: false, availability: { ok: true }, prepare: () => Promise.resolve(sqliteSetup({ RATE_LIMIT_STORE: 'memory' })) },
  {
    name: 'database-sqlite',
    shared: true,
    availability: { ok: true },
    prepare: () => Promise.resolve(sqliteSetup({ RATE_LIMIT_STORE: 'database' })),
  },
  {
    name: 'database-postgres',
    shared: true,
    availability: postgresAvailability,
    async prepare() {
      const schema = await createPostgresSchema();
      return { env: { RATE_LIMIT_STORE: 'database', DATABASE_URL: schema.url }, databasePath: undefined, cleanup: () => schema.drop() };
    },
  },
  {
    name: 'redis',
    shared: true,
    availability: redisAvailability,
    prepare() {
      const base = sqliteSetup({ RATE_LIMIT_STORE: 'redis', REDIS_URL });
      return Promise.resolve({
        ...base,
        async cleanup(patterns: readonly string[] = []) {
          await base.cleanup();
          for (const pattern of patterns) await deleteRedisKeys(pattern);
        },
      });
    },
  },
];

/** Set once the skip warning has been printed. */
const warned = new Set<string>();

/**
 * Defines one test per store, titled `<title> [<store>]`. A store whose backend is unreachable gets a skipped test
 * naming the reason, or under CI=true a failing one. `concurrent` runs the stores side by side (for tests that wait);
 * `knownBug` marks a test whose assertion fails today because of a reported bug.
 */
export function itOnStores(
  title: string,
  body: (store: StoreCase) => Promise<void>,
  options: {
    readonly concurrent?: boolean;
    readonly stores?: readonly StoreCase[];
    readonly timeout?: number;
    /** Marks a test that documents a known bug: it passes while the assertion fails (vitest `it.fails`). */
    readonly knownBug?: boolean;
  } = {},
): void {
  for (const store of options.stores ?? storeCases) {
    const name = `${title} [${store.name}]`;
    const define = options.knownBug === true ? it.fails : options.concurrent === true ? it.concurrent : it;
    const { availability } = store;
    if (availability.ok) {
      define(name, () => body(store), options.timeout);
    } else if (isCi) {
      define(name, () => {
        throw new Error(`CI=true and ${availability.reason}`);
      });
    } else {
      if (!warned.has(store.name)) {
        warned.add(store.name);
        console.warn(`[security] skipping ${store.name} tests: ${availability.reason}`);
      }
      it.skip(`${name} (skipped: ${availability.reason})`, () => body(store));
    }
  }
}

/**
 * A describe block that needs `availability`: run when the backend answered; otherwise skipped with the reason
 * (warned once), or under CI=true failed, as {@link itOnStores} does for single tests.
 */
export function describeOnEngine(engine: string, availability: Availability, title: string, body: () => void): void {
  if (availability.ok) {
    describe(title, body);
  } else if (isCi) {
    describe(title, () => {
      it(`needs ${engine}`, () => {
        throw new Error(`CI=true and ${availability.reason}`);
      });
    });
  } else {
    if (!warned.has(engine)) {
      warned.add(engine);
      console.warn(`[security] skipping ${engine} tests: ${availability.reason}`);
    }
    describe.skip(`${title} (skipped: ${availability.reason})`, body);
  }
}
