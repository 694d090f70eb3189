/**
 * The rate-limits module's public face: brute-force limits over memory, Redis or the database, their settings, the
 * counter keys and the route guards. Other modules import from here only.
 * @module
 */
export { rateLimitsMigrations } from './migrations.js';
export { rateLimitsConfig, type RateLimitConfig, type RateLimitStoreKind } from './config.js';
export { RateLimits, type RateLimitPolicy, type LimitedAction, type LimitVerdict } from './rate-limits.js';
export type { LimiterStore } from './limiter-factory.js';
export { accountKey, clientKey } from './keys.js';
export { purgeExpiredCounters } from './store.js';
export { provedAccount, rateLimitRouteHook, type RouteRateLimit } from './http/route-limits.js';
export { RateLimitedError, type RateLimitsErrorCode } from './errors.js';
export type { RateLimitsEvent } from './events.js';
export type { RateLimitsTable } from './schema.js';
