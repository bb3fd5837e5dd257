import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/** The VS Code-free parts: they must run from the CLI and in tests without an editor. */
const VSCODE_FREE = ['src/core/**', 'src/runners/**', 'src/protocol.ts', 'webview/**'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test/fixtures/**', '*.vsix', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // Browser code, and tests whose callbacks run inside a page.
    files: ['webview/**', 'test/webview/**', 'test/e2e/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: VSCODE_FREE,
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'src/core, src/runners, src/protocol.ts and webview/ are VS Code-free: move editor glue to src/views.' }],
      }],
      'no-restricted-syntax': ['error', {
        selector: "CallExpression[callee.name='require'][arguments.0.value='vscode']",
        message: 'src/core, src/runners, src/protocol.ts and webview/ are VS Code-free: move editor glue to src/views.',
      }],
    },
  },
);
