// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import mocha from 'eslint-plugin-mocha';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'coverage/', '**/*.tmp', 'eslint.config.js', '.bench/', '.ceph/', '.venv/', '.stryker-tmp/', 'reports/', 'stryker.config.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Only a command's main (and the one logger) may talk to the console.
      'no-console': 'error',
    },
  },
  {
    files: ['deploy/commands/*/main.ts', 'deploy/cli/runCommand.ts', 'handler/logger.ts', 'scripts/**/*.ts', 'bench/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  // Which way imports may point (see docs/architecture.md, "Where the code is"). What ships in the Lambda zip
  // (handler/, rules/) never pulls in the commands, dev tools, tests or bench; rules/ is pure and
  // stands below the handler; nothing outside test/ imports a test file.
  {
    files: ['rules/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { regex: '(^|/)(handler|deploy|dev|test|bench|scripts)/', message: 'rules/ is the bottom layer: it imports no other folder of the project.' },
        { regex: '^@aws-sdk/', message: 'rules/ is pure: no AWS SDK.' },
      ] }],
    },
  },
  {
    files: ['handler/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { regex: '(^|/)(deploy|dev|test|bench|scripts)/', message: 'The handler ships alone in the Lambda zip: it may import handler/ and rules/ only.' },
      ] }],
    },
  },
  {
    files: ['deploy/**/*.ts', 'dev/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { regex: '(^|/)test/', message: 'Only tests import test code; shared dev tools live in dev/.' },
      ] }],
    },
  },
  // The operator's commands run against the operator's accounts: they never load dev/ (moto, the
  // fault proxy, the test world), which is not shipped. The demo, which starts moto, is the one
  // exception.
  {
    files: ['deploy/**/*.ts'],
    ignores: ['deploy/commands/demo/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { regex: '(^|/)test/', message: 'Only tests import test code; shared dev tools live in dev/.' },
        { regex: '(^|/)dev/', message: 'Operator commands do not import dev/ (not shipped): put what they need in deploy/ (deploy/build/, deploy/local/, …). Only the demo may.' },
      ] }],
    },
  },
  {
    files: ['test/**/*.ts'],
    plugins: { mocha },
    rules: {
      'mocha/no-exclusive-tests': 'error',
      'mocha/no-pending-tests': 'error',
      '@typescript-eslint/no-unused-expressions': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
