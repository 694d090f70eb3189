/**
 * The email module's settings: whether an unverified address may log in (`REQUIRE_EMAIL_VERIFICATION`, which
 * production cannot turn off), how long a verification or change link lives (`EMAIL_TOKEN_TTL`), and whether each
 * sign-in is announced (`NOTIFY_NEW_SIGN_IN`).
 * @module
 */
import { defineConfig } from '../../kernel/config/fragment.js';
import { boolean, duration } from '../../kernel/config/fields.js';

/** What the email module is configured with. */
export interface EmailConfig {
  /** Refuse logins (403) to accounts whose address was never verified. */
  readonly requireVerification: boolean;
  /** Lifetime of a verification or email-change link and its code, in ms. */
  readonly tokenTtlMs: number;
  /** Mail the owner after every successful sign-in (device and address included). */
  readonly notifyNewSignIn: boolean;
}

/** `REQUIRE_EMAIL_VERIFICATION`, `EMAIL_TOKEN_TTL` and `NOTIFY_NEW_SIGN_IN`. */
export const emailConfig = defineConfig({
  env: {
    REQUIRE_EMAIL_VERIFICATION: boolean('REQUIRE_EMAIL_VERIFICATION'),
    EMAIL_TOKEN_TTL: duration('EMAIL_TOKEN_TTL', '24h'),
    NOTIFY_NEW_SIGN_IN: boolean('NOTIFY_NEW_SIGN_IN'),
  },
  defaults: {
    // Development keeps the seed's flow (register, then log in at once); production wants proof of the address first.
    development: { REQUIRE_EMAIL_VERIFICATION: 'false', NOTIFY_NEW_SIGN_IN: 'false' },
    production: { REQUIRE_EMAIL_VERIFICATION: 'true', NOTIFY_NEW_SIGN_IN: 'false' },
  },
  build: (env): EmailConfig => ({
    requireVerification: env.REQUIRE_EMAIL_VERIFICATION,
    tokenTtlMs: env.EMAIL_TOKEN_TTL,
    notifyNewSignIn: env.NOTIFY_NEW_SIGN_IN,
  }),
  // Without verification, a sign-up must say "email already registered" (an account made without proof of the
  // mailbox would otherwise be usable by whoever typed the address), which tells anyone who has an account.
  refuseInProduction: ({ requireVerification }) =>
    requireVerification
      ? []
      : [
          'set REQUIRE_EMAIL_VERIFICATION=true (the production default): without it, accounts sign in with addresses nobody proved, and registration answers "email already registered", telling anyone which addresses have accounts',
        ],
});
