import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import { stepContextKey } from '../../src/lessons/catalogue';
import { activateLab, EXTENSION_ID } from './lab';

describe('lessons (walkthroughs)', function () {
  this.timeout(180_000);

  it('every command a walkthrough step waits for or links to is registered', async () => {
    await activateLab();
    const registered = new Set(await vscode.commands.getCommands(true));
    const walkthroughs = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes.walkthroughs as { id: string; steps: { id: string; description: string; completionEvents: string[] }[] }[];
    assert.equal(walkthroughs.length, 9);
    for (const w of walkthroughs) {
      for (const step of w.steps) {
        const ids = [
          ...step.completionEvents.map((e) => /^onCommand:(.+)$/.exec(e)?.[1]).filter((x): x is string => !!x),
          ...[...step.description.matchAll(/\(command:([\w.-]+)/g)].map((m) => m[1]),
        ];
        for (const id of ids) assert.ok(registered.has(id), `${w.id}/${step.id}: command ${id} is not registered`);
      }
    }
  });

  it('completes lesson steps from the lab\'s real state: the architecture, and a Service request', async () => {
    const api = await activateLab();
    await api.lab.start({ fresh: true });
    await api.lab.runFor(30_000);
    api.lessons.update();
    assert.ok(api.lessons.isDone(stepContextKey('architecture', 'start')));
    assert.ok(api.lessons.isDone(stepContextKey('architecture', 'nodes')), 'six Ready nodes');

    await vscode.commands.executeCommand('k8sLab.lesson.reset', 'services');
    const editor = await vscode.commands.executeCommand<vscode.TextEditor>('k8sLab.lesson.openStarter', 'service');
    assert.match(editor.document.getText(), /kind: Service/);
    await vscode.commands.executeCommand('k8sLab.applyManifest');
    await api.lab.runFor(60_000);
    api.lessons.update();
    assert.ok(api.lessons.isDone(stepContextKey('services', 'expose')), 'the Service has endpoints');
    const result = await vscode.commands.executeCommand<{ ok: boolean }>('k8sLab.sendServiceRequest', { resource: 'services', namespace: 'default', name: 'web' }, 'worker-2');
    assert.equal(result?.ok, true);
    api.lessons.update();
    assert.ok(api.lessons.isDone(stepContextKey('services', 'request')));
    await api.lab.stop(true);
  });
});
