/**
 * The mail module's settings: where messages go (`SMTP_URL`, or `MAIL_OUTBOX_DIR` in development), who they come from
 * (`MAIL_FROM`), how long a message is retried (`MAIL_MAX_ATTEMPTS`), how many one address may get in an hour
 * (`MAIL_RECIPIENT_HOURLY_MAX`, and `MAIL_SECURITY_NOTICE_HOURLY_MAX` of each security notice) and how long delivered
 * or failed ones are kept (`MAIL_RETENTION`).
 * @module
 */
import { z } from 'zod';
import { defineConfig } from '../../kernel/config/fragment.js';
import { duration, integer } from '../../kernel/config/fields.js';

/** What the mail module is configured with. */
export interface MailConfig {
  /** The SMTP server (`smtp://` or `smtps://`, credentials allowed), or undefined: development writes `.eml` files. */
  readonly smtpUrl: string | undefined;
  /** The `From:` address, or undefined when no mail is sent. */
  readonly from: string | undefined;
  /** Tries per message before it is marked `failed`. */
  readonly maxAttempts: number;
  /** Messages one address may be sent per hour; the rest are held back (security notices excepted). */
  readonly recipientHourlyMax: number;
  /** Security notices of one kind one address may be sent per hour, apart from {@link MailConfig.recipientHourlyMax}. */
  readonly securityNoticeHourlyMax: number;
  /** Where development without `SMTP_URL` writes `.eml` files. */
  readonly outboxDir: string;
  /** How long sent and failed messages stay in the outbox (for the admin API's view), in ms. */
  readonly retentionMs: number;
}

/** `SMTP_URL`, `MAIL_FROM`, `MAIL_MAX_ATTEMPTS`, `MAIL_RECIPIENT_HOURLY_MAX`, `MAIL_SECURITY_NOTICE_HOURLY_MAX`, `MAIL_OUTBOX_DIR` and `MAIL_RETENTION`. */
export const mailConfig = defineConfig({
  env: {
    SMTP_URL: z.string().regex(/^smtps?:\/\/[^/]+/, 'SMTP_URL must be an smtp:// or smtps:// URL, like smtps://user:password@mail.example.com:465').optional(),
    MAIL_FROM: z.string().min(3).optional(),
    MAIL_MAX_ATTEMPTS: integer('MAIL_MAX_ATTEMPTS', 1, 100, 10),
    MAIL_RECIPIENT_HOURLY_MAX: integer('MAIL_RECIPIENT_HOURLY_MAX', 1, 1000, 10),
    MAIL_SECURITY_NOTICE_HOURLY_MAX: integer('MAIL_SECURITY_NOTICE_HOURLY_MAX', 1, 1000, 10),
    MAIL_OUTBOX_DIR: z.string().min(1).default('./data/outbox'),
    MAIL_RETENTION: duration('MAIL_RETENTION', '30d'),
  },
  build: (env): MailConfig => ({
    smtpUrl: env.SMTP_URL,
    from: env.MAIL_FROM,
    maxAttempts: env.MAIL_MAX_ATTEMPTS,
    recipientHourlyMax: env.MAIL_RECIPIENT_HOURLY_MAX,
    securityNoticeHourlyMax: env.MAIL_SECURITY_NOTICE_HOURLY_MAX,
    outboxDir: env.MAIL_OUTBOX_DIR,
    retentionMs: env.MAIL_RETENTION,
  }),
  // Mail with a made-up sender lands in spam or is refused outright: a configured server needs a real From address.
  check: ({ smtpUrl, from }) => (smtpUrl !== undefined && from === undefined ? ['SMTP_URL needs MAIL_FROM (the From: address of the messages Sesame sends)'] : []),
  refuseInProduction: ({ smtpUrl }) =>
    smtpUrl !== undefined && smtpUrl.startsWith('smtp://') && !/^smtp:\/\/([^@/]*@)?(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/.test(smtpUrl)
      ? ['set SMTP_URL to an smtps:// URL (or a loopback relay): reset links must not cross a network in clear']
      : [],
});
