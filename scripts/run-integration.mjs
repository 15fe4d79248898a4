// Runs the integration suite inside a real VS Code extension host through @vscode/test-electron's runTests.
// Here (no download of VS Code possible) the "executable" is scripts/code-server-vscode.mjs, which serves the
// real workbench with code-server; set K8S_LAB_VSCODE=download to let test-electron download desktop VS Code.
import { runTests } from '@vscode/test-electron';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const useDownload = process.env.K8S_LAB_VSCODE === 'download';
const workspace = mkdtempSync(join(tmpdir(), 'k8s-lab-ws-'));

try {
  await runTests({
    ...(useDownload ? {} : { vscodeExecutablePath: join(root, 'scripts/code-server-vscode.mjs') }),
    extensionDevelopmentPath: root,
    extensionTestsPath: join(root, 'dist/test/integration/index.js'),
    launchArgs: [workspace, '--disable-extensions'],
    extensionTestsEnv: { K8S_LAB_TEST_WORKSPACE: workspace },
  });
} catch (err) {
  console.error(`Integration tests failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
