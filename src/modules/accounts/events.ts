/**
 * What the accounts module records: every operator or owner action on an account, with its actor, so the audit log
 * answers "who disabled, reset or deleted this account, and when".
 * @module
 */
import type { SesameEvent } from '../../kernel/events.js';

/** The accounts module's events. */
export type AccountsEvent = SesameEvent<
  | 'account.disabled'
  | 'account.enabled'
  | 'account.deleted'
  | 'account.delete_failed'
  | 'account.force_reset'
  | 'account.sessions_revoked'
>;
