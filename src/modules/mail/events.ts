/**
 * What the mail module records: a message that could not be delivered (each failed try, and the one that gives up),
 * and, for the metrics only, each delivery and each message held back.
 * @module
 */
import type { SesameEvent } from '../../kernel/events.js';

/**
 * The mail module's events: `mail.failed` is stored (the audit log shows delivery trouble); `mail.sent` and
 * `mail.held` (a message held back by a per-recipient limit) are only told to listeners, for the metrics.
 */
export type MailEvent = SesameEvent<'mail.failed' | 'mail.sent' | 'mail.held'>;
