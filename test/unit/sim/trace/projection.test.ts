import { strict as assert } from 'node:assert';
import { DEFAULT_FILTER, TraceProjection, tailChange } from '../../../../src/sim/trace/projection';
import { belongsTo, entriesOf, recentTraces } from '../../../../src/sim/trace/catalog';
import { LogBuilder, leaseRenewal, podCreationTrace } from './pod-trace';

const HOSTS = [
  { name: 'master-1', role: 'control-plane' as const, zone: 'us-east-2a' },
  { name: 'master-2', role: 'control-plane' as const, zone: 'us-east-2b' },
  { name: 'master-3', role: 'control-plane' as const, zone: 'us-east-2c' },
  { name: 'worker-1', role: 'worker' as const, zone: 'us-east-2a' },
  { name: 'worker-2', role: 'worker' as const, zone: 'us-east-2b' },
  { name: 'worker-3', role: 'worker' as const, zone: 'us-east-2c' },
];

function projection(): TraceProjection {
  const p = new TraceProjection({ source: 'live', hosts: HOSTS });
  p.add(podCreationTrace().entries);
  return p;
}

describe('trace/projection', () => {
  it('orders lifelines as the story reads: client, lb, API servers, etcd, scheduler, kubelets, runtimes', () => {
    const ids = projection().lifelines().map((l) => l.id);
    assert.deepEqual(ids, [
      'kubectl', 'lb',
      'apiserver@master-1', 'apiserver@master-2', 'apiserver@master-3',
      'etcd@master-1', 'etcd@master-2', 'etcd@master-3',
      'kube-scheduler@master-1',
      'kubelet@worker-1', 'kubelet@worker-2',
      'runtime@worker-2',
    ]);
  });

  it('places hosts in their zones, kubectl outside and the load balancer in front', () => {
    const { topology } = projection().view();
    assert.deepEqual(topology.zones, ['us-east-2a', 'us-east-2b', 'us-east-2c']);
    const byName = new Map(topology.hosts.map((h) => [h.name, h]));
    assert.equal(byName.get('kubectl')!.role, 'client');
    assert.equal(byName.get('kubectl')!.zone, undefined);
    assert.equal(byName.get('lb')!.role, 'lb');
    assert.equal(byName.get('worker-3')!.zone, 'us-east-2c');
    assert.deepEqual(byName.get('worker-3')!.lifelines, [], 'a silent worker still appears');
    assert.deepEqual(byName.get('master-1')!.lifelines, ['apiserver@master-1', 'etcd@master-1', 'kube-scheduler@master-1']);
    assert.deepEqual(byName.get('worker-2')!.lifelines, ['kubelet@worker-2', 'runtime@worker-2']);
  });

  it('reads verb, path, code, object, resourceVersion and revision from the entries', () => {
    const steps = projection().steps({ collapseHeartbeats: false });
    const post = steps[0];
    assert.equal(post.verb, 'POST');
    assert.equal(post.path, '/api/v1/namespaces/default/pods');
    assert.equal(post.objectKey, 'pods/default/web');
    assert.equal(post.stage, 'api');
    const created = steps.find((s) => s.code === 201)!;
    assert.equal(created.resourceVersion, '12');
    assert.equal(created.from, 'apiserver@master-2');
    const commit = steps.find((s) => s.kind === 'etcd-commit')!;
    assert.equal(commit.revision, 12);
    assert.equal(commit.objectKey, 'pods/default/web', 'from the etcd key');
    const ack = steps.find((s) => s.kind === 'etcd-ack')!;
    assert.equal(ack.objectKey, 'pods/default/web', 'an ack names no object: it inherits its cause\'s');
    const binding = steps.find((s) => s.path?.endsWith('/binding'))!;
    assert.equal(binding.objectKey, 'pods/default/web', 'subresources fold into their object');
    assert.equal(binding.stage, 'scheduler');
  });

  it('follows the real order: API server → etcd quorum → scheduler watch → binding → etcd → kubelet watch → runtime → status → etcd', () => {
    const steps = projection().steps({ object: 'pods/default/web', collapseHeartbeats: true });
    const story = steps.map((s) => `${s.kind}:${s.to}`);
    const expected = [
      'request:lb', 'forward:apiserver@master-2', 'etcd-propose:etcd@master-1', 'etcd-commit:etcd@master-1', 'response:kubectl',
      'watch:kube-scheduler@master-1', 'decision:kube-scheduler@master-1', 'request:apiserver@master-1', 'etcd-commit:etcd@master-1',
      'watch:kubelet@worker-2', 'cri:runtime@worker-2', 'request:lb', 'etcd-commit:etcd@master-1', 'response:kubelet@worker-2',
    ];
    let at = -1;
    for (const want of expected) {
      const found = story.indexOf(want, at + 1);
      assert.ok(found > at, `${want} after position ${at} in\n${story.join('\n')}`);
      at = found;
    }
    assert.ok(!steps.some((s) => s.stage === 'heartbeat'), 'the object filter drops the lease renewals');
  });

  it('collapses consecutive lease renewals into one step, and keeps them when asked', () => {
    const b = podCreationTrace();
    leaseRenewal(b, 'l3', 'worker-3', 17);
    leaseRenewal(b, 'l4', 'worker-1', 18);
    const p = new TraceProjection({ source: 'live' });
    p.add(b.entries);
    const open = p.steps({ collapseHeartbeats: false });
    const folded = p.steps({ collapseHeartbeats: true });
    const heartbeatEntries = open.filter((s) => s.stage === 'heartbeat');
    assert.equal(heartbeatEntries.length, 4 * 8);
    const runs = folded.filter((s) => s.collapsed);
    assert.equal(runs.length, 3, 'two lone renewals inside the pod trace, one run of two at the end');
    assert.equal(runs.reduce((n, s) => n + s.collapsed!, 0), heartbeatEntries.length);
    const last = runs[2];
    assert.match(last.title, /^2 lease renewals \(kubelet@worker-3, kubelet@worker-1\) · 16 messages/);
    assert.equal(folded.length, open.length - heartbeatEntries.length + runs.length);
    const detail = p.detail(last.id, DEFAULT_FILTER)!;
    assert.equal(detail.members!.length, 16);
    assert.match(detail.explanation, /2 lease renewals/);
    assert.match(detail.reality!, /kube-node-lease every 10 s/);
  });

  it('filters by component instance and by component kind', () => {
    const p = projection();
    const kubelet = p.steps({ component: 'kubelet@worker-2', collapseHeartbeats: true });
    assert.ok(kubelet.length > 0);
    assert.ok(kubelet.every((s) => s.from === 'kubelet@worker-2' || s.to === 'kubelet@worker-2'));
    const etcd = p.steps({ component: 'kind:etcd', collapseHeartbeats: false });
    assert.ok(etcd.every((s) => s.from.startsWith('etcd@') || s.to.startsWith('etcd@')));
    assert.ok(etcd.some((s) => s.to === 'etcd@master-3'));
    const options = p.componentOptions().map((o) => o.value);
    assert.ok(options.includes('kind:etcd'));
    assert.ok(options.includes('kubelet@worker-2'));
    assert.ok(!options.includes('apiserver@master-9'));
    assert.deepEqual(p.objectOptions().map((o) => o.label).sort(), ['lease/kube-node-lease/worker-1', 'pod/web']);
  });

  it('explains each step and says where the simplified picture is wrong', () => {
    const p = projection();
    const steps = p.steps(DEFAULT_FILTER);
    const watch = steps.find((s) => s.kind === 'watch' && s.to.startsWith('kube-scheduler'))!;
    const detail = p.detail(watch.id)!;
    assert.match(detail.explanation, /streams a watch event about pod\/web/);
    assert.match(detail.reality!, /Nobody calls the scheduler/);
    const kubeletWatch = p.detail(steps.find((s) => s.kind === 'watch' && s.to.startsWith('kubelet'))!.id)!;
    assert.match(kubeletWatch.reality!, /spec\.nodeName=<its node>/);
    const bind = p.detail(steps.find((s) => s.path?.endsWith('/binding'))!.id)!;
    assert.match(bind.reality!, /never talks to the kubelet/);
    const sandbox = p.detail(steps.find((s) => s.kind === 'cri')!.id)!;
    assert.match(sandbox.explanation, /pod sandbox/);
  });

  it('explains an eviction as a delete that asks first, and its 201 as a deletion, not a stored object', () => {
    const b = new LogBuilder();
    const POD = { resource: 'pods', namespace: 'default', name: 'web', subresource: 'eviction' };
    const path = '/api/v1/namespaces/default/pods/web/eviction';
    const post = b.add({ traceId: 'e1', from: 'kubectl', to: 'lb', kind: 'request', objectRef: POD, summary: `POST ${path}`, detail: { verb: 'create', path } });
    const fwd = b.add({ traceId: 'e1', parentId: post.seq, from: 'lb', to: 'apiserver@master-2', kind: 'forward', objectRef: POD, summary: `forward POST ${path} to apiserver@master-2` });
    const commit = b.etcdWrite('e1', fwd, 'apiserver@master-2', '/registry/pods/default/web', 20);
    b.add({ traceId: 'e1', parentId: commit.seq, from: 'apiserver@master-2', to: 'kubectl', kind: 'response', objectRef: POD, summary: '201 Created', detail: { code: 201 } });
    const p = new TraceProjection({ source: 'live', hosts: HOSTS });
    p.add(b.entries);
    const steps = p.steps(DEFAULT_FILTER);
    const request = p.detail(steps.find((s) => s.kind === 'request')!.id)!;
    assert.match(request.explanation, /asks to evict the pod/);
    assert.match(request.reality!, /PodDisruptionBudget/);
    const answer = p.detail(steps.find((s) => s.kind === 'response')!.id)!;
    assert.match(answer.explanation, /No Eviction object is stored/);
    assert.doesNotMatch(answer.explanation, /desired state/);
  });

  it('shows the object as YAML with the diff against its previous version in the trace', () => {
    const p = projection();
    const steps = p.steps(DEFAULT_FILTER);
    const first = p.detail(steps[0].id)!;
    assert.match(first.objectYaml!, /^apiVersion: v1\nkind: Pod\n/);
    assert.equal(first.diff, undefined, 'the first version has nothing to compare with');
    const created = p.detail(steps.find((s) => s.code === 201)!.id)!;
    assert.equal(created.previousVersionStep, steps[0].id);
    const added = created.diff!.filter((l) => l.op === '+').map((l) => l.text.trim());
    assert.deepEqual(added, ['resourceVersion: "12"', 'restartPolicy: Always', 'dnsPolicy: ClusterFirst', 'schedulerName: default-scheduler']);
    const running = p.detail(steps.filter((s) => s.code === 200 && s.objectKey === 'pods/default/web').at(-1)!.id)!;
    assert.ok(running.diff!.some((l) => l.op === '+' && l.text.trim() === 'phase: Running'));
    assert.ok(running.diff!.some((l) => l.op === '-' && l.text.trim() === 'resourceVersion: "14"'));
  });

  it('gives the quorum of an etcd commit and the scheduler\'s per-node table', () => {
    const p = projection();
    const steps = p.steps(DEFAULT_FILTER);
    const commit = p.detail(steps.find((s) => s.kind === 'etcd-commit')!.id)!;
    assert.deepEqual(commit.quorum, { acks: ['etcd@master-1', 'etcd@master-2'], members: 3, needed: 2 });
    const decision = p.detail(steps.find((s) => s.kind === 'decision')!.id)!;
    const table = decision.schedule!;
    assert.equal(table.selected, 'worker-2');
    assert.deepEqual(table.scorePlugins, ['NodeResourcesFit', 'TaintToleration']);
    assert.deepEqual(table.rows.map((r) => [r.node, r.feasible, r.total, r.chosen]), [
      ['worker-2', true, 195, true],
      ['worker-1', true, 190, false],
      ['master-1', false, undefined, false],
    ]);
    assert.match(table.rows[2].filters[0].reasons[0], /untolerated taint/);
    assert.equal(decision.detailYaml, 'selected: worker-2', 'the table is not repeated in the raw detail');
  });

  it('grows incrementally in live mode: only the tail changes', () => {
    const all = podCreationTrace().entries;
    const p = new TraceProjection({ source: 'live' });
    p.add(all.slice(0, 10));
    const before = p.steps(DEFAULT_FILTER);
    assert.equal(p.add(all.slice(0, 20)), 10, 'entries already seen are skipped');
    const after = p.steps(DEFAULT_FILTER);
    const change = tailChange(before, after);
    assert.ok(change.from >= before.length - 1 && change.from <= before.length);
    assert.deepEqual([...before.slice(0, change.from), ...change.steps].map((s) => s.id), after.map((s) => s.id));
  });

  it('selects the entries of a trace, of every trace touching an object, or all of them', () => {
    const entries = podCreationTrace().entries;
    const traces = (source: string) => [...new Set(entriesOf(entries, source).map((e) => e.traceId))];
    assert.deepEqual(traces('object:pods/default/web'), ['t1']);
    assert.deepEqual(traces('object:leases/kube-node-lease/worker-1'), ['l1', 'l2']);
    assert.deepEqual(traces('l2'), ['l2']);
    assert.equal(entriesOf(entries, 'live').length, entries.length);
    const lease = entries.find((e) => e.traceId === 'l1')!;
    assert.equal(belongsTo(lease, 't1', new Set(['t1'])), false);
    assert.equal(belongsTo(lease, 'object:leases/kube-node-lease/worker-1', new Set()), true);
    assert.equal(belongsTo(lease, 'live', new Set()), true);
  });

  it('lists the traces a person started, newest first', () => {
    const items = recentTraces(podCreationTrace().entries);
    assert.deepEqual(items.map((i) => i.source), ['t1'], 'kubelet lease renewals are not offered');
    assert.equal(items[0].label, '+0.0s POST /api/v1/namespaces/default/pods · pod/web');
  });
});
