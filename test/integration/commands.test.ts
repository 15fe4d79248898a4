/**
 * Every context-menu and palette command of the Cluster view and the manifest commands, in the real VS Code,
 * driven with tree row ids as VS Code passes them.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import type { K8sLabApi } from '../../src/extension';
import type { Deployment, KubeObject, Node, Pod } from '../../src/sim/api/types';
import { activateLab } from './lab';
import { podsOf, runUntil, running, waitFor } from './tree-helpers';

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: cmd
spec:
  replicas: 3
  selector:
    matchLabels: { app: cmd }
  template:
    metadata:
      labels: { app: cmd }
    spec:
      containers:
        - name: nginx
          image: nginx:1.27
          resources:
            requests: { cpu: 100m, memory: 64Mi }
---
apiVersion: v1
kind: Service
metadata:
  name: cmd
spec:
  selector: { app: cmd }
  ports:
    - port: 80
`;

async function openYaml(content: string): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument({ language: 'yaml', content });
  await vscode.window.showTextDocument(doc);
  return doc;
}

function activeText(): string {
  return vscode.window.activeTextEditor?.document.getText() ?? '';
}

describe('cluster commands (integration)', function () {
  this.timeout(180_000);
  let api: K8sLabApi;
  let pod: Pod;

  before(async () => {
    api = await activateLab();
    await api.lab.reset('default');
    const doc = await openYaml(DEPLOYMENT);
    const outcome = await vscode.commands.executeCommand<{ results: { ref: string; action: string }[] }>('k8sLab.applyManifest', { uri: doc.uri.toString() });
    assert.deepEqual(outcome.results.map((r) => `${r.ref} ${r.action}`), ['deployment.apps/cmd created', 'service/cmd created']);
    await runUntil(api, '3 cmd pods Running', () => running(podsOf(api, 'cmd-')).length === 3, 120_000);
    pod = running(podsOf(api, 'cmd-'))[0];
    await waitFor('the tree shows the pod on its node', () => api.tree.current?.podRowId('default', pod.metadata.name!)?.includes('/node:'));
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await api.lab.stop(true);
  });

  const podRow = () => api.tree.current!.podRowId('default', pod.metadata.name!)!;

  it('shows CodeLenses over each manifest document', async () => {
    const doc = await openYaml(DEPLOYMENT);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
    const ours = lenses.filter((l) => l.command?.command.startsWith('k8sLab.'));
    assert.deepEqual(ours.map((l) => `${l.range.start.line}:${l.command!.title}`), ['0:Apply to lab', '0:Apply and trace', '18:Apply to lab', '18:Apply and trace']);
  });

  it('describes a pod and a node like kubectl describe', async () => {
    await vscode.commands.executeCommand('k8sLab.describe', podRow());
    await waitFor('the describe document', () => activeText().startsWith(`Name:             ${pod.metadata.name}`));
    assert.match(activeText(), /\nStatus: +Running\n/);
    assert.match(activeText(), /\nEvents:\n {2}Type +Reason +Age +From +Message\n/);
    assert.equal(vscode.window.activeTextEditor!.document.uri.scheme, 'k8s-lab');
    await vscode.commands.executeCommand('k8sLab.describe', api.tree.current!.nodeRowId(pod.spec.nodeName!));
    await waitFor('the node document', () => activeText().startsWith(`Name:               ${pod.spec.nodeName}`));
    assert.match(activeText(), /Non-terminated Pods:/);
  });

  it('acts on the object of a row the view has since moved, instead of asking which one', async () => {
    const stale = `cluster/unscheduled/pod:default.${pod.metadata.name}`;
    assert.equal(api.lab.model()!.row(stale), undefined, 'the pod is no longer under "Unscheduled"');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'asked'>((resolve) => { timer = setTimeout(() => resolve('asked'), 10_000); });
    const outcome = await Promise.race([vscode.commands.executeCommand('k8sLab.describe', stale).then(() => 'opened' as const), timeout]);
    clearTimeout(timer);
    if (outcome === 'asked') await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    assert.equal(outcome, 'opened', 'the command asked which object instead of opening the row\'s pod');
    assert.ok(activeText().startsWith(`Name:             ${pod.metadata.name}`), activeText().slice(0, 80));
  });

  it('shows the live YAML of a pod and refreshes it when the object changes', async () => {
    await vscode.commands.executeCommand('k8sLab.showYaml', podRow());
    const editor = await waitFor('the YAML document', () => activeText().includes('kind: Pod') && vscode.window.activeTextEditor);
    assert.equal(editor.document.languageId, 'yaml');
    const { response } = await api.lab.request({
      verb: 'patch', apiVersion: 'v1', resource: 'pods', namespace: 'default', name: pod.metadata.name, patchType: 'application/merge-patch+json',
      body: { metadata: { labels: { tier: 'frontend' } } },
    });
    assert.equal(response.code, 200);
    await waitFor('the refreshed YAML', () => editor.document.getText().includes('tier: frontend'));
  });

  it('shows a pod\'s logs', async () => {
    await vscode.commands.executeCommand('k8sLab.showLogs', podRow());
    await waitFor('the logs document', () => vscode.window.activeTextEditor?.document.uri.path.startsWith('/logs/default/') || undefined);
    assert.ok(!activeText().startsWith('Error from server'), activeText());
  });

  it('opens the request flow for a pod', async () => {
    await vscode.commands.executeCommand('k8sLab.tracePod', podRow());
    await waitFor('the flow panel', () => api.flow.panel);
    assert.equal(api.flow.panel!.source, `object:pods/default/${pod.metadata.name}`);
  });

  it('scales the Deployment', async () => {
    const row = api.tree.current!.children('cluster/workloads').find((id) => id.endsWith('deploy:default.cmd'))!;
    assert.equal(await vscode.commands.executeCommand('k8sLab.scale', row, 4), true);
    assert.equal((api.lab.get({ resource: 'deployments', namespace: 'default', name: 'cmd' }) as Deployment).spec.replicas, 4);
    await runUntil(api, '4 cmd pods Running', () => running(podsOf(api, 'cmd-')).length === 4, 120_000);
  });

  it('deletes a pod; its ReplicaSet replaces it', async () => {
    const name = pod.metadata.name!;
    await vscode.commands.executeCommand('k8sLab.deleteObject', podRow());
    await runUntil(api, 'the pod gone and replaced', () => !podsOf(api, name).length && running(podsOf(api, 'cmd-')).length === 4, 120_000);
    pod = running(podsOf(api, 'cmd-'))[0];
  });

  it('cordons, uncordons and drains a node', async () => {
    const nodeName = pod.spec.nodeName!;
    const row = () => api.tree.current!.row(api.tree.current!.nodeRowId(nodeName)!)!;
    await vscode.commands.executeCommand('k8sLab.cordonNode', api.tree.current!.nodeRowId(nodeName));
    assert.equal((api.lab.get({ resource: 'nodes', name: nodeName }) as Node).spec.unschedulable, true);
    await waitFor('the cordoned row', () => row().contextValue === 'node;up;cordoned');
    assert.match(row().description!, /Ready,SchedulingDisabled/);
    await vscode.commands.executeCommand('k8sLab.uncordonNode', api.tree.current!.nodeRowId(nodeName));
    assert.equal((api.lab.get({ resource: 'nodes', name: nodeName }) as Node).spec.unschedulable, undefined);
    await vscode.commands.executeCommand('k8sLab.drainNode', api.tree.current!.nodeRowId(nodeName));
    assert.equal((api.lab.get({ resource: 'nodes', name: nodeName }) as Node).spec.unschedulable, true);
    await runUntil(api, 'the node drained and the pods back elsewhere', () => {
      const pods = running(podsOf(api, 'cmd-'));
      return pods.length === 4 && pods.every((p) => p.spec.nodeName !== nodeName);
    }, 120_000);
    await vscode.commands.executeCommand('k8sLab.uncordonNode', api.tree.current!.nodeRowId(nodeName));
  });

  it('fails and restores a zone', async () => {
    await vscode.commands.executeCommand('k8sLab.failZone', 'cluster/zone:us-east-2c');
    assert.deepEqual(api.lab.faults!.list().map((f) => `${f.kind}/${f.name}`), ['zone/us-east-2c']);
    await waitFor('the failed zone row', () => api.tree.current?.row('cluster/zone:us-east-2c')?.contextValue === 'zone;failed');
    assert.equal(api.tree.current!.health, 'Degraded');
    await vscode.commands.executeCommand('k8sLab.restoreZone', 'cluster/zone:us-east-2c');
    assert.deepEqual(api.lab.faults!.list(), []);
  });

  it('stops and starts a control-plane member', async () => {
    const row = 'cluster/control-plane/master:master-3/component:etcd';
    await vscode.commands.executeCommand('k8sLab.stopComponent', row);
    await waitFor('the stopped etcd row', () => api.tree.current?.row(row)?.contextValue === 'component;etcd;stopped');
    assert.match(api.tree.current!.row(row)!.description!, /^stopped · rev \d+$/);
    await vscode.commands.executeCommand('k8sLab.startComponent', row);
    await waitFor('the running etcd row', () => api.tree.current?.row(row)?.contextValue === 'component;etcd;running');
    await vscode.commands.executeCommand('k8sLab.stopComponent', 'cluster/control-plane/master:master-2/component:apiserver');
    assert.equal(api.lab.cluster!.apiserver('master-2')!.running, false);
    await vscode.commands.executeCommand('k8sLab.startComponent', 'cluster/control-plane/master:master-2/component:apiserver');
    assert.equal(api.lab.cluster!.apiserver('master-2')!.running, true);
  });

  it('sets the speed from the status bar command', async () => {
    await vscode.commands.executeCommand('k8sLab.setSpeed', 10);
    assert.equal(api.lab.speed, 10);
    assert.match(api.statusBar.item.text, / · 10×$/);
    await vscode.commands.executeCommand('k8sLab.setSpeed', 'pause');
    assert.equal(api.lab.speed, 0);
    assert.match(api.statusBar.item.text, /paused/);
    await vscode.commands.executeCommand('k8sLab.setSpeed', 1);
  });

  it('refuses a manifest with an error and applies nothing', async () => {
    const bad = DEPLOYMENT.replace('name: cmd\nspec:\n  replicas: 3', 'name: other\nspec:\n  replicas: 3').replace('port: 80', 'port: 70000').replace('name: cmd\nspec:\n  selector', 'name: other\nspec:\n  selector');
    const doc = await openYaml(bad);
    const outcome = await vscode.commands.executeCommand<{ results: unknown[]; rejected?: string[] }>('k8sLab.applyManifest', { uri: doc.uri.toString() });
    assert.equal(outcome.results.length, 0);
    assert.match(outcome.rejected![0], /spec\.ports\[0\]\.port: Invalid value: 70000: must be between 1 and 65535, inclusive/);
    assert.equal(api.lab.get({ resource: 'deployments', namespace: 'default', name: 'other' }), undefined, 'the valid document was not applied either');
  });

  it('deletes the manifest\'s objects', async () => {
    const doc = await openYaml(DEPLOYMENT);
    const lines = await vscode.commands.executeCommand<string[]>('k8sLab.deleteManifest', { uri: doc.uri.toString() });
    assert.deepEqual(lines, ['service "cmd" deleted', 'deployment.apps "cmd" deleted']);
    assert.equal(api.lab.get({ resource: 'deployments', namespace: 'default', name: 'cmd' }) as KubeObject | undefined, undefined);
  });

  it('serves the Kubernetes API so kubectl in a terminal talks to the lab', async () => {
    const info = await waitFor('the server', () => api.lab.serverInfo);
    assert.ok(existsSync(info.kubeconfigPath));
    const out = await new Promise<string>((resolve, reject) => {
      execFile('kubectl', ['--kubeconfig', info.kubeconfigPath, 'get', 'nodes', '-o', 'name'], { timeout: 30_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)));
    });
    assert.deepEqual(out.trim().split('\n').sort(), ['node/master-1', 'node/master-2', 'node/master-3', 'node/worker-1', 'node/worker-2', 'node/worker-3']);
  });

  it('resets the lab to a fresh cluster', async () => {
    await api.lab.reset('default');
    assert.equal(api.lab.list('deployments').length, 0);
    assert.equal(api.lab.list('nodes').length, 6);
  });
});
