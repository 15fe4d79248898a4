import { strict as assert } from 'node:assert';
import type { CoreEvent, KubeObject, Pod } from '../../../../src/sim/api/types';
import { Cluster } from '../../../../src/sim/cluster';
import { Scheduler } from '../../../../src/sim/scheduler/scheduler';

/** The default lab with a scheduler on every master; only master-1's acts (no election yet). */
function lab(seed = 42): Cluster {
  const cluster = new Cluster({
    seed,
    kubelet: { recordEvents: false },
    controlPlane: [(env, master, i) => new Scheduler(env, { leader: () => i === 0, name: `kube-scheduler@${master.name}` })],
  });
  cluster.start();
  return cluster;
}

const pod = (name: string, cpu?: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { containers: [{ name: 'app', image: 'nginx:1.27', ...(cpu ? { resources: { requests: { cpu } } } : {}) }] },
});

describe('sim/scheduler through the real cluster', () => {
  it('a pod goes Pending → Running on a worker: the scheduler learns of it by watch and binds it', () => {
    const cluster = lab();
    const [applied] = cluster.applyAndWait([pod('web')]);
    assert.equal(applied.action, 'created');
    assert.ok(cluster.settle(120_000));
    const web = cluster.read.get<Pod>('pods', 'default', 'web')!;
    assert.match(web.spec.nodeName ?? '', /^worker-[123]$/);
    assert.equal(web.status?.phase, 'Running');
    assert.equal(web.status?.conditions?.find((c) => c.type === 'PodScheduled')?.status, 'True');

    // The causal chain: kubectl's create → watch delivered to the scheduler → its decision → binding.
    const trace = cluster.log.trace(applied.traceId);
    const decision = trace.find((e) => e.kind === 'decision' && e.from === 'kube-scheduler@master-1');
    assert.ok(decision, 'the decision belongs to the trace of the create');
    const watch = cluster.log.get(decision.parentId!);
    assert.equal(watch?.kind, 'watch', 'the decision was caused by a watch delivery');
    const binding = cluster.log.descendants(decision.seq).find((e) => e.kind === 'request' && e.objectRef?.subresource === 'binding');
    assert.ok(binding, 'the binding request follows the decision');
    assert.equal(decision.detail?.selected, web.spec.nodeName);
    const rows = decision.detail?.nodes as { node: string; feasible: boolean }[];
    assert.deepEqual(rows.filter((r) => !r.feasible).map((r) => r.node).sort(), ['master-1', 'master-2', 'master-3']);
    const scheduled = cluster.read.list<CoreEvent>('events', 'default').find((e) => e.reason === 'Scheduled');
    assert.equal(scheduled?.message, `Successfully assigned default/web to ${web.spec.nodeName}`);
    // Followers decide nothing.
    assert.equal(cluster.log.all().filter((e) => e.kind === 'decision' && e.from === 'kube-scheduler@master-2' && e.objectRef).length, 0);
  });

  it('a pod too big for any node stays Pending with upstream\'s message', () => {
    const cluster = lab();
    cluster.applyAndWait([pod('huge', '5')]);
    cluster.settle(60_000);
    const huge = cluster.read.get<Pod>('pods', 'default', 'huge')!;
    assert.equal(huge.spec.nodeName, undefined);
    assert.equal(huge.status?.phase, 'Pending');
    const expected =
      '0/6 nodes are available: 3 Insufficient cpu, 3 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. ' +
      'preemption: 0/6 nodes are available: 3 No preemption victims found for incoming pod, 3 Preemption is not helpful for scheduling.';
    const cond = huge.status?.conditions?.find((c) => c.type === 'PodScheduled');
    assert.deepEqual([cond?.status, cond?.reason, cond?.message], ['False', 'Unschedulable', expected]);
    const failed = cluster.read.list<CoreEvent>('events', 'default').find((e) => e.reason === 'FailedScheduling');
    assert.equal(failed?.type, 'Warning');
    assert.equal(failed?.message, expected);
  });

  it('spreads replicas over the workers and never exceeds allocatable', () => {
    const cluster = lab(7);
    cluster.applyAndWait(Array.from({ length: 12 }, (_, i) => pod(`p${i}`, '1')));
    cluster.settle(120_000);
    const pods = cluster.read.list<Pod>('pods', 'default');
    const perNode = new Map<string, number>();
    for (const p of pods) if (p.spec.nodeName) perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
    assert.deepEqual([...perNode.entries()].sort(), [['worker-1', 4], ['worker-2', 4], ['worker-3', 4]]);
  });
});
