import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import regexp from 'eslint-plugin-regexp';

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'coverage/', 'dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  // Every regex literal is checked for super-linear backtracking (ReDoS): customer text reaches
  // most of them. Patterns built with `new RegExp` are out of the checker's sight; those are made
  // linear by construction (see the comments where they are built).
  regexp.configs['flat/recommended'],
  {
    rules: {
      // Kysely migrations and a few library seams are untyped by nature.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'regexp/no-super-linear-backtracking': 'error',
      'regexp/no-super-linear-move': 'error',
      // Style rules of the recommended set that would only rewrite working patterns across the
      // tree (a capture kept for readability, [A-Za-z] spelled out); not about linear time.
      'regexp/no-unused-capturing-group': 'off',
      'regexp/use-ignore-case': 'off',
      'regexp/prefer-w': 'off',
    },
  },
  {
    // The inbox web app (web/, bundled by Vite) runs in the browser; its globals are checked
    // by tsc -p web (DOM types), so no-undef stays off as for all TypeScript here. Hooks deps
    // and JSX are plain Preact.
    files: ['web/**/*.{ts,tsx}'],
    languageOptions: { parserOptions: { ecmaFeatures: { jsx: true } } },
  },
  {
    // Worker threads that must start without the TypeScript loader are plain CommonJS.
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
