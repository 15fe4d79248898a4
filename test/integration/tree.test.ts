/**
 * The Cluster view in the real VS Code: start the lab → 6 nodes in 3 zones; apply the example
 * Deployment → its pods appear and reach Running; stop a worker → NotReady, and after the eviction
 * window replacement pods run elsewhere. The tree is read through the same TreeDataProvider calls VS Code makes.
 */
import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import type { K8sLabApi } from '../../src/extension';
import type { Node } from '../../src/sim/api/types';
import { activateLab, EXTENSION_ID } from './lab';
import { allRows, podsOf, runUntil, running, waitFor } from './tree-helpers';

describe('cluster tree (integration)', function () {
  this.timeout(180_000);
  let api: K8sLabApi;

  before(async () => {
    api = await activateLab();
    await api.lab.reset('default');
    await vscode.commands.executeCommand('k8sLab.cluster.focus');
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await api.lab.stop(true);
  });

  it('shows the cluster with 6 nodes in 3 zones and its control plane', async () => {
    const rows = await waitFor('the tree', () => (allRows(api).length > 0 ? allRows(api) : undefined));
    assert.equal(rows[0].label, 'Cluster');
    assert.match(rows[0].description!, /^(Healthy|Degraded) · T\+/);
    const zones = rows.filter((r) => r.target.kind === 'zone').map((r) => r.label);
    assert.deepEqual(zones, ['us-east-2a', 'us-east-2b', 'us-east-2c']);
    const nodes = rows.filter((r) => r.target.kind === 'node');
    assert.equal(nodes.length, 6);
    for (const zone of zones) assert.equal(api.tree.getChildren(`cluster/zone:${zone}`).length, 2, zone);
    const components = rows.filter((r) => r.target.kind === 'component');
    assert.equal(components.length, 12, 'apiserver, etcd, scheduler, controller-manager on 3 masters');
  });

  it('applies the example Deployment: its pods appear under their nodes and reach Running', async () => {
    const file = vscode.Uri.joinPath(vscode.extensions.getExtension(EXTENSION_ID)!.extensionUri, 'examples', 'deployment.yaml');
    const outcome = await vscode.commands.executeCommand<{ results: { ref: string; action: string }[] }>('k8sLab.applyManifest', { uri: file.toString() });
    assert.deepEqual(outcome.results.map((r) => `${r.ref} ${r.action}`), ['deployment.apps/web created']);
    await runUntil(api, '6 web pods Running', () => running(podsOf(api, 'web-')).length === 6, 180_000);
    const zonesOfPods = new Set(running(podsOf(api, 'web-')).map((p) => api.lab.get({ resource: 'nodes', name: p.spec.nodeName! }) as Node).map((n) => n.metadata.labels?.['topology.kubernetes.io/zone']));
    assert.equal(zonesOfPods.size, 3, 'spread over the three zones');
    const podRows = await waitFor('6 Running pod rows', () => {
      const rows = allRows(api).filter((r) => r.contextValue === 'pod' && r.id.includes('/node:') && r.label.startsWith('web-') && r.description!.startsWith('Running'));
      return rows.length === 6 ? rows : undefined;
    });
    assert.ok(podRows.every((r) => r.icon.id === 'pass-filled'));
    const workloads = allRows(api).filter((r) => r.target.kind === 'object' && r.target.ref.resource === 'deployments');
    assert.equal(workloads[0].description, '6/6 ready · 6 up-to-date · 6 available');
    const pod = podsOf(api, 'web-')[0];
    assert.ok(await api.tree.revealPod('default', pod.metadata.name!));
    // The workbench reports the new selection back to the extension host on its own, after reveal resolves.
    const rowId = api.tree.current!.podRowId('default', pod.metadata.name!);
    await waitFor('the revealed pod selected', () => api.tree.view.selection.length === 1 && api.tree.view.selection[0] === rowId);
  });

  it('stops a worker: NotReady, its pods evicted after the toleration, replacements created elsewhere, all Running once it is back', async () => {
    const victim = 'worker-1';
    const evicted = running(podsOf(api, 'web-')).filter((p) => p.spec.nodeName === victim).map((p) => p.metadata.name!);
    assert.ok(evicted.length > 0, 'worker-1 runs some web pods');
    const before = new Set(podsOf(api, 'web-').map((p) => p.metadata.name!));
    const nodeRow = api.tree.current!.nodeRowId(victim)!;
    await vscode.commands.executeCommand('k8sLab.stopNode', nodeRow);
    await runUntil(api, 'worker-1 NotReady', () => {
      const node = api.lab.get({ resource: 'nodes', name: victim }) as Node;
      return node.status?.conditions?.find((c) => c.type === 'Ready')?.status !== 'True';
    }, 120_000);
    const row = await waitFor('the NotReady row', () => api.tree.current?.row(nodeRow)?.description?.includes('NotReady') && api.tree.current.row(nodeRow));
    assert.equal(row.contextValue, 'node;down;schedulable');
    assert.equal(row.icon.color, 'errorForeground');
    assert.match(row.description!, /^worker · powered off · NotReady · /);
    // node-monitor-grace-period, then 300 s of toleration: the pods are evicted and the ReplicaSet creates replacements.
    const replacements = () => podsOf(api, 'web-').filter((p) => !p.metadata.deletionTimestamp && !before.has(p.metadata.name!));
    await runUntil(api, 'replacements created', () => podsOf(api, 'web-').filter((p) => !p.metadata.deletionTimestamp).length === 6 && evicted.every((n) => podsOf(api, n).every((p) => p.metadata.deletionTimestamp)), 600_000, 10_000);
    await api.lab.runFor(30_000);
    const fresh = replacements();
    assert.equal(fresh.length, evicted.length, 'one replacement per evicted pod');
    // Each replacement runs on another worker, or waits with the scheduler's reason (the example's zone spread).
    for (const p of fresh) {
      if (p.spec.nodeName) assert.notEqual(p.spec.nodeName, victim);
      else assert.match(p.status?.conditions?.find((c) => c.type === 'PodScheduled')?.message ?? '', /^0\/6 nodes are available: /);
    }
    const pending = fresh.filter((p) => !p.spec.nodeName).length;
    await waitFor('the badge', () => (api.tree.view.badge?.value ?? 0) === pending);
    for (const p of fresh) {
      await waitFor(`a row for ${p.metadata.name}`, () => {
        const id = api.tree.current?.podRowId('default', p.metadata.name!);
        return id !== undefined && api.tree.current!.row(id);
      });
    }
    await vscode.commands.executeCommand('k8sLab.startNode', nodeRow);
    await runUntil(api, 'six web pods Running, the evicted ones gone', () => running(podsOf(api, 'web-')).length === 6 && podsOf(api, 'web-').length === 6, 300_000);
    await waitFor('no badge', () => api.tree.view.badge === undefined);
  });

  it('refreshes only the rows that changed', async () => {
    await waitFor('a settled tree', () => allRows(api).length > 20);
    allRows(api); // the view has "seen" every row
    const total = allRows(api).length;
    await api.lab.runFor(11_000); // lease renewals and status updates only
    await waitFor('an update', () => api.tree.lastRefreshCount > 0 || undefined);
    assert.ok(api.tree.lastRefreshCount < total / 2, `refreshed ${api.tree.lastRefreshCount} of ${total} rows`);
  });
});
