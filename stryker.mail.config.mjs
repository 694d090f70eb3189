// Mutation testing of the mail and email code (`npm run mutate:mail`, not part of CI): verification and change of
// address, short codes, the courier's channel and limits, sealed outbox bodies, webhook signatures, the pages' form
// tokens and the reset flow's code path. Only the suites that exercise them in-process run, on SQLite alone
// (TEST_ENGINES, see test/support/engines.ts): the mutated code is engine-neutral.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  coverageAnalysis: 'perTest',
  vitest: { configFile: 'vitest.mutate-mail.config.ts', related: false },
  mutate: [
    'src/modules/email/service.ts',
    'src/modules/email/proof.ts',
    'src/modules/mail/courier.ts',
    'src/modules/mail/sealed-bodies.ts',
    'src/modules/mail/webhook.ts',
    'src/modules/verification/codes.ts',
    'src/modules/password/reset.ts',
    'src/surfaces/pages/form-token.ts',
    'src/modules/verification/pending.ts',
    'src/modules/users/email.ts',
  ],
  ignoreStatic: true,
  concurrency: 2,
  timeoutMS: 30000,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: 'reports/mutation/mutation-mail.json' },
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
