/**
 * Builds rate-limiter-flexible counters on the configured store, so one process, several workers or several machines count alike.
 * @module
 */
import {
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRedis,
  RateLimiterSQLite,
  type IRateLimiterOptions,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import type { Redis } from 'ioredis';
import type { StorageClient } from '../../kernel/database/storage.js';

/**
 * Where counters live; `database` uses the service's own SQLite file or PostgreSQL pool, in the counters table under
 * the storage's table prefix (`Storage.tablePrefix`; default none), which the library is handed as a plain name.
 */
export type LimiterStore =
  | { readonly kind: 'memory' }
  | { readonly kind: 'redis'; readonly client: Redis }
  | { readonly kind: 'database'; readonly client: StorageClient; readonly tablePrefix?: string };

/** Table created by migration 0002, in the column layout rate-limiter-flexible expects. */
const TABLE = 'rate_limits';

/** Makes a counter of `points` per `durationSec` under a key prefix, on the given store. */
export function makeLimiter(store: LimiterStore, options: IRateLimiterOptions & { keyPrefix: string }): RateLimiterAbstract {
  switch (store.kind) {
    case 'memory':
      return new RateLimiterMemory(options);
    case 'redis':
      // If Redis stops answering, count in memory meanwhile rather than fail every login (fail safe, not open).
      return new RateLimiterRedis({ ...options, storeClient: store.client, insuranceLimiter: new RateLimiterMemory(options) });
    case 'database':
      return store.client.engine === 'sqlite'
        ? new RateLimiterSQLite({
            ...options,
            storeClient: store.client.database,
            storeType: 'better-sqlite3',
            tableName: `${store.tablePrefix ?? ''}${TABLE}`,
            tableCreated: true,
            clearExpiredByTimeout: false,
          })
        : new RateLimiterPostgres({
            ...options,
            storeClient: store.client.pool,
            tableName: `${store.tablePrefix ?? ''}${TABLE}`,
            tableCreated: true,
            clearExpiredByTimeout: false,
          });
  }
}
