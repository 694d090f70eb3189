/**
 * The mail module's public face: the outbox (enqueue in a transaction, a dispatcher that sends once), its transports
 * and the messages Sesame writes. Other modules and surfaces import from here only.
 * @module
 */
export { mailConfig, type MailConfig } from './config.js';
export type { MailEvent } from './events.js';
export { resetPasswordMessage } from './messages.js';
export { mailMigrations } from './migrations.js';
export { DEFAULT_BACKOFF_MS, MailOutbox, type DispatchOptions, type MailLogger, type MailOutboxDeps } from './outbox.js';
export type { MailOutboxTable, MailStatus } from './schema.js';
export { KyselyMailOutboxStore, type MailOutboxStore, type NewMessage, type OutboxMessage } from './store.js';
export { fileTransport, refusingTransport, smtpTransport, type MailTransport } from './transport.js';
