/**
 * The request flow in the real VS Code: apply a pod to the lab, open the flow on its trace, and the
 * webview receives the steps in the real order (API server → etcd quorum → scheduler watch → binding →
 * etcd → kubelet watch → runtime → status → etcd) and draws them.
 */
import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import type { FlowPanel } from '../../src/host/flow';
import type { HostToWebview, RenderedMessage } from '../../src/protocol';
import type { KubeObject } from '../../src/sim/api/types';
import { inOrder } from '../support/steps';
import { activateLab } from './lab';

function next<T>(event: vscode.Event<unknown>, match: (value: unknown) => value is T, timeoutMs = 20_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error('timed out waiting for the webview'));
    }, timeoutMs);
    const sub = event((value) => {
      if (!match(value)) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(value);
    });
  });
}

const isRendered = (m: unknown): m is RenderedMessage => (m as RenderedMessage).type === 'rendered';


describe('request flow (integration)', function () {
  this.timeout(120_000);

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('k8sLab.stop');
  });

  it('opens on an applied pod\'s trace and the webview receives its steps in the real order', async () => {
    const { lab } = await activateLab();
    await lab.start();
    const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'flow-web' }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } };
    const [result] = await lab.apply([pod]);
    assert.equal(result.action, 'created', result.error?.message);
    await lab.runFor(60_000);
    const running = lab.get({ resource: 'pods', namespace: 'default', name: 'flow-web' }) as (KubeObject & { status?: { phase?: string } }) | undefined;
    assert.equal(running?.status?.phase, 'Running');

    const panel = await vscode.commands.executeCommand<FlowPanel>('k8sLab.openRequestFlow', { traceId: result.traceId });
    assert.ok(panel, 'the command returns the panel');
    const posted: HostToWebview[] = [];
    panel.onDidPostMessage((m) => posted.push(m));
    const rendered = await next(panel.onDidReceiveMessage, isRendered);
    const trace = posted.find((m) => m.type === 'trace');
    assert.ok(trace && trace.type === 'trace', 'the host sent the trace after the ready handshake');
    assert.equal(trace.view.source, result.traceId);
    const steps = trace.view.steps;
    assert.equal(rendered.steps, steps.length, 'the webview drew every step it received');
    assert.equal(rendered.selected, steps[0].id, 'and selected the first');
    inOrder(steps, [
      ['kubectl → lb POST', (s) => s.from === 'kubectl' && s.to === 'lb' && s.verb === 'POST'],
      ['the API server proposes to etcd', (s) => s.kind === 'etcd-propose' && s.from.startsWith('apiserver@')],
      ['etcd commits with a quorum', (s) => s.kind === 'etcd-commit'],
      ['a watch event reaches the scheduler', (s) => s.kind === 'watch' && steps.some((d) => d.kind === 'decision' && d.parentId === s.id)],
      ['the scheduler binds', (s) => s.verb === 'POST' && !!s.path?.endsWith('/pods/flow-web/binding')],
      ['etcd commits the binding', (s) => s.kind === 'etcd-commit'],
      ['the kubelet\'s watch', (s) => s.kind === 'watch' && s.to.startsWith('kubelet@')],
      ['the runtime starts the sandbox', (s) => s.kind === 'cri' && s.to.startsWith('runtime@') && s.title.startsWith('RunPodSandbox')],
      ['and the container', (s) => s.kind === 'cri' && s.title.startsWith('StartContainer')],
      ['the kubelet reports status', (s) => s.verb === 'PATCH' && !!s.path?.endsWith('/pods/flow-web/status')],
      ['etcd commits the status', (s) => s.kind === 'etcd-commit'],
    ]);

    await vscode.commands.executeCommand('k8sLab.openRequestFlow', { traceId: result.traceId });
    assert.equal(panel.source, result.traceId, 'opening again reuses the panel');
  });

  it('opens on everything about an object from a pod reference', async () => {
    const { lab } = await activateLab();
    await lab.start();
    const panel = await vscode.commands.executeCommand<FlowPanel>('k8sLab.openRequestFlow', { objectRef: { resource: 'pods', namespace: 'default', name: 'flow-web' } });
    assert.equal(panel.source, 'object:pods/default/flow-web');
    const rendered = await next(panel.onDidReceiveMessage, isRendered);
    assert.ok(rendered.steps > 20, `steps: ${rendered.steps}`);
    const traces = new Set(panel.steps.map((s) => s.traceId));
    for (const traceId of traces) {
      assert.ok(panel.steps.some((s) => s.traceId === traceId && s.objectKey === 'pods/default/flow-web'), `trace ${traceId} touches the pod`);
    }
    assert.ok(traces.size >= 1);
  });
});
