import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

// Recommended rules without type information everywhere (fast; the compiler does the type
// checks), plus the two promise rules that need types on the TypeScript of the project: a
// promise nobody awaits or catches loses its rejection, and one passed where a void callback
// is expected is never awaited.

const nodeGlobals = Object.fromEntries(
  ['process', 'console', 'Buffer', 'URL', 'URLSearchParams', 'AbortController', 'AbortSignal', 'TextEncoder',
    'TextDecoder', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate',
    'queueMicrotask', 'structuredClone', 'fetch', 'performance'].map((name) => [name, 'readonly']),
);
const browserGlobals = Object.fromEntries(
  ['window', 'document', 'location', 'navigator', 'history', 'localStorage', 'sessionStorage', 'Event',
    'HTMLElement', 'HTMLInputElement', 'HTMLFormElement', 'console', 'setTimeout', 'clearTimeout', 'fetch', 'URL',
    'URLSearchParams'].map((name) => [name, 'readonly']),
);
const commonJsGlobals = { module: 'writable', exports: 'writable', require: 'readonly', __dirname: 'readonly', __filename: 'readonly' };

export default defineConfig([
  globalIgnores(['**/node_modules/', 'runs/', 'coverage/']),
  { files: ['**/*.{js,mjs,cjs,ts,mts,cts}'], extends: [js.configs.recommended] },
  { files: ['**/*.{js,mjs}'], languageOptions: { sourceType: 'module', globals: nodeGlobals } },
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs', globals: { ...nodeGlobals, ...commonJsGlobals } } },
  // Scripts the fixture sites serve to the browser (plain scripts, not modules).
  { files: ['fixtures/**/static/**/*.js'], languageOptions: { sourceType: 'script', globals: browserGlobals } },
  {
    files: ['**/*.{ts,mts,cts}'],
    extends: [tseslint.configs.recommended],
    rules: {
      // A leading underscore marks a parameter kept for its position (e.g. Express error handlers).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['{src,cli,adapters,harness,fixtures,scripts,tests}/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    // The product uses named exports only; config files elsewhere may default-export.
    files: ['{src,adapters,harness,fixtures}/**/*.{js,mjs,cjs,ts,mts,cts}'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports (DESIGN.md: named exports only).' },
        { selector: "ExportSpecifier[exported.name='default']", message: 'Use named exports (DESIGN.md: named exports only).' },
      ],
    },
  },
]);
