/**
 * The audit module's public face: the append-only log of account events, its store and settings. Other modules
 * import from here only; they never write to it, they record events and the composition root subscribes the log.
 * @module
 */
export { auditMigrations } from './migrations.js';
export { auditConfig, type AuditConfig } from './config.js';
export { AuditLog, PSEUDONYM_KEPT_KEY, PSEUDONYM_PURPOSE } from './audit-log.js';
export { KyselyAuditStore, type AuditStore, type AuditFilter } from './store.js';
export type { AuthEventsTable, StoredAuthEvent } from './schema.js';
