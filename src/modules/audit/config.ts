/**
 * The audit module's settings: how long account events are kept.
 * @module
 */
import { defineConfig } from '../../kernel/config/fragment.js';
import { duration } from '../../kernel/config/fields.js';

/** What the audit log is configured with. */
export interface AuditConfig {
  /** Events older than this are purged by the sweeper, in ms. */
  readonly retentionMs: number;
}

/** `AUDIT_RETENTION`. */
export const auditConfig = defineConfig({
  env: { AUDIT_RETENTION: duration('AUDIT_RETENTION', '90d') },
  build: (env): AuditConfig => ({ retentionMs: env.AUDIT_RETENTION }),
});
