// Lint rules: TypeScript checks, the architecture's boundaries (eslint/boundaries.js) and doc comments on every export.
import js from '@eslint/js';
import jsdoc from 'eslint-plugin-jsdoc';
import tseslint from 'typescript-eslint';
import sesame from './eslint/boundaries.js';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'data/**', '.stryker-tmp/**', 'reports/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // The architecture (docs/ARCHITECTURE.md): the kernel knows no feature, modules meet through their index.ts,
    // a module's http code never touches a store or a driver, surfaces use modules' public faces only.
    files: ['src/**/*.ts'],
    plugins: { sesame },
    rules: { 'sesame/boundaries': 'error' },
  },
  {
    // Every exported function, class and method says why it exists, in a sentence.
    files: ['src/**/*.ts'],
    plugins: { jsdoc },
    settings: { jsdoc: { mode: 'typescript' } },
    rules: {
      'jsdoc/require-jsdoc': [
        'error',
        {
          publicOnly: false,
          require: { FunctionDeclaration: true, ClassDeclaration: true, MethodDefinition: true, ArrowFunctionExpression: false },
          contexts: ['TSInterfaceDeclaration', 'TSTypeAliasDeclaration', 'ExportNamedDeclaration:has(VariableDeclaration)'],
          checkConstructors: true,
          checkGetters: true,
          checkSetters: true,
        },
      ],
      'jsdoc/require-description': ['error', { contexts: ['any'] }],
      'jsdoc/require-description-complete-sentence': 'off',
      'jsdoc/no-blank-block-descriptions': 'error',
    },
  },
);
