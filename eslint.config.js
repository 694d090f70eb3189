// Lint rules: type-aware TypeScript checks, the layering rule (HTTP never reaches the DB layer) and doc comments on every export.
import js from '@eslint/js';
import jsdoc from 'eslint-plugin-jsdoc';
import tseslint from 'typescript-eslint';

const dbModules = {
  group: ['**/db/*', '**/db/**', '**/db', 'kysely', 'pg', 'better-sqlite3'],
  message: 'The HTTP layer talks to Auth only: it must not import the DB layer or a database driver (CONTRACT.md, layering).',
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'data/**'] },
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
    // Layering: user -> db -> auth -> http. The HTTP layer may name Auth and the record types, never DB code or SQL.
    files: ['src/http/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [dbModules] }] },
  },
  {
    // The auth layer sits above the DB layer and below HTTP: it may not reach up.
    files: ['src/auth/**/*.ts', 'src/db/**/*.ts', 'src/user/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/http/**', '**/http/*', 'fastify', '@fastify/*'], message: 'Lower layers must not depend on the HTTP layer.' }] },
      ],
    },
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
