/**
 * What the rate-limits module does to the database itself: the counters are rate-limiter-flexible's, but expired ones
 * are Sesame's to delete (the library's own timer is off, so several processes do not each sweep).
 * @module
 */
import type { Executor } from '../../kernel/database/tables.js';

/** Deletes counters whose window has ended; returns how many. */
export async function purgeExpiredCounters(db: Executor, now: number): Promise<number> {
  const result = await db.deleteFrom('rate_limits').where('expire', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
