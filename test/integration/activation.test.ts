import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import { activateLab, EXTENSION_ID } from './lab';

describe('activation', () => {
  it('is not activated eagerly by "*"', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    assert.ok(!ext.packageJSON.activationEvents.includes('*'));
  });

  it('activates and reports how long it took', async () => {
    const api = await activateLab();
    assert.equal(typeof api.activationMs, 'number');
    assert.ok(api.activationMs >= 0);
    console.log(`activation took ${api.activationMs.toFixed(1)} ms`);
  });

  it('registers every contributed command', async () => {
    await activateLab();
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const contributed: string[] = ext.packageJSON.contributes.commands.map((c: { command: string }) => c.command);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((id) => !registered.has(id));
    assert.deepEqual(missing, [], `commands contributed but not registered: ${missing.join(', ')}`);
    assert.ok(contributed.every((id) => id.startsWith('k8sLab.')));
  });

  it('contributes the Kubernetes Lab container and its Cluster view', async () => {
    await activateLab();
    // VS Code generates a focus command for every registered view and container.
    await vscode.commands.executeCommand('workbench.view.extension.k8sLab');
    await vscode.commands.executeCommand('k8sLab.cluster.focus');
  });

  it('start and stop flip the lab state', async () => {
    const api = await activateLab();
    await vscode.commands.executeCommand('k8sLab.start');
    assert.equal(api.lab.isRunning, true);
    await vscode.commands.executeCommand('k8sLab.stop');
    assert.equal(api.lab.isRunning, false);
  });
});
