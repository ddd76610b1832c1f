// @ts-check
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'db/migrations/**', '.dualkey/**', 'coverage/**', 'dist/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // core/ is the pure domain: it talks to the outside only through its own ports.
    files: ['core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/db/**', '**/db', '**/bot/**', '**/bot', '**/vault/**', '**/vault'], message: 'core/ must not import adapters (db/, bot/, vault/): define a port in core/ports instead.' },
            { group: ['drizzle-orm', 'drizzle-orm/*', 'postgres', '@electric-sql/*'], message: 'core/ must not import database drivers or drizzle.' },
            { group: ['@slack/*', '@microsoft/*', 'botbuilder', 'botbuilder-*', '@azure/*', 'nodemailer', 'node-cron', '@simplewebauthn/*'], message: 'core/ must not import SDKs.' },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'Use the injected Clock.' },
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Use the injected Clock.' },
      ],
    },
  },
);
