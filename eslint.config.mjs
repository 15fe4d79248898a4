import tseslint from 'typescript-eslint';

const noVscode = {
  'no-restricted-imports': [
    'error',
    {
      paths: [
        { name: 'vscode', message: 'The core (src/sim, src/manifest, src/protocol.ts) must not import vscode.' },
        { name: '@vscode/l10n', message: 'The core stays free of UI localization: only the host (src/host) localizes what it shows.' },
      ],
      patterns: [
        { group: ['**/host/**', '**/host'], message: 'The core must not depend on the VS Code host layer.' },
      ],
    },
  ],
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.vscode-test/**', 'src/generated/**', 'media/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['src/sim/**/*.ts', 'src/manifest/**/*.ts', 'src/lessons/**/*.ts', 'src/protocol.ts'],
    rules: {
      ...noVscode,
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'Use the virtual clock (src/sim/clock.ts).' },
        { name: 'setInterval', message: 'Use the virtual clock (src/sim/clock.ts).' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Use the virtual clock (src/sim/clock.ts).' },
        { object: 'Math', property: 'random', message: 'Use the seeded RNG (src/sim/clock.ts).' },
      ],
    },
  },
  {
    files: ['scripts/**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
