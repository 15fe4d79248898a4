/** The view model of a real pod-creation trace: the simulated cluster runs, the projection reads its log. */
import { strict as assert } from 'node:assert';
import { Cluster } from '../../../../src/sim/cluster';
import type { KubeObject } from '../../../../src/sim/api/types';
import { DEFAULT_FILTER, TraceProjection, traceToMermaid } from '../../../../src/sim/trace';
import { inOrder } from '../../../support/steps';

function podTrace(): { projection: TraceProjection; cluster: Cluster } {
  const cluster = new Cluster({ seed: 7, kubelet: { recordEvents: false } });
  cluster.start();
  const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } };
  const [result] = cluster.applyAndWait([pod]);
  assert.equal(result.action, 'created');
  assert.ok(cluster.settle(120_000, 5_000), 'the pod settles');
  const hosts = cluster.nodes.map((n) => ({ name: n.name, zone: n.zone, role: n.role === 'control-plane' ? 'control-plane' as const : 'worker' as const }));
  const projection = new TraceProjection({ source: result.traceId, hosts });
  projection.add(cluster.log.trace(result.traceId));
  return { projection, cluster };
}


describe('trace/projection of a real cluster run', function () {
  this.timeout(60_000);
  const { projection, cluster } = podTrace();
  const steps = projection.steps(DEFAULT_FILTER);

  it('tells the pod\'s story in the real order', () => {
    const decision = steps.find((s) => s.kind === 'decision')!;
    const cause = steps.find((s) => s.id === decision.parentId)!;
    assert.equal(cause.kind, 'watch', 'the scheduler decides because a watch event arrived, not because someone called it');
    assert.equal(cause.to, decision.from);
    assert.match(cause.to, /^kube-scheduler@master-\d$/);
    inOrder(steps, [
      ['kubectl POSTs through the load balancer', (s) => s.from === 'kubectl' && s.to === 'lb' && s.verb === 'POST'],
      ['the load balancer forwards to an API server', (s) => s.kind === 'forward' && s.to.startsWith('apiserver@')],
      ['the API server proposes to etcd', (s) => s.kind === 'etcd-propose'],
      ['etcd commits with a quorum', (s) => s.kind === 'etcd-commit'],
      ['the scheduler hears of the pod through its watch', (s) => s === cause],
      ['the scheduler decides', (s) => s.kind === 'decision' && s.from === 'kube-scheduler@master-1'],
      ['the scheduler POSTs the binding', (s) => s.verb === 'POST' && !!s.path?.endsWith('/pods/web/binding')],
      ['etcd commits the binding', (s) => s.kind === 'etcd-commit'],
      ['the kubelet hears of it through its watch', (s) => s.kind === 'watch' && s.to.startsWith('kubelet@worker-')],
      ['the kubelet asks the runtime for a sandbox', (s) => s.kind === 'cri' && s.title.startsWith('RunPodSandbox')],
      ['and to start the container', (s) => s.kind === 'cri' && s.title.startsWith('StartContainer')],
      ['the kubelet reports status', (s) => s.verb === 'PATCH' && !!s.path?.endsWith('/pods/web/status')],
      ['etcd commits the status', (s) => s.kind === 'etcd-commit'],
    ]);
  });

  it('gives etcd commits their quorum and the decision its per-node table', () => {
    const commit = projection.detail(steps.find((s) => s.kind === 'etcd-commit')!.id)!;
    assert.equal(commit.quorum!.members, 3);
    assert.ok(commit.quorum!.acks.length >= 2, `quorum acks: ${commit.quorum!.acks.join(', ')}`);
    assert.ok(commit.summary.revision! > 0);
    const decision = projection.detail(steps.find((s) => s.kind === 'decision')!.id)!;
    const table = decision.schedule!;
    assert.match(table.selected!, /^worker-\d$/);
    assert.equal(table.rows.length, 6);
    const masters = table.rows.filter((r) => r.node.startsWith('master-'));
    assert.ok(masters.every((r) => !r.feasible && r.filters.some((f) => /untolerated taint \{node-role\.kubernetes\.io\/control-plane: \}/.test(f.reasons.join()))));
    assert.equal(table.rows.find((r) => r.chosen)?.node, table.selected);
    assert.ok(table.scorePlugins.length > 0);
    assert.match(decision.reality!, /Nobody calls the scheduler/);
  });

  it('shows admission\'s defaults, the binding and the Running status as diffs of the pod', () => {
    const post = steps.find((s) => s.from === 'kubectl' && s.verb === 'POST')!;
    // The first stored version after kubectl's POST, against the body kubectl sent.
    const stored = steps.find((s) => s.id > post.id && s.resourceVersion && projection.detail(s.id)!.objectYaml)!;
    const created = projection.detail(stored.id)!;
    assert.equal(created.previousVersionStep, post.id);
    const added = created.diff!.filter((l) => l.op === '+').map((l) => l.text.trim());
    for (const field of ['restartPolicy: Always', 'dnsPolicy: ClusterFirst', 'schedulerName: default-scheduler', 'terminationGracePeriodSeconds: 30']) {
      assert.ok(added.includes(field), `${field} added by admission; added: ${added.join(' | ')}`);
    }
    const bound = steps.find((s) => s.kind === 'watch' && s.to.startsWith('kubelet@'))!;
    const boundDetail = projection.detail(bound.id)!;
    assert.ok(boundDetail.diff!.some((l) => l.op === '+' && /^ *nodeName: worker-\d$/.test(l.text)), 'the binding set spec.nodeName');
    const withObject = steps.filter((s) => s.objectKey === 'pods/default/web' && projection.detail(s.id)!.objectYaml);
    assert.match(projection.detail(withObject.at(-1)!.id)!.objectYaml!, /phase: Running/);
    assert.equal(cluster.read.get<KubeObject & { status: { phase: string } }>('pods', 'default', 'web')!.status.phase, 'Running');
  });

  it('places every lifeline on a machine of the cluster and exports a diagram with every step', () => {
    const { topology, lifelines } = projection.view(DEFAULT_FILTER);
    const placed = new Set(topology.hosts.flatMap((h) => h.lifelines));
    assert.deepEqual(lifelines.filter((l) => !placed.has(l.id)), []);
    assert.deepEqual(topology.hosts.filter((h) => h.role === 'worker').map((h) => h.zone), ['us-east-2a', 'us-east-2b', 'us-east-2c']);
    const md = traceToMermaid(projection, DEFAULT_FILTER);
    assert.equal(md.split('\n').filter((l) => /^ {2}P\d+\S*P\d+: /.test(l)).length, steps.length);
  });
});
