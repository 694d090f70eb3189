/**
 * The mail module's settings: where messages go (`SMTP_URL`), who they come from (`MAIL_FROM`) and how long a
 * message is retried before it is given up on (`MAIL_MAX_ATTEMPTS`).
 * @module
 */
import { z } from 'zod';
import { defineConfig } from '../../kernel/config/fragment.js';
import { integer } from '../../kernel/config/fields.js';

/** What the mail module is configured with. */
export interface MailConfig {
  /** The SMTP server (`smtp://` or `smtps://`, credentials allowed), or undefined: development writes `.eml` files. */
  readonly smtpUrl: string | undefined;
  /** The `From:` address, or undefined when no mail is sent. */
  readonly from: string | undefined;
  /** Tries per message before it is marked `failed`. */
  readonly maxAttempts: number;
}

/** `SMTP_URL`, `MAIL_FROM` and `MAIL_MAX_ATTEMPTS`. */
export const mailConfig = defineConfig({
  env: {
    SMTP_URL: z.string().regex(/^smtps?:\/\/[^/]+/, 'SMTP_URL must be an smtp:// or smtps:// URL, like smtps://user:password@mail.example.com:465').optional(),
    MAIL_FROM: z.string().min(3).optional(),
    MAIL_MAX_ATTEMPTS: integer('MAIL_MAX_ATTEMPTS', 1, 100, 10),
  },
  build: (env): MailConfig => ({ smtpUrl: env.SMTP_URL, from: env.MAIL_FROM, maxAttempts: env.MAIL_MAX_ATTEMPTS }),
  refuseInProduction: ({ smtpUrl }) =>
    smtpUrl !== undefined && smtpUrl.startsWith('smtp://') && !/^smtp:\/\/([^@/]*@)?(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/.test(smtpUrl)
      ? ['set SMTP_URL to an smtps:// URL (or a loopback relay): reset links must not cross a network in clear']
      : [],
});
