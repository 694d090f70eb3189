/**
 * One outbox, several ways out: the dispatcher hands every message to a single transport, and this one picks the
 * route by the message's `channel`, so mail and signed webhook calls share the claiming, retries and back-off.
 * @module
 */
import type { MailChannel } from './schema.js';
import type { MailTransport } from './transport.js';

/** The transport of each channel; without a webhook one, webhook messages wait (see {@link channelTransport}). */
export interface ChannelRoutes {
  /** How `email` messages leave (SMTP, the development directory, or the refusing transport). */
  readonly email: MailTransport;
  /** How `webhook` messages leave, when `RESET_WEBHOOK_URL` is set. */
  readonly webhook?: MailTransport;
}

/**
 * Sends each message by its `channel`. A `webhook` message with no webhook transport is refused with
 * `RESET_WEBHOOK_URL is not set`, so it waits in the outbox and its failure shows, instead of going out as mail.
 * `close()` closes both.
 */
export function channelTransport(routes: ChannelRoutes): MailTransport {
  return {
    send(message) {
      const channel: MailChannel = message.channel;
      switch (channel) {
        case 'email':
          return routes.email.send(message);
        case 'webhook':
          return routes.webhook === undefined ? Promise.reject(new Error('RESET_WEBHOOK_URL is not set')) : routes.webhook.send(message);
        default:
          // A row written by a newer Sesame: refused (and retried later) rather than guessed at.
          return Promise.reject(new Error(`no transport for channel ${JSON.stringify(channel as string)}`));
      }
    },
    close() {
      try {
        routes.email.close();
      } finally {
        routes.webhook?.close();
      }
    },
  };
}
