// The suites `npm run mutate:mail` runs against each mutant (see stryker.mail.config.mjs), on SQLite only.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'test/modules/mail/sealed-bodies.test.ts',
      'test/modules/mail/courier.test.ts',
      'test/modules/mail/webhook-edges.test.ts',
      'test/modules/verification/codes.test.ts',
      'test/surfaces/pages/form-token.test.ts',
      'test/modules/mail/webhook.test.ts',
      'test/modules/email/*.test.ts',
      'test/surfaces/pages/verify-page.test.ts',
      'test/surfaces/pages/reset-page.test.ts',
      'test/modules/mail/reset-email.test.ts',
      'test/modules/mail/envelope.test.ts',
      'test/modules/users/*.test.ts',
      'test/modules/accounts/*.test.ts',
    ],
    env: { TEST_ENGINES: 'sqlite' },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
