// @vscode/test-cli configuration (`npm run test:electron`): the same integration suite as `npm test`.
// On a desktop with internet it downloads VS Code; set K8S_LAB_VSCODE=code-server to use the local
// code-server stand-in (scripts/code-server-vscode.mjs) instead, as on offline machines.
import { defineConfig } from '@vscode/test-cli';

export default defineConfig({
  files: 'dist/test/integration/**/*.test.js',
  extensionDevelopmentPath: '.',
  workspaceFolder: './examples',
  launchArgs: ['--disable-extensions'],
  mocha: { ui: 'bdd', timeout: 60000 },
  ...(process.env.K8S_LAB_VSCODE === 'code-server' ? { useInstallation: { fromPath: './scripts/code-server-vscode.mjs' } } : {}),
});
