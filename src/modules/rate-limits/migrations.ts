/**
 * The rate-limits module's migration: the counters table of rate-limiter-flexible's database stores.
 * @module
 */
import type { Kysely } from 'kysely';
import type { MigrationSet } from '../../kernel/database/migrator.js';

/** Creates `rate_limits`. */
export const rateLimitsMigrations: MigrationSet = () => ({
  '0002_rate_limits': {
    // Counters for rate-limiter-flexible's SQLite/PostgreSQL stores (its own column layout), created here rather
    // than by the library at start-up, so several processes starting at once cannot race to create it.
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('rate_limits')
        .addColumn('key', 'varchar(255)', (c) => c.primaryKey())
        .addColumn('points', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('expire', 'bigint')
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('rate_limits').execute();
    },
  },
});
