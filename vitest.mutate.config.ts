// The suites `npm run mutate` runs against each mutant: the ones that exercise the mutated files in-process (see
// stryker.config.mjs), fastest first; the whole suite stays `npm test`. The rate-limit counter suite is left out: its
// real lock-out waits would make every mutant it covers cost seconds, and the counter keys have a suite of their own.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'test/kernel/config-defaults.test.ts',
      'test/kernel/config.test.ts',
      'test/kernel/config-refusals.test.ts',
      'test/kernel/tokens.test.ts',
      'test/kernel/secrets.test.ts',
      'test/modules/password/hasher.test.ts',
      'test/modules/rate-limits/keys.test.ts',
      'test/bin/trust-proxy.test.ts',
      'test/bin/production-profile.test.ts',
      'test/bin/startup-warnings.test.ts',
      'test/modules/password/timing.test.ts',
      'test/modules/password/credential-races.test.ts',
      'test/seed/auth.test.ts',
      'test/surfaces/api/csrf.test.ts',
      'test/surfaces/api/cookies-headers.test.ts',
      'test/surfaces/api/plugin.test.ts',
      'test/modules/audit/audit.test.ts',
      'test/bin/request-id.test.ts',
      'test/surfaces/admin/request-id.test.ts',
      'test/surfaces/fetch/*.test.ts',
      'test/surfaces/api/cors.test.ts',
      'test/surfaces/api/plugin-links.test.ts',
      'test/modules/email/verification.test.ts',
      'test/modules/email/notices.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
