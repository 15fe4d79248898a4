import { strict as assert } from 'node:assert';
import { applyOk, deployment, podsOf, readyPods, service, waitFor } from '../controllers/helpers';
import { Cluster } from '../../../../src/sim/cluster';
import { presetOptions } from '../../../../src/sim/presets';
import { faultsOf } from '../../../../src/sim/faults';
import type { Pod } from '../../../../src/sim/api/types';

const pod = (name: string, image: string, command?: string[]): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { containers: [{ name, image, ...(command ? { command } : {}) }] },
});

/**
 * Every timer the clock is asked for and every log entry, with a budget: a component that re-arms a
 * zero-delay timer at a frozen virtual time would otherwise spin until the process runs out of memory;
 * past the budget the next schedule throws, out of the clock's step, and the test fails with the labels.
 */
function budget(cluster: Cluster, maxTimers: number, maxEntries: number) {
  const labels = new Map<string, number>();
  let timers = 0;
  let entries = 0;
  const top = () => [...labels].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([l, n]) => `${n} × ${l || '(network)'}`).join(', ');
  const schedule = cluster.clock.schedule.bind(cluster.clock);
  cluster.clock.schedule = (delayMs, fn, label = '') => {
    labels.set(label, (labels.get(label) ?? 0) + 1);
    if (++timers > maxTimers) throw new Error(`more than ${maxTimers} timers by t=${cluster.clock.now()} ms: ${top()}`);
    return schedule(delayMs, fn, label);
  };
  cluster.log.subscribe(() => {
    if (++entries > maxEntries) throw new Error(`more than ${maxEntries} log entries by t=${cluster.clock.now()} ms`);
  });
  return { timers: () => timers, entries: () => entries };
}

describe('faults: a worker powers off under a mixed workload', () => {
  it('a Deployment with a Service, a crash-looping echo pod and a bad image: bounded timers and log, recovery elsewhere', function () {
    this.timeout(60_000);
    const cluster = new Cluster(presetOptions('default', { seed: 11, workers: 6 }));
    cluster.start();
    // About 20 timers and 50 log entries per virtual second for this cluster; a hot loop makes millions.
    const spent = budget(cluster, 200_000, 100_000);
    applyOk(cluster, deployment('web', 8), service('web', { app: 'web' }), pod('hello', 'busybox:1.36', ['echo', 'hello']), pod('broken', 'nginx:9.99-does-not-exist'));
    // The echo pod exits and is restarted (restartPolicy Always) with a back-off of 10, 20, 40 s ...:
    // 40 s ends on a virtual instant whose sum rounds down, where the kubelet used to spin.
    cluster.clock.advance(60_000);
    assert.equal(readyPods(cluster, 'web').length, 8);
    const victims = podsOf(cluster, 'web').filter((p) => p.spec.nodeName === 'worker-2').map((p) => p.metadata.name!);
    assert.ok(victims.length > 0, 'some web pods run on worker-2');

    faultsOf(cluster).stop('node', 'worker-2');
    cluster.clock.advance(400_000);

    // Evicted after the unreachable taint's 300 s and replaced on the other workers.
    waitFor(cluster, '8 ready web pods away from worker-2', () => {
      const ready = readyPods(cluster, 'web');
      return ready.length === 8 && ready.every((p) => p.spec.nodeName !== 'worker-2');
    }, 60_000);
    for (const v of victims) assert.ok(!readyPods(cluster, 'web').some((p) => p.metadata.name === v), `${v} replaced`);

    const status = (name: string) => cluster.read.get<Pod>('pods', 'default', name)?.status?.containerStatuses?.[0];
    const hello = status('hello');
    if (cluster.read.get<Pod>('pods', 'default', 'hello')?.spec.nodeName !== 'worker-2') {
      // Still crash-looping, restarted a handful of times (10 + 20 + 40 + 80 + 160 s of back-off ...), no more.
      assert.ok(hello && hello.restartCount >= 4 && hello.restartCount <= 8, `restartCount ${hello?.restartCount}`);
    }
    assert.ok(spent.timers() < 200_000 && spent.entries() < 100_000, `${spent.timers()} timers, ${spent.entries()} entries`);
  });
});
