// The suites `npm run mutate:pages` runs against each mutant (see stryker.pages.config.mjs), on SQLite only.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'test/surfaces/pages/html.test.ts',
      'test/surfaces/pages/return-to.test.ts',
      'test/surfaces/pages/texts.test.ts',
      'test/surfaces/pages/pages.test.ts',
      'test/surfaces/pages/reset-page.test.ts',
      'test/surfaces/pages/verify-page.test.ts',
      'test/surfaces/pages/form-token.test.ts',
      'test/surfaces/pages/account-security.test.ts',
      'test/surfaces/pages/account-details.test.ts',
      'test/surfaces/pages/account-home.test.ts',
    ],
    env: { TEST_ENGINES: 'sqlite' },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
