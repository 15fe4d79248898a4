import { strict as assert } from 'node:assert';
import type { CronJob, DaemonSet, Deployment, Endpoints, Job, ReplicaSet, Service } from '../../../src/sim/api/types';
import { GROUP_THRESHOLD, ROOT_ID, TreeModel, computeHealth, nodeRowId, simulatedTime, targetOfRowId, type Row } from '../../../src/host/tree/model';
import { defaultState, master, node, pod, ZONES } from './fixtures';

/** Every row, depth first (what a fully expanded view shows). */
function walk(model: TreeModel, ids: readonly string[] = model.roots(), out: Row[] = []): Row[] {
  for (const id of ids) {
    const row = model.row(id);
    assert.ok(row, `row ${id} exists`);
    out.push(row);
    walk(model, model.children(id), out);
  }
  return out;
}

describe('tree model', () => {
  it('shows the cluster, its control plane and 6 nodes in 3 zones', () => {
    const model = new TreeModel(defaultState());
    const root = model.row(ROOT_ID)!;
    assert.equal(root.label, 'Cluster');
    assert.match(root.description!, /^Healthy · T\+1m30s$/);
    const top = model.roots().map((id) => model.row(id)!.label);
    assert.deepEqual(top, ['Cluster', 'Control plane', ...ZONES, 'Workloads', 'Services']);
    assert.equal(root.collapsible, 'none', 'the ticking summary row has no subtree to refresh');
    const nodes = walk(model).filter((r) => r.target.kind === 'node');
    assert.equal(nodes.length, 6);
    for (const zone of ZONES) {
      const names = model.children(`cluster/zone:${zone}`).map((id) => model.row(id)!.label);
      assert.equal(names.length, 2, zone);
    }
  });

  it('shows each master with its four components, etcd role and revision, and the lease holders', () => {
    const model = new TreeModel(defaultState());
    const masters = model.children('cluster/control-plane');
    assert.equal(model.row(masters[0])!.label, 'Load balancer');
    assert.equal(model.row(masters[0])!.description, '3/3 API servers in rotation');
    const m1 = model.children(masters[1]).map((id) => model.row(id)!);
    assert.deepEqual(m1.map((r) => r.label), ['kube-apiserver', 'etcd', 'kube-scheduler', 'kube-controller-manager']);
    assert.equal(m1[1].description, 'leader · rev 42');
    assert.equal(m1[2].description, 'leader');
    assert.equal(m1[3].description, 'standby');
    assert.equal(m1[0].contextValue, 'component;apiserver;running');
    assert.deepEqual(m1[1].target, { kind: 'component', component: 'etcd', host: 'master-1' });
    const m2 = model.children(masters[2]).map((id) => model.row(id)!);
    assert.equal(m2[1].description, 'follower · rev 42');
    assert.equal(m2[3].description, 'leader');
  });

  it('labels nodes with role, status and allocated resources against allocatable', () => {
    const state = defaultState({
      nodes: [node('worker-1', 'us-east-2a', { unschedulable: true }), node('worker-2', 'us-east-2b', { ready: 'Unknown' }), node('master-1', 'us-east-2a', { master: true })],
      pods: [pod('a', 'worker-1'), pod('b', 'worker-1')],
    });
    const model = new TreeModel(state);
    const w1 = model.row(nodeRowId('us-east-2a', 'worker-1'))!;
    assert.equal(w1.description, 'worker · Ready,SchedulingDisabled · cpu 500m/4 · mem 256Mi/8Gi');
    assert.equal(w1.contextValue, 'node;up;cordoned');
    assert.equal(w1.icon.color, 'charts.yellow');
    assert.equal(w1.collapsible, 'collapsed');
    const w2 = model.row(nodeRowId('us-east-2b', 'worker-2'))!;
    assert.match(w2.description!, /NotReady/);
    assert.equal(w2.icon.color, 'errorForeground');
    assert.match(w2.tooltip, /Kubelet stopped posting node status/);
    assert.equal(w2.collapsible, 'none');
    const m1 = model.row(nodeRowId('us-east-2a', 'master-1'))!;
    assert.match(m1.description!, /^control-plane · Ready/);
    assert.match(m1.tooltip, /node-role\.kubernetes\.io\/control-plane:NoSchedule/);
  });

  it('shows pod status like kubectl, with icon, colour, restarts and age', () => {
    const pods = [pod('creating', 'worker-1', 'creating'), pod('backoff', 'worker-1', 'pull-backoff'), pod('crash', 'worker-1', 'crash'), pod('ok', 'worker-1'), pod('bye', 'worker-1', 'terminating')];
    const model = new TreeModel(defaultState({ pods }));
    const rows = model.children(nodeRowId('us-east-2a', 'worker-1')).map((id) => model.row(id)!);
    const byLabel = Object.fromEntries(rows.map((r) => [r.label, r]));
    assert.deepEqual(rows.map((r) => r.label), ['backoff', 'bye', 'crash', 'creating', 'ok']);
    assert.equal(byLabel.creating.description, 'ContainerCreating · 90s');
    assert.equal(byLabel.creating.icon.id, 'sync~spin');
    assert.equal(byLabel.backoff.description, 'ImagePullBackOff · 90s');
    assert.equal(byLabel.backoff.icon.color, 'errorForeground');
    assert.match(byLabel.backoff.tooltip, /Back-off pulling image/);
    assert.equal(byLabel.crash.description, 'CrashLoopBackOff · 4 restarts · 90s');
    assert.equal(byLabel.ok.description, 'Running · 90s');
    assert.equal(byLabel.ok.icon.color, 'charts.green');
    assert.equal(byLabel.bye.description, 'Terminating · 90s');
    assert.deepEqual(byLabel.ok.target, { kind: 'object', ref: { resource: 'pods', namespace: 'default', name: 'ok' } });
  });

  it('lists unscheduled pods with the scheduler message and counts them for the badge', () => {
    const model = new TreeModel(defaultState({ pods: [pod('big', undefined, 'unscheduled'), pod('ok', 'worker-1')] }));
    assert.equal(model.pendingPods, 1);
    const unscheduled = model.roots().find((id) => model.row(id)!.label === 'Unscheduled')!;
    const [big] = model.children(unscheduled).map((id) => model.row(id)!);
    assert.equal(big.label, 'big');
    assert.match(big.tooltip, /0\/6 nodes are available: 3 Insufficient cpu/);
    assert.equal(model.podRowId('default', 'big'), big.id);
    assert.equal(model.parent(big.id), unscheduled);
  });

  it('nests Deployments → ReplicaSets → pods and Services → endpoints', () => {
    const d: Deployment = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default', uid: 'd1' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { spec: { containers: [] } } }, status: { readyReplicas: 1, updatedReplicas: 2, availableReplicas: 1 },
    };
    const rs: ReplicaSet = {
      apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-5d4f', namespace: 'default', uid: 'r1', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd1', controller: true }] },
      spec: { replicas: 2, selector: {}, template: { spec: { containers: [] } } }, status: { replicas: 2, readyReplicas: 1 },
    };
    const owner = { kind: 'ReplicaSet', name: 'web-5d4f', uid: 'r1' };
    const svc: Service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { selector: { app: 'web' }, clusterIP: '10.96.0.10', ports: [{ port: 80 }] } };
    const ep: Endpoints = {
      apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'web', namespace: 'default' },
      subsets: [{ addresses: [{ ip: '10.244.1.2', nodeName: 'worker-1', targetRef: { kind: 'Pod', name: 'web-5d4f-a' } }], notReadyAddresses: [{ ip: '10.244.2.2', nodeName: 'worker-2' }], ports: [{ port: 80 }] }],
    };
    const model = new TreeModel(defaultState({
      deployments: [d], replicaSets: [rs], services: [svc], endpoints: [ep],
      pods: [pod('web-5d4f-a', 'worker-1', 'running', owner), pod('web-5d4f-b', 'worker-2', 'creating', owner)],
    }));
    const [deploy] = model.children('cluster/workloads');
    assert.equal(model.row(deploy)!.description, '1/2 ready · 2 up-to-date · 1 available');
    const [rsId] = model.children(deploy);
    assert.equal(model.row(rsId)!.label, 'web-5d4f');
    assert.deepEqual(model.children(rsId).map((id) => model.row(id)!.label), ['web-5d4f-a', 'web-5d4f-b']);
    const [svcId] = model.children('cluster/services');
    assert.equal(model.row(svcId)!.description, 'ClusterIP 10.96.0.10 · 80/TCP · 1 endpoint(s)');
    const eps = model.children(svcId).map((id) => model.row(id)!);
    assert.deepEqual(eps.map((r) => [r.label, r.description]), [['10.244.1.2:80', 'pod/web-5d4f-a · worker-1 · ready'], ['10.244.2.2:80', 'worker-2 · not ready']]);
  });

  it('shows DaemonSets beside Deployments, with their pods', () => {
    const ds: DaemonSet = {
      apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: 'default', uid: 'ds1' },
      spec: { selector: { matchLabels: { app: 'agent' } }, template: { spec: { containers: [] } }, updateStrategy: { type: 'RollingUpdate' } },
      status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberMisscheduled: 0, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2 },
    };
    const owner = { kind: 'DaemonSet', name: 'agent', uid: 'ds1' };
    const model = new TreeModel(defaultState({
      daemonSets: [ds],
      pods: [pod('agent-a', 'worker-1', 'running', owner), pod('agent-b', 'worker-2', 'running', owner), pod('agent-c', 'worker-3', 'creating', owner)],
    }));
    const [dsId] = model.children('cluster/workloads');
    assert.equal(dsId, 'cluster/workloads/ds:default.agent');
    const row = model.row(dsId)!;
    assert.deepEqual([row.label, row.description, row.contextValue], ['agent', '2/3 ready · 3 up-to-date · 2 available', 'daemonset']);
    assert.match(row.tooltip ?? '', /Nodes: 3 desired, 3 current, 3 updated, 2 ready, 2 available/);
    assert.deepEqual(row.target, { kind: 'object', ref: { resource: 'daemonsets', namespace: 'default', name: 'agent' } });
    assert.deepEqual(targetOfRowId(dsId), row.target);
    assert.deepEqual(model.children(dsId).map((id) => model.row(id)!.label), ['agent-a', 'agent-b', 'agent-c']);
  });

  it('shows CronJobs with their Jobs and the Jobs\' pods, and Jobs of their own, under Workloads', () => {
    const meta = (name: string, uid: string, owner?: { kind: string; name: string; uid: string }) => ({
      name, namespace: 'default', uid, ...(owner ? { ownerReferences: [{ apiVersion: 'batch/v1', ...owner, controller: true }] } : {}),
    });
    const cj = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: meta('tick', 'c1'), spec: { schedule: '*/1 * * * *', jobTemplate: { spec: { template: { spec: { containers: [] } } } } }, status: { active: [{ name: 'tick-2' }] } } as unknown as CronJob;
    const done = { apiVersion: 'batch/v1', kind: 'Job', metadata: meta('tick-1', 'j1', { kind: 'CronJob', name: 'tick', uid: 'c1' }), spec: { completions: 1, template: { spec: { containers: [] } } }, status: { succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] } } as unknown as Job;
    const running = { apiVersion: 'batch/v1', kind: 'Job', metadata: meta('tick-2', 'j2', { kind: 'CronJob', name: 'tick', uid: 'c1' }), spec: { completions: 1, template: { spec: { containers: [] } } }, status: { active: 1 } } as unknown as Job;
    const own = { apiVersion: 'batch/v1', kind: 'Job', metadata: meta('migrate', 'j3'), spec: { completions: 3, template: { spec: { containers: [] } } }, status: { succeeded: 2, active: 1 } } as unknown as Job;
    const model = new TreeModel(defaultState({
      cronJobs: [cj], jobs: [done, running, own],
      pods: [pod('tick-2-abcde', 'worker-1', 'running', { kind: 'Job', name: 'tick-2', uid: 'j2' }), pod('migrate-fghij', 'worker-2', 'running', { kind: 'Job', name: 'migrate', uid: 'j3' })],
    }));
    const ids = model.children('cluster/workloads');
    assert.deepEqual(ids, ['cluster/workloads/cj:default.tick', 'cluster/workloads/job:default.migrate']);
    const cjRow = model.row(ids[0])!;
    assert.deepEqual([cjRow.label, cjRow.description, cjRow.contextValue], ['tick', '*/1 * * * * · 1 active', 'cronjob']);
    const jobs = model.children(ids[0]).map((id) => model.row(id)!);
    assert.deepEqual(jobs.map((r) => [r.label, r.description]), [['tick-1', 'Complete · 1/1 completions'], ['tick-2', 'Running · 0/1 completions']]);
    assert.deepEqual(model.children(jobs[1].id).map((id) => model.row(id)!.label), ['tick-2-abcde']);
    assert.equal(model.row(ids[1])!.description, 'Running · 2/3 completions');
    assert.deepEqual(targetOfRowId(jobs[0].id), { kind: 'object', ref: { resource: 'jobs', namespace: 'default', name: 'tick-1' } });
  });

  it('keeps ids stable across updates and gives every row a unique id and a consistent parent', () => {
    const before = new TreeModel(defaultState({ pods: [pod('web-1', 'worker-1', 'creating')] }));
    const after = new TreeModel(defaultState({ now: 120_000, pods: [pod('web-1', 'worker-1', 'running'), pod('web-2', 'worker-2')] }));
    const id = before.podRowId('default', 'web-1')!;
    assert.equal(after.podRowId('default', 'web-1'), id);
    assert.equal(after.row(id)!.description, 'Running · 2m');
    const rows = walk(after);
    assert.equal(new Set(rows.map((r) => r.id)).size, rows.length);
    for (const row of rows) for (const child of after.children(row.id)) assert.equal(after.parent(child), row.id, child);
    for (const top of after.roots()) assert.equal(after.parent(top), undefined, top);
    assert.equal(before.row(after.podRowId('default', 'web-2')!), undefined);
  });

  it('reads what a row stands for from its id alone, so a command on a row the view has since moved still acts on it', () => {
    const svc: Service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } };
    const rs: ReplicaSet = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-5d4f', namespace: 'default', uid: 'r1' }, spec: { replicas: 1, selector: {}, template: { spec: { containers: [] } } } };
    const model = new TreeModel(defaultState({ services: [svc], replicaSets: [rs], pods: [pod('web-1', 'worker-1'), pod('web-2', undefined)] }));
    const rows = walk(model).filter((r) => r.target.kind !== 'none' && r.target.kind !== 'cluster');
    assert.deepEqual([...new Set(rows.map((r) => r.target.kind))].sort(), ['component', 'node', 'object', 'zone']);
    for (const row of rows) assert.deepEqual(targetOfRowId(row.id), row.target, row.id);
    const pending = model.podRowId('default', 'web-2')!;
    const bound = new TreeModel(defaultState({ pods: [pod('web-1', 'worker-1'), pod('web-2', 'worker-2')] }));
    assert.equal(bound.row(pending), undefined, 'the pod left "Unscheduled"');
    assert.deepEqual(targetOfRowId(pending), { kind: 'object', ref: { resource: 'pods', namespace: 'default', name: 'web-2' } });
    for (const id of ['cluster', 'cluster/control-plane', 'cluster/control-plane/lb:lb', 'cluster/workloads/group:Running', 'pod:nodot', 'cluster/component:etcd', 'cluster/master:m/component:kubelet']) {
      assert.equal(targetOfRowId(id), undefined, id);
    }
  });

  it('groups and pages 1,000 pods on one ReplicaSet, and reveal finds each pod', () => {
    const owner = { kind: 'ReplicaSet', name: 'big', uid: 'rs-big' };
    const rs: ReplicaSet = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'big', namespace: 'default', uid: 'rs-big' }, spec: { replicas: 1000, selector: {}, template: { spec: { containers: [] } } } };
    const pods = Array.from({ length: 1000 }, (_, i) => pod(`big-${String(i).padStart(4, '0')}`, i < 950 ? `worker-${(i % 3) + 1}` : undefined, i < 950 ? 'running' : 'unscheduled', owner));
    const started = performance.now();
    const model = new TreeModel(defaultState({ replicaSets: [rs], pods }));
    const rsId = model.children('cluster/workloads')[0];
    const groups = model.children(rsId).map((id) => model.row(id)!);
    assert.deepEqual(groups.map((g) => [g.label, g.description]), [['Pending', '50'], ['Running', '950']]);
    const running = model.children(groups[1].id);
    assert.equal(running.length, 10, 'ten pages of 100');
    assert.equal(model.children(running[9]).length, 50);
    const podId = model.children(running[3])[7];
    assert.equal(model.row(podId)!.label, 'big-0307');
    assert.equal(model.parent(podId), running[3]);
    assert.equal(model.parent(running[3]), groups[1].id);
    // Nodes hold ~317 pods each: grouped too, and every child has at most GROUP_THRESHOLD rows.
    for (const n of ['worker-1', 'worker-2', 'worker-3']) {
      const zone = ZONES[Number(n.slice(-1)) - 1];
      for (const child of model.children(nodeRowId(zone, n))) assert.ok(model.children(child).length <= GROUP_THRESHOLD);
    }
    assert.ok(performance.now() - started < 500, 'builds quickly');
  });

  it('reports health: Degraded for a stopped component or NotReady node, No etcd quorum with 2 of 3 members down', () => {
    assert.equal(computeHealth(defaultState()), 'Healthy');
    const stoppedApi = defaultState({ masters: [master('master-1', 'us-east-2a', { apiserver: { running: false, inRotation: false } }), master('master-2', 'us-east-2b'), master('master-3', 'us-east-2c')] });
    assert.equal(computeHealth(stoppedApi), 'Degraded');
    assert.equal(computeHealth(defaultState({ nodes: [node('worker-1', 'us-east-2a', { ready: 'Unknown' })] })), 'Degraded');
    const etcdDown = (h: string) => master(h, 'us-east-2a', { etcd: { running: false, role: 'follower', term: 3, revision: 40 } });
    const noQuorum = defaultState({ masters: [etcdDown('master-1'), etcdDown('master-2'), master('master-3', 'us-east-2c')], faults: [{ kind: 'etcd', name: 'master-1' }] });
    assert.equal(computeHealth(noQuorum), 'No etcd quorum');
    const model = new TreeModel(noQuorum);
    assert.equal(model.row(ROOT_ID)!.icon.color, 'errorForeground');
    assert.match(model.row(ROOT_ID)!.tooltip, /Faults: etcd master-1/);
    const etcdRow = model.row('cluster/control-plane/master:master-1/component:etcd')!;
    assert.equal(etcdRow.description, 'stopped · rev 40');
    assert.equal(etcdRow.contextValue, 'component;etcd;stopped');
  });

  it('marks failed zones and stopped nodes for the context menus', () => {
    const model = new TreeModel(defaultState({ faults: [{ kind: 'zone', name: 'us-east-2b' }, { kind: 'node', name: 'worker-1' }] }));
    assert.equal(model.row('cluster/zone:us-east-2b')!.contextValue, 'zone;failed');
    assert.equal(model.row('cluster/zone:us-east-2a')!.contextValue, 'zone;up');
    assert.equal(model.row(nodeRowId('us-east-2a', 'worker-1'))!.contextValue, 'node;down;schedulable');
  });

  it('formats simulated time', () => {
    assert.equal(simulatedTime(0), 'T+0m00s');
    assert.equal(simulatedTime(3_723_000), 'T+1h02m03s');
  });
});
