import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'build/', '.attain/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // The domain is pure: no I/O, no clock, no eval, no float money helpers.
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            'node:*',
            'fs',
            'http',
            'https',
            'express',
            '@hubspot/*',
            'jsforce',
            'pg',
            '../server/*',
            '../../server/*',
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: 'src/ never reads a clock: pass "now" in.',
        },
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'src/ never reads a clock: pass "now" in.',
        },
        {
          selector: "CallExpression[callee.name='parseFloat']",
          message: 'Money and rates belong in src/money (decimal.js).',
        },
        {
          selector: "CallExpression[callee.property.name='toFixed']",
          message: 'Money and rates belong in src/money (decimal.js).',
        },
      ],
      'no-eval': 'error',
      'no-new-func': 'error',
    },
  },
);
