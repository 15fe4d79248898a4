import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { labelSelectorAsSelector } from '../../../../src/sim/api/labels';
import type { LabelSelector, Pod } from '../../../../src/sim/api/types';
import { CycleState } from '../../../../src/sim/scheduler/framework';
import { newPodInfo, podInfoOf, podRequests } from '../../../../src/sim/scheduler/node-info';
import { Harness, makeNode, makePod } from './fixtures';

/** Random sequences of pod arrivals and deletions on random nodes. */
const op = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), cpu: fc.integer({ min: 0, max: 3000 }), mem: fc.integer({ min: 0, max: 4096 }), port: fc.option(fc.constantFrom(80, 443), { nil: undefined }) }),
  fc.record({ kind: fc.constant('delete' as const), index: fc.nat() }),
);

describe('sim/scheduler properties', () => {
  it('a PodInfo sharing the previous pod\'s requests (pods asking alike) reads as podRequests of its own pod', () => {
    // Few distinct values and keys in both orders, so that consecutive pods often ask alike, or nearly.
    const quantities = fc.dictionary(fc.constantFrom('cpu', 'memory', 'ephemeral-storage', 'example.com/gpu'), fc.constantFrom('1', '2', '100m', '64Mi'), { maxKeys: 3 });
    const container = fc.record({ requests: fc.option(quantities, { nil: undefined }), limits: fc.option(quantities, { nil: undefined }) });
    const spec = fc.record({ containers: fc.array(container, { minLength: 1, maxLength: 2 }), init: fc.array(container, { maxLength: 2 }) });
    fc.assert(
      fc.property(fc.array(spec, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 30 }), (specs, order) => {
        const toContainers = (cs: { requests?: Record<string, string>; limits?: Record<string, string> }[], prefix: string) =>
          cs.map((c, i) => ({ name: `${prefix}${i}`, image: 'x', resources: { ...(c.requests ? { requests: { ...c.requests } } : {}), ...(c.limits ? { limits: { ...c.limits } } : {}) } }));
        order.forEach((k, n) => {
          const s = specs[k % specs.length];
          const pod = makePod(`p${n}`, { spec: { containers: toContainers(s.containers, 'c'), ...(s.init.length ? { initContainers: toContainers(s.init, 'i') } : {}) } });
          const info = newPodInfo(pod);
          assert.deepEqual(info.requests, podRequests(pod));
          assert.deepEqual(info.nonZeroRequests, podRequests(pod, true));
        });
      }),
    );
  });

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

  it('keeps counters made before or after the pods equal to a recount, whatever their selectors, through adds, relabels, terminations and deletes', () => {
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
      fc.property(fc.array(fc.tuple(fc.constantFrom('add', 'relabel', 'terminate', 'delete'), fc.nat(labelSets.length - 1), fc.nat(), fc.nat(5)), { maxLength: 60 }), (steps) => {
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
          } else if (kind === 'terminate') {
            // Being deleted, labels unchanged: no longer counted by live counters, still indexed by its labels.
            const i = index % bound.length;
            const pod = { ...bound[i], metadata: { ...bound[i].metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } };
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
            const matching = bound.filter((p) => p.spec.nodeName === info.name && sel.matches(p.metadata.labels ?? {}));
            assert.equal(counters[k].count(info), matching.filter((p) => !p.metadata.deletionTimestamp).length, `selector ${k} on ${info.name}`);
            assert.equal(late[k].count(info), matching.length, `selector ${k} on ${info.name}, counter made last (terminating pods too)`);
          }
        });
      }),
      { numRuns: 150 },
    );
  });

  it('keeps each node\'s pods (in order), sums, assumed pods, orphans and counters as a model through pod versions, assumes and node departures', () => {
    const NODES = 3;
    const step = fc.record({
      kind: fc.constantFrom('bind', 'assume', 'confirm', 'forget', 'status', 'relabel', 'recreate', 'move', 'delete', 'removeNode', 'addNode'),
      index: fc.nat(),
      node: fc.nat({ max: NODES - 1 }),
      web: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(step, { minLength: 20, maxLength: 80 }), (steps) => {
        const h = new Harness().nodes(...Array.from({ length: NODES - 1 }, (_, i) => makeNode(`n${i}`, { cpu: '64', pods: 50 })));
        const web = h.cache.podCounter('default', labelSelectorAsSelector({ matchLabels: { app: 'web' } }));
        // The model: each pod's latest version (but for status writes), node and assumed flag; each known
        // node's pods in the order they were (re)placed; pods waiting for an unknown node, in the order they came.
        type Entry = { pod: Pod; nodeName: string; assumed: boolean };
        const pods = new Map<string, Entry>();
        const known = new Map<string, string[]>(Array.from({ length: NODES - 1 }, (_, i) => [`n${i}`, []]));
        const orphans = new Map<string, string[]>();
        const without = (list: string[] | undefined, key: string) => {
          const i = list ? list.indexOf(key) : -1;
          if (i >= 0) list!.splice(i, 1);
        };
        const forget = (key: string) => {
          const e = pods.get(key);
          if (!e) return;
          without(known.get(e.nodeName), key);
          without(orphans.get(e.nodeName), key);
          pods.delete(key);
        };
        const bind = (pod: Pod) => {
          const key = `default/${pod.metadata.name}`;
          const nodeName = pod.spec.nodeName!;
          const e = pods.get(key);
          // A version of a bound pod that changes nothing the scheduler reads (a status write: the
          // same spec object, uid and labels) leaves the cache as it is: the version it has stays.
          const unchanged = e && !e.assumed && e.pod.spec === pod.spec && e.pod.metadata.uid === pod.metadata.uid && e.pod.metadata.labels?.app === pod.metadata.labels?.app;
          h.cache.addPod(pod);
          if (unchanged) return;
          if (e?.nodeName !== nodeName) forget(key);
          pods.set(key, { pod, nodeName, assumed: false });
          const list = known.get(nodeName);
          if (list) {
            without(list, key);
            list.push(key);
          } else {
            if (!orphans.has(nodeName)) orphans.set(nodeName, []);
            if (!orphans.get(nodeName)!.includes(key)) orphans.get(nodeName)!.push(key);
          }
        };
        const labels = (isWeb: boolean) => ({ app: isWeb ? 'web' : 'db' });
        let n = 0;
        for (const s of steps) {
          const keys = [...pods.keys()];
          const picked = keys.length ? pods.get(keys[s.index % keys.length])! : undefined;
          const nodeName = `n${s.node}`;
          if (s.kind === 'bind' || (!picked && s.kind !== 'assume' && s.kind !== 'removeNode' && s.kind !== 'addNode')) {
            bind(makePod(`p${n++}`, { nodeName, labels: labels(s.web), cpu: '100m' }));
          } else if (s.kind === 'assume') {
            const pod = makePod(`p${n++}`, { labels: labels(s.web), cpu: '200m' });
            const key = `default/${pod.metadata.name}`;
            pods.set(key, { pod: { ...pod, spec: { ...pod.spec, nodeName } }, nodeName, assumed: true });
            known.get(nodeName)?.push(key);
            h.cache.assumePod(pod, nodeName);
          } else if (s.kind === 'confirm') {
            if (picked!.assumed) bind({ ...picked!.pod, metadata: { ...picked!.pod.metadata, resourceVersion: String(n++) } });
          } else if (s.kind === 'forget') {
            const key = `default/${picked!.pod.metadata.name}`;
            if (picked!.assumed) forget(key);
            h.cache.forgetPod(key);
          } else if (s.kind === 'status' || s.kind === 'relabel' || s.kind === 'move') {
            // A new version sharing the spec and labels, as the API server's status writes make.
            const p = picked!.pod;
            const metadata = s.kind === 'relabel' ? { ...p.metadata, labels: labels(s.web) } : { ...p.metadata, resourceVersion: String(n++) };
            const spec = s.kind === 'move' ? { ...p.spec, nodeName } : p.spec;
            if (!picked!.assumed) bind({ ...p, metadata, spec, status: { phase: s.web ? 'Running' : 'Pending' } });
          } else if (s.kind === 'recreate') {
            const p = picked!.pod;
            if (!picked!.assumed) bind({ ...makePod(p.metadata.name!, { nodeName: p.spec.nodeName, labels: labels(s.web), cpu: '300m' }), metadata: { ...p.metadata, uid: `uid-${n++}` } });
          } else if (s.kind === 'delete') {
            forget(`default/${picked!.pod.metadata.name}`);
            h.cache.removePod(picked!.pod);
          } else if (s.kind === 'removeNode') {
            const list = known.get(nodeName);
            if (list) {
              known.delete(nodeName);
              if (list.length) orphans.set(nodeName, list);
            }
            h.cache.removeNode(nodeName);
          } else if (s.kind === 'addNode') {
            if (!known.has(nodeName)) {
              known.set(nodeName, orphans.get(nodeName) ?? []);
              orphans.delete(nodeName);
            }
            h.cache.addNode(makeNode(nodeName, { cpu: '64', pods: 50 }));
          }
          for (const [name, list] of known) {
            const info = h.cache.get(name)!;
            assert.deepEqual([...info.pods.keys()], list, `${name}'s pods, in order`);
            for (const key of list) assert.equal(info.pods.get(key)!.pod.metadata, pods.get(key)!.pod.metadata, `${key}'s latest version`);
            const cpu = list.reduce((sum, key) => sum + podRequests(pods.get(key)!.pod).milliCPU, 0);
            assert.equal(info.requestedMilliCPU, cpu, `${name}'s requested cpu`);
            assert.equal(info.freePods, 50 - list.length);
            assert.equal(web.count(info), list.filter((key) => pods.get(key)!.pod.metadata.labels?.app === 'web').length, `web pods on ${name}`);
          }
          for (const key of [...keys, `default/p${n - 1}`]) {
            assert.equal(h.cache.nodeOf(key), pods.get(key)?.nodeName, `${key}'s node`);
            assert.equal(h.cache.isAssumed(key), !!pods.get(key)?.assumed, `${key} assumed`);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
  it('scores every node of a batch (scoreNodes) exactly as Score does node by node', () => {
    const node = fc.record({
      zone: fc.option(fc.constantFrom('z0', 'z1', 'z2'), { nil: undefined }),
      rack: fc.option(fc.constantFrom('r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9'), { nil: undefined }),
      cpu: fc.constantFrom('0', '1', '2', '4', '7'),
      memory: fc.constantFrom('0', '1Gi', '3Gi', '8Gi'),
      prefer: fc.boolean(),
    });
    const pod = fc.record({
      app: fc.constantFrom('web', 'db', 'other'),
      cpu: fc.option(fc.constantFrom('0', '100m', '1', '3'), { nil: undefined }),
      memory: fc.option(fc.constantFrom('0', '64Mi', '2Gi'), { nil: undefined }),
      tolerate: fc.boolean(),
      spread: fc.array(fc.record({ key: fc.constantFrom('kubernetes.io/hostname', 'topology.kubernetes.io/zone', 'rack'), maxSkew: fc.integer({ min: 1, max: 5 }) }), { maxLength: 3 }),
    });
    fc.assert(
      fc.property(fc.array(node, { minLength: 2, maxLength: 12 }), fc.array(fc.tuple(fc.constantFrom('web', 'db'), fc.nat()), { maxLength: 40 }), pod, (nodes, placed, p) => {
        const h = new Harness().nodes(
          ...nodes.map((n, i) =>
            makeNode(`n${i}`, {
              zone: n.zone,
              cpu: n.cpu,
              memory: n.memory,
              labels: n.rack ? { rack: n.rack } : {},
              taints: n.prefer ? [{ key: 'slow', effect: 'PreferNoSchedule' }] : undefined,
            }),
          ),
        );
        for (const app of ['web', 'db']) {
          h.listers.rss.push({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: `rs-${app}`, namespace: 'default' }, spec: { selector: { matchLabels: { app } }, template: { spec: { containers: [] } } } });
        }
        placed.forEach(([app, at], i) => h.bound(makePod(`b${i}`, { labels: { app }, ownerRS: `rs-${app}`, cpu: '200m', memory: '128Mi', nodeName: `n${at % nodes.length}` })));
        const pending = makePod('pending', {
          labels: { app: p.app },
          ownerRS: p.app === 'other' ? undefined : `rs-${p.app}`,
          cpu: p.cpu,
          memory: p.memory,
          tolerations: p.tolerate ? [{ key: 'slow', operator: 'Exists', effect: 'PreferNoSchedule' }] : undefined,
          spec: p.spread.length
            ? { topologySpreadConstraints: p.spread.map((c) => ({ topologyKey: c.key, maxSkew: c.maxSkew, whenUnsatisfiable: 'ScheduleAnyway' as const, labelSelector: { matchLabels: { app: p.app } } })) }
            : {},
        });
        const info = podInfoOf(pending);
        const state = new CycleState();
        const feasible = h.cache.nodeInfos();
        assert.equal(h.profile.runPreScore(state, info, feasible).code, 'Success');
        let batched = 0;
        for (const plugin of h.profile.plugins) {
          if (!plugin.scoreNodes || state.skipScore.has(plugin.name)) continue;
          batched++;
          const scores = feasible.map((n) => ({ name: n.name, score: -1 }));
          plugin.scoreNodes(state, info, feasible, scores);
          assert.deepEqual(
            scores.map((s) => s.score),
            feasible.map((n) => plugin.score!(state, info, n)),
            plugin.name,
          );
        }
        assert.ok(batched >= 2, 'NodeResourcesFit and TaintToleration score every pod');
      }),
      { numRuns: 300 },
    );
  });
});
