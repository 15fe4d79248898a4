import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { labelSelectorAsSelector } from '../../../../src/sim/api/labels';
import type { LabelSelector } from '../../../../src/sim/api/types';
import { podRequests } from '../../../../src/sim/scheduler/node-info';
import { Harness, makeNode, makePod } from './fixtures';

/** Random sequences of pod arrivals and deletions on random nodes. */
const op = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), cpu: fc.integer({ min: 0, max: 3000 }), mem: fc.integer({ min: 0, max: 4096 }), port: fc.option(fc.constantFrom(80, 443), { nil: undefined }) }),
  fc.record({ kind: fc.constant('delete' as const), index: fc.nat() }),
);

describe('sim/scheduler properties', () => {
  it('never overcommits a node, never binds a pod twice, and keeps NodeInfo sums exact', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 6 }), fc.array(op, { maxLength: 60 }), fc.integer(), (cpus, ops, seed) => {
        const h = new Harness(undefined, seed).nodes(...cpus.map((c, i) => makeNode(`n${i}`, { zone: `z${i % 3}`, cpu: String(c), memory: '8Gi', pods: 5 })));
        const bound = new Map<string, ReturnType<typeof makePod>>();
        let n = 0;
        for (const o of ops) {
          if (o.kind === 'add') {
            const pod = makePod(`p${n++}`, { cpu: `${o.cpu}m`, memory: `${o.mem}Mi`, hostPort: o.port });
            const r = h.schedule(pod);
            if (r.nodeName) {
              assert.ok(!bound.has(pod.metadata.name!), 'bound twice');
              const placed = { ...pod, spec: { ...pod.spec, nodeName: r.nodeName } };
              h.cache.addPod(placed);
              bound.set(pod.metadata.name!, placed);
            } else assert.match(r.fitError ?? '', /^0\/\d+ nodes are available: /);
          } else if (bound.size) {
            const victim = [...bound.values()][o.index % bound.size];
            h.cache.removePod(victim);
            bound.delete(victim.metadata.name!);
          }
        }
        for (const node of h.cache.nodeInfos()) {
          const pods = [...bound.values()].filter((p) => p.spec.nodeName === node.name);
          const cpu = pods.reduce((s, p) => s + podRequests(p).milliCPU, 0);
          const mem = pods.reduce((s, p) => s + podRequests(p).memory, 0);
          assert.equal(node.requested.milliCPU, cpu);
          assert.equal(node.requested.memory, mem);
          assert.equal(node.pods.size, pods.length);
          assert.ok(cpu <= node.allocatable.milliCPU, `${node.name} cpu ${cpu} > ${node.allocatable.milliCPU}`);
          assert.ok(mem <= node.allocatable.memory);
          assert.ok(pods.length <= node.allowedPodNumber);
          const ports = pods.flatMap((p) => p.spec.containers.flatMap((c) => (c.ports ?? []).map((x) => x.hostPort)).filter(Boolean));
          assert.equal(new Set(ports).size, ports.length, 'a host port used twice on one node');
        }
      }),
      { numRuns: 150 },
    );
  });

  it('keeps spreading counts equal to a recount after random adds and deletes', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.constantFrom('web', 'db'), fc.nat()), { maxLength: 80 }), (steps) => {
        const h = new Harness().nodes(...Array.from({ length: 6 }, (_, i) => makeNode(`n${i}`, { zone: `z${i % 3}`, cpu: '64' })));
        h.listers.rss.push({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'rs-web', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'web' } }, template: { spec: { containers: [] } } } });
        const bound: ReturnType<typeof makePod>[] = [];
        let n = 0;
        for (const [add, app, index] of steps) {
          if (add || bound.length === 0) {
            const pod = makePod(`p${n++}`, { labels: { app }, ownerRS: app === 'web' ? 'rs-web' : undefined });
            const node = h.place(pod);
            if (node) bound.push({ ...pod, spec: { ...pod.spec, nodeName: node } });
          } else {
            const [victim] = bound.splice(index % bound.length, 1);
            h.cache.removePod(victim);
          }
        }
        const counter = h.cache.podCounter('default', labelSelectorAsSelector({ matchLabels: { app: 'web' } }));
        const zones = counter.domainCounts('topology.kubernetes.io/zone');
        for (const node of h.cache.nodeInfos()) {
          const recount = bound.filter((p) => p.spec.nodeName === node.name && p.metadata.labels?.app === 'web').length;
          assert.equal(counter.count(node), recount);
        }
        for (const zone of ['z0', 'z1', 'z2']) {
          const recount = bound.filter((p) => p.metadata.labels?.app === 'web' && h.cache.get(p.spec.nodeName!)!.labels['topology.kubernetes.io/zone'] === zone).length;
          assert.equal(zones.get(zone) ?? 0, recount);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('keeps counters made before or after the pods equal to a recount, whatever their selectors, through adds, relabels and deletes', () => {
    const selectors = ([
      { matchLabels: { app: 'web' } },
      { matchLabels: { app: 'web', tier: 'front' } },
      { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'db'] }] },
      { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] },
      { matchExpressions: [{ key: 'tier', operator: 'Exists' }] },
      {},
    ] as LabelSelector[]).map((ls) => labelSelectorAsSelector(ls));
    const labelSets: Record<string, string>[] = [{ app: 'web' }, { app: 'web', tier: 'front' }, { app: 'db' }, { tier: 'back' }, {}];
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('add', 'relabel', 'delete'), fc.nat(labelSets.length - 1), fc.nat(), fc.nat(5)), { maxLength: 60 }), (steps) => {
        const h = new Harness().nodes(...Array.from({ length: 6 }, (_, i) => makeNode(`n${i}`, { zone: `z${i % 3}`, cpu: '64' })));
        const counters = selectors.map((sel) => h.cache.podCounter('default', sel));
        const bound: ReturnType<typeof makePod>[] = [];
        let n = 0;
        for (const [kind, labels, index, node] of steps) {
          if (kind === 'add' || bound.length === 0) {
            const pod = { ...makePod(`p${n++}`, { labels: labelSets[labels] }) };
            pod.spec = { ...pod.spec, nodeName: `n${node}` };
            h.cache.addPod(pod);
            bound.push(pod);
          } else if (kind === 'relabel') {
            const i = index % bound.length;
            const pod = { ...bound[i], metadata: { ...bound[i].metadata, labels: labelSets[labels] } };
            h.cache.updatePod(pod);
            bound[i] = pod;
          } else {
            const [victim] = bound.splice(index % bound.length, 1);
            h.cache.removePod(victim);
          }
        }
        // Counters made now start from the pods already placed (through the label index when anchored).
        const late = selectors.map((sel) => h.cache.podCounter('default', sel, { includeTerminating: true }));
        selectors.forEach((sel, k) => {
          for (const info of h.cache.nodeInfos()) {
            const recount = bound.filter((p) => p.spec.nodeName === info.name && sel.matches(p.metadata.labels ?? {})).length;
            assert.equal(counters[k].count(info), recount, `selector ${k} on ${info.name}`);
            assert.equal(late[k].count(info), recount, `selector ${k} on ${info.name}, counter made last`);
          }
        });
      }),
      { numRuns: 150 },
    );
  });
});
