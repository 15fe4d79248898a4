import { strict as assert } from 'node:assert';
import type { KubeObject } from '../../../src/sim/api/types';
import { createLabCluster } from '../../../src/host/lab-cluster';
import { readLabState } from '../../../src/host/lab-state';
import { labFaults } from '../../../src/host/faults';
import { TreeModel, computeHealth } from '../../../src/host/tree/model';

describe('tree model of a real cluster', function () {
  this.timeout(60_000);

  it('shows 6 nodes in 3 zones, the etcd leader and the scheduler, and follows faults', () => {
    const cluster = createLabCluster({ preset: 'default', seed: 3 });
    cluster.start();
    cluster.clock.advance(20_000); // leader election settles
    const faults = labFaults(cluster);
    let model = new TreeModel(readLabState(cluster, faults));
    assert.equal(model.health, 'Healthy');
    const zones = model.roots().filter((id) => id.includes('/zone:'));
    assert.deepEqual(zones.map((id) => model.row(id)!.label), ['us-east-2a', 'us-east-2b', 'us-east-2c']);
    const nodes = zones.flatMap((z) => model.children(z).map((id) => model.row(id)!));
    assert.equal(nodes.length, 6);
    assert.ok(nodes.every((n) => /· Ready ·/.test(n.description!)), nodes.map((n) => n.description).join('\n'));
    const masters = model.children('cluster/control-plane').slice(1);
    const etcdRows = masters.map((m) => model.row(`${m}/component:etcd`)!);
    assert.equal(etcdRows.filter((r) => r.description!.startsWith('leader')).length, 1, 'one etcd leader');
    for (const component of ['scheduler', 'controller-manager']) {
      const rows = masters.map((m) => model.row(`${m}/component:${component}`)!);
      assert.ok(rows.every((r) => r.contextValue.endsWith(';running')), component);
      assert.deepEqual(rows.map((r) => r.description).sort(), ['leader', 'standby', 'standby'], component);
    }

    const pending: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'big' }, spec: { containers: [{ name: 'c', image: 'nginx:1.26', resources: { requests: { cpu: '64' } } }] } };
    cluster.applyAndWait([pending]);
    cluster.settle(60_000);
    model = new TreeModel(readLabState(cluster, faults));
    assert.equal(model.pendingPods, 1);
    assert.match(model.row(model.podRowId('default', 'big')!)!.tooltip, /0\/6 nodes are available/);

    faults.stop('etcd', 'master-2');
    faults.stop('etcd', 'master-3');
    const state = readLabState(cluster, faults);
    assert.equal(computeHealth(state), 'No etcd quorum');
    assert.deepEqual(state.faults.map((f) => `${f.kind}/${f.name}`), ['etcd/master-2', 'etcd/master-3']);
  });
});
