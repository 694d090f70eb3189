// Mutation testing of the hosted pages' own logic (`npm run mutate:pages`, not part of CI): the escaping template,
// return_to, the accent's contrast rule, the language choice, the texts and their overrides, the form kit, the
// hashed assets, and the account pages (account/). The suites that exercise them run on SQLite alone (TEST_ENGINES):
// the pages are engine-neutral.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  coverageAnalysis: 'perTest',
  vitest: { configFile: 'vitest.mutate-pages.config.ts', related: false },
  mutate: [
    'src/surfaces/pages/html.ts',
    'src/surfaces/pages/return-to.ts',
    'src/surfaces/pages/accent.ts',
    'src/surfaces/pages/language.ts',
    'src/surfaces/pages/texts/index.ts',
    'src/surfaces/pages/texts/overrides.ts',
    'src/surfaces/pages/form-kit.ts',
    'src/surfaces/pages/assets.ts',
    'src/surfaces/pages/config.ts',
    'src/surfaces/pages/account/*.ts',
  ],
  ignoreStatic: true,
  concurrency: 2,
  timeoutMS: 30000,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: 'reports/mutation/mutation-pages.json' },
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
