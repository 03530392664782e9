import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import security from 'eslint-plugin-security';
import { boundaryConfigs } from './eslint.boundaries.js';

export default tseslint.config(
  { ignores: ['node_modules/', 'reports/', 'coverage/', 'dist/', 'datasets/', 'deploy/', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  security.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Configuration is parsed once in agent/src/config.ts; nothing else reads the environment.
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration through agent/src/config.ts' }],
      // Dynamic keys and paths are everywhere in a tool sandbox; the sandbox itself is what guards them.
      'security/detect-object-injection': 'off',
      'security/detect-non-literal-fs-filename': 'off',
    },
  },
  {
    files: ['agent/src/config.ts', 'bin/**', '**/*.test.ts', 'vitest.*.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  ...boundaryConfigs,
);
