// Lint rules, including the layer rules that keep the architecture honest:
// core never imports electron, the renderer never imports main, the contract imports nothing of ours,
// prediction never imports the trainer.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const noElectron = {
  name: 'electron',
  message: 'src-main/core is plain Node: Electron belongs in src-main/electron only.',
};

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
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [noElectron], patterns: [{ group: ['electron/*'], message: noElectron.message }] },
      ],
    },
  },
  {
    files: ['src-main/core/learn/predict/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron],
          patterns: [
            { group: ['electron/*'], message: noElectron.message },
            {
              group: ['**/train/trainer', '**/train/trainer.*', '**/train/trainer-*'],
              message:
                'Prediction must not import the trainer: the run model is train/model-factory.ts, the batches the imaging pipeline.',
            },
          ],
        },
      ],
    },
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
