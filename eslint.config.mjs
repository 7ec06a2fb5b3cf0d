// Lint exists mainly to refuse floating promises (a dropped card/backend promise is a lost
// error on a device that must always return to a safe screen) and misused promises.
import tseslint from 'typescript-eslint';

/** src/ is the device product: it never imports the rig or the tests (issue 12). */
const DEVICE_IMPORT_PATTERNS = [
  { group: ['**/rig', '**/rig/**'], message: 'src/ is the device product: it must not import the rig (rig/ depends on src/, never the reverse).' },
  { group: ['**/test', '**/test/**'], message: 'src/ must not import tests.' },
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'bin/**', 'firmware/**', 'models/**'] },
  {
    files: ['src/**/*.ts', 'rig/**/*.ts', 'test/**/*.ts', 'tools/**/*.ts'],
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
    // CLI commands and benches print their results to stdout by design.
    files: ['src/cli/**/*.ts', 'rig/cli/**/*.ts', 'test/bench/**/*.ts', 'test/**/eval*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    // The device product never depends on its rig or its tests (issue 12): rig/ depends on src/,
    // never the reverse, so the device image can leave rig/ and test/ out entirely.
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: DEVICE_IMPORT_PATTERNS,
        },
      ],
      // The same for lazy `import()` and `require()`, which no-restricted-imports does not see.
      'no-restricted-syntax': [
        'error',
        { selector: 'ImportExpression[source.value=/(^|\\/)(rig|test)(\\/|$)/]', message: 'src/ must not import the rig or tests.' },
        { selector: "CallExpression[callee.name='require'][arguments.0.value=/(^|\\/)(rig|test)(\\/|$)/]", message: 'src/ must not require the rig or tests.' },
      ],
    },
  },
  {
    // The session engine is pure (issue 12): it emits screen requests and effects and never reaches
    // the UI that words them, the devices or the service that carry them out. (This block comes
    // after the src/ one and repeats its patterns: a later block replaces a rule's options.)
    files: ['src/session/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...DEVICE_IMPORT_PATTERNS,
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
    // The card stack's layers (issue 12 items 4-5): src/iso7816 is below the reader drivers, the
    // card applications and the emulator. The drivers move bytes and know nothing of JPKI or the
    // card-face applications; iso7816 imports nothing of the product but the logger. This uses
    // the typescript-eslint rule, not core no-restricted-imports, so it adds to the src/** rule
    // above instead of replacing its patterns (flat config replaces a rule's options per name).
    files: ['src/devices/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ regex: '(^|/)card(/|$)', message: 'drivers depend on src/iso7816 (APDUs, transport errors), never on the card applications in src/card/.' }] },
      ],
    },
  },
  {
    files: ['src/iso7816/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^\\.\\./(?!log/)', message: 'src/iso7816 is the bottom of the card stack: it imports nothing of the product but the logger.' }] },
      ],
    },
  },
);
