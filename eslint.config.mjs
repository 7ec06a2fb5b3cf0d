// Lint exists mainly to refuse floating promises (a dropped card/backend promise is a lost
// error on a device that must always return to a safe screen) and misused promises.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'bin/**', 'firmware/**', 'models/**'] },
  {
    files: ['src/**/*.ts', 'test/**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  {
    // The session engine is pure (issue 12): it emits screen requests and effects and never reaches
    // the UI that words them, the devices or the service that carry them out.
    files: ['src/session/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+(src/)?(ui|devices|service)(/|$)',
              message: 'src/session is the pure engine: it must not import src/ui, src/devices or src/service (emit a ScreenRequest or an effect instead).',
            },
          ],
        },
      ],
    },
  },
  {
    // CLI commands and benches print their results to stdout by design.
    files: ['src/cli/**/*.ts', 'test/bench/**/*.ts', 'test/**/eval*.ts'],
    rules: { 'no-console': 'off' },
  },
);
