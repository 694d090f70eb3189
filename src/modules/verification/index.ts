/**
 * The verification module's public face: one-time tokens by purpose (password reset now; email verification and
 * change later), their table, store port and Kysely implementation. Other modules import from here only.
 * @module
 */
export { verificationMigrations } from './migrations.js';
export { KyselyVerificationStore, type VerificationTokenStore } from './store.js';
export type { TokenPurpose, VerificationTokensTable } from './schema.js';
