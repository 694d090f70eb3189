/**
 * The admin-tokens module's public face: bearer tokens for the admin API, created and revoked by the CLI, stored
 * hashed. Other modules and surfaces import from here only.
 * @module
 */
export { adminTokensMigrations } from './migrations.js';
export { KyselyAdminTokenStore, type AdminTokenStore, type StoredAdminToken } from './store.js';
export { AdminTokens, ADMIN_TOKEN_PREFIX, type AdminIdentity, type AdminTokenSummary } from './service.js';
export type { AdminTokensTable } from './schema.js';
export type { AdminTokensEvent } from './events.js';
