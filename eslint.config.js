// Lint rules, including the layer rules that keep the architecture honest: core never imports
// electron or the shells (serve, electron, cli), imaging never imports learn, the renderer never
// imports main, the contract imports nothing of ours, product code never imports test-support/.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const noElectron = {
  name: 'electron',
  message: 'src-main/core is plain Node: Electron belongs in src-main/electron only.',
};

// Import patterns are matched against the import string as written, so the folder rules below
// match relative paths by their shape: from inside src-main/core, a path that climbs with ../ and
// then enters serve/, cli/ or electron/ can only reach src-main's shells.
const electronSubpath = { group: ['electron/*'], message: noElectron.message };
const noShells = {
  regex: '^(\\.\\./)+(src-main/)?(serve|cli|electron)(/|$)',
  message:
    'src-main/core never imports the shells (src-main/serve, src-main/electron, src-main/cli): they depend on core, not the reverse.',
};
const noLearn = {
  regex: '^(\\.\\./)+(src-main/)?(core/)?learn(/|$)',
  message: 'src-main/core/imaging sits below core/learn: learn uses imaging, never the reverse.',
};
const noTestSupport = {
  regex: '(^|/)test-support(/|$)',
  message:
    'Product code never imports test scaffolding: test-support/ is for tests, benches and e2e only.',
};
// ESLint keeps only the last matching block's options for a rule, so a block lists every folder
// pattern that applies to its files.
const restrict = (...patterns) => ['error', { paths: [noElectron], patterns }];

export default tseslint.config(
  {
    ignores: [
      '.*.ts',
      '.*.mjs',
      'node_modules/**',
      'out/**',
      'dist/**',
      'test-results/**',
      'bench/.data/**',
      '.cache/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['src-main/core/**'],
    rules: { 'no-restricted-imports': restrict(electronSubpath, noShells) },
  },
  {
    files: ['src-main/core/imaging/**'],
    rules: { 'no-restricted-imports': restrict(electronSubpath, noShells, noLearn) },
  },
  {
    // typescript-eslint's copy of the rule is a second rule instance, so this block adds to the
    // folder rules instead of replacing them. Tests, benches and e2e may import test-support/.
    files: ['src-*/**'],
    ignores: ['**/*.test.ts', '**/*.test.tsx'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [noTestSupport] }] },
  },
  {
    files: ['src-renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron],
          patterns: [
            {
              group: ['**/src-main/**', '**/src-preload/**', 'node:*'],
              message:
                'The renderer talks only to the contract (src-shared) through its ApiClient.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src-shared/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron],
          patterns: [
            {
              group: ['**/src-main/**', '**/src-renderer/**', '**/src-preload/**', 'node:*'],
              message:
                'src-shared is the contract: it imports nothing of ours and nothing of Node.',
            },
          ],
        },
      ],
    },
  },
);
