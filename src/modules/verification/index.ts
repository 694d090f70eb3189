/**
 * The verification module's public face: one-time tokens by purpose (password reset, email verification and email
 * change), their table, store port and Kysely implementation, and the one remedy that spends an account's reset links
 * and cancels its pending change of address. Other modules import from here only.
 * @module
 */
export { CODE_ATTEMPTS, codeHash, codeHashes, formatCode, generateCode, normaliseCode, type CodeHashes } from './codes.js';
export { verificationMigrations } from './migrations.js';
export { cancelledDetail, pendingProofCanceller, type CancelledProofs, type CancelPendingProofs } from './pending.js';
export { KyselyVerificationStore, type GuessTarget, type IssueOptions, type LiveToken, type VerificationTokenStore } from './store.js';
export type { TokenPurpose, VerificationTokensTable } from './schema.js';
