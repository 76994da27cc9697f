// Type-checked lint, plus the layering rules from docs/architecture.md:
// the site never imports server code, the server never imports the site.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const serverOnly = ['fastify', '@fastify/*', 'dockerode', 'ws', 'tar-fs', 'pino*', 'prom-client'];

export default tseslint.config(
  {
    ignores: [
      'dist/',
      '.astro/',
      '.drydock/',
      'node_modules/',
      '**/*.astro',
      '**/*.mjs',
      'eslint.config.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      // Fastify plugins and handlers are async by contract, with or without an await.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['site/**/*.ts', 'lab-format/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: serverOnly,
              message: 'site/ and lab-format/ must stay free of server dependencies.',
            },
            { group: ['**/lab-server/**'], message: 'the site must not import the lab server.' },
          ],
        },
      ],
    },
  },
  {
    files: ['protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'zod',
              message:
                'protocol/ uses zod/mini: the lab page bundles it, and classic Zod is twice the size there.',
            },
          ],
          patterns: [
            {
              group: ['node:*', ...serverOnly],
              message:
                'protocol/ is bundled for the browser: no Node-only APIs or server dependencies.',
            },
            {
              group: ['**/lab-server/**', '**/site/**', '**/lab-format/**', '**/content/**'],
              message: 'protocol/ imports nothing of the project but itself.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['lab-server/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/site/**', '**/content/**', 'astro', 'astro:*'],
              message: 'the lab server must not import the site or its content.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      // node:test's describe() and it() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': 'off',
    },
  },
);
