// Lint: typescript-eslint recommended everywhere, plus the determinism ban for src/core and
// src/sim: hidden time, randomness, timers and async code would make runs irreproducible.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const determinismMessage =
  'src/core and src/sim must be deterministic: use the Clock port and the seeded Rng instead';

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['src/core/**/*.ts', 'src/sim/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        ...['setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'clearImmediate',
          'queueMicrotask', 'Promise', 'performance', 'process'].map((name) => ({ name, message: determinismMessage })),
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: determinismMessage },
        { object: 'Math', property: 'random', message: determinismMessage },
        { object: 'performance', property: 'now', message: determinismMessage },
        { object: 'crypto', property: 'randomUUID', message: determinismMessage },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: 'NewExpression[callee.name="Date"][arguments.length=0]', message: determinismMessage },
        { selector: 'CallExpression[callee.name="Date"]', message: determinismMessage },
        { selector: 'FunctionDeclaration[async=true]', message: determinismMessage },
        { selector: 'FunctionExpression[async=true]', message: determinismMessage },
        { selector: 'ArrowFunctionExpression[async=true]', message: determinismMessage },
        { selector: 'AwaitExpression', message: determinismMessage },
        { selector: 'ForOfStatement[await=true]', message: determinismMessage },
        { selector: 'MemberExpression[property.name="then"]', message: determinismMessage },
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'node:timers', message: determinismMessage },
            { name: 'node:timers/promises', message: determinismMessage },
            { name: 'node:fs', message: 'src/core and src/sim do no I/O' },
            { name: 'node:fs/promises', message: 'src/core and src/sim do no I/O' },
          ],
        },
      ],
    },
  },
);
