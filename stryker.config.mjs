// Mutation testing of the security-critical code (`npm run mutate`, not part of CI): a surviving mutant is a missing
// test. Only the files that hold the cross-site guard, cookie handling, token generation and hashing, password verify
// and re-hash, rate-limit keys, and the profile defaults and refusals are mutated, and only the suites that exercise
// them in-process run (a test that spawns the compiled server runs unmutated code and could kill nothing).
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  coverageAnalysis: 'perTest',
  vitest: { configFile: 'vitest.mutate.config.ts', related: false },
  mutate: [
    'src/surfaces/api/csrf.ts',
    'src/modules/sessions/http/cookie.ts',
    'src/kernel/tokens.ts',
    'src/modules/password/hasher.ts',
    'src/modules/password/login.ts',
    'src/modules/rate-limits/keys.ts',
    'src/bin/trust-proxy.ts',
    'src/kernel/secrets.ts',
    'src/kernel/settings.ts',
    'src/bin/config.ts',
    'src/modules/sessions/config.ts',
    'src/modules/password/config.ts',
    'src/modules/rate-limits/config.ts',
    'src/surfaces/api/config.ts',
    'src/surfaces/ops/config.ts',
    'src/kernel/http/request-id.ts',
    'src/surfaces/fetch/node.ts',
  ],
  // Module-level literals (the profile defaults, schema constants: 484 of 865 mutants) are evaluated once at import, so
  // Stryker would rerun every selected suite for each (about four hours here). They are skipped; the defaults are
  // asserted whole, value by value, in test/kernel/config-defaults.test.ts.
  ignoreStatic: true,
  concurrency: 2,
  timeoutMS: 20000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
