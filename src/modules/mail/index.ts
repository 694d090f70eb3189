/**
 * The mail module's public face: the outbox (enqueue in a transaction, a dispatcher that sends once), the courier
 * that renders notices in the account's language and picks the way out, its transports (SMTP, `.eml` files, the
 * signed webhook) and the messages Sesame writes. Other modules and surfaces import from here only.
 * @module
 */
export { channelTransport } from './channels.js';
export { mailConfig, type MailConfig } from './config.js';
export { Courier, type CourierDeps, type Dispatch, type Notice, type OnceDispatch, type OnceOptions, type SendOptions } from './courier.js';
export type { MailEvent } from './events.js';
export { isLanguage, LANGUAGES, negotiateLanguage, type Language, type Recipient } from './messages/index.js';
export { mailMigrations } from './migrations.js';
export { DEFAULT_BACKOFF_MS, MailOutbox, type DispatchOptions, type MailLogger, type MailOutboxDeps } from './outbox.js';
export type { MailChannel, MailOutboxTable, MailStatus } from './schema.js';
export { aesGcmSealer, OUTBOX_KEY_PURPOSE, PLAIN_BODIES, type BodySealer } from './sealed-bodies.js';
export { KyselyMailOutboxStore, UnopenableMessageError, type MailOutboxStore, type NewMessage, type OutboxMessage, type OutboxSummary, type RewrapBatch } from './store.js';
export { fileTransport, refusingTransport, smtpTransport, type MailTransport } from './transport.js';
export { signWebhook, verifyWebhook, webhookSecret, webhookSigningKey, webhookSigningKeys, webhookTransport, WEBHOOK_KEY_PURPOSE } from './webhook.js';
