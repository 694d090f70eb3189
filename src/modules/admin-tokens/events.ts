/**
 * What the admin-tokens module records: each token made or revoked, with the operator who did it, so the audit log
 * answers "who could reach the admin API, since when, and who took that away" (the token itself is never recorded).
 * @module
 */
import type { SesameEvent } from '../../kernel/events.js';

/** The admin-tokens module's events; `detail` carries the token's id (and at creation its name), never the token. */
export type AdminTokensEvent = SesameEvent<'admin_token.created' | 'admin_token.revoked'>;
