/**
 * What the mail module records: a message that could not be delivered (each failed try, and the one that gives up).
 * @module
 */
import type { SesameEvent } from '../../kernel/events.js';

/** The mail module's events. */
export type MailEvent = SesameEvent<'mail.failed'>;
