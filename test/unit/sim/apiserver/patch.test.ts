import { strict as assert } from 'node:assert';
import { jsonPatch, mergePatch, PatchError, strategicMergePatch } from '../../../../src/sim/apiserver/patch';
import { deepClone, deepFreeze } from '../../../../src/sim/apiserver/objects';
import { RESOURCES } from '../../../../src/sim/apiserver/resources';

const deploymentKeys = RESOURCES.find((d) => d.kind === 'Deployment')!.mergeKeys;

describe('sim/apiserver/patch', () => {
  it('merge patch shares the frozen elements a patch brings in a list, and copies the others', () => {
    const stored = deepFreeze({ status: { phase: 'Pending', containerStatuses: [{ name: 'a', ready: false }] } });
    const running = deepFreeze({ name: 'a', ready: true, state: { running: { startedAt: 't' } } });
    const fresh = { name: 'b', ready: true };
    const patch = { status: { phase: 'Running', containerStatuses: [running, fresh] } };
    const out = mergePatch(stored, patch) as typeof patch;
    assert.equal(JSON.stringify(out), JSON.stringify(mergePatch(stored, deepClone(patch))));
    assert.equal(out.status.containerStatuses[0], running);
    assert.notEqual(out.status.containerStatuses[1], fresh);
    assert.notEqual(out.status.containerStatuses, patch.status.containerStatuses);
  });

  const base = deepFreeze({
    metadata: { name: 'web', labels: { app: 'web', tier: 'front' }, finalizers: ['a'] },
    spec: {
      replicas: 2,
      template: { spec: { containers: [{ name: 'web', image: 'nginx:1.26', env: [{ name: 'A', value: '1' }], ports: [{ containerPort: 80 }] }, { name: 'side', image: 'busybox' }] } },
    },
  });

  it('JSON merge patch: maps merge, null deletes, lists replace', () => {
    const out = mergePatch(base, { metadata: { labels: { tier: null, v: '2' } }, spec: { template: { spec: { containers: [{ name: 'only' }] } } } }) as typeof base;
    assert.deepEqual(out.metadata.labels, { app: 'web', v: '2' });
    assert.deepEqual(out.spec.template.spec.containers, [{ name: 'only' }]);
    assert.equal(out.spec.replicas, 2);
  });

  it('strategic merge: containers by name, env by name, ports by containerPort, finalizers as a set; shares untouched parts', () => {
    const out = strategicMergePatch(base, {
      metadata: { finalizers: ['b', 'a'] },
      spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.27', env: [{ name: 'B', value: '2' }], ports: [{ containerPort: 80, name: 'http' }] }, { name: 'new', image: 'redis' }] } } },
    }, deploymentKeys) as typeof base;
    const [web, side, added] = out.spec.template.spec.containers as Record<string, unknown>[];
    assert.equal(web.image, 'nginx:1.27');
    assert.deepEqual(web.env, [{ name: 'A', value: '1' }, { name: 'B', value: '2' }]);
    assert.deepEqual(web.ports, [{ containerPort: 80, name: 'http' }]);
    assert.equal(side, base.spec.template.spec.containers[1], 'untouched elements are shared, not copied');
    assert.deepEqual(added, { name: 'new', image: 'redis' });
    assert.deepEqual(out.metadata.finalizers, ['a', 'b']);
    assert.equal(out.metadata.labels, base.metadata.labels);
  });

  it('strategic merge directives: $patch delete and replace, $deleteFromPrimitiveList, $retainKeys, $setElementOrder ignored', () => {
    const out = strategicMergePatch(base, {
      metadata: { $deleteFromPrimitiveList: undefined, '$deleteFromPrimitiveList/finalizers': ['a'] },
      spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'web' }], containers: [{ name: 'side', $patch: 'delete' }] } } },
    }, deploymentKeys) as typeof base;
    assert.deepEqual(out.spec.template.spec.containers.map((c) => c.name), ['web']);
    assert.deepEqual(out.metadata.finalizers, []);
    const replaced = strategicMergePatch(base, { metadata: { labels: { $patch: 'replace', only: 'x' } } }, deploymentKeys) as typeof base;
    assert.deepEqual(replaced.metadata.labels, { only: 'x' });
    const retained = strategicMergePatch(base, { spec: { $retainKeys: ['replicas'], replicas: 3 } }, deploymentKeys) as typeof base;
    assert.deepEqual(retained.spec, { replicas: 3 });
  });

  it('JSON patch: add, replace, remove, move, copy, test, and errors', () => {
    const out = jsonPatch(base, [
      { op: 'add', path: '/metadata/labels/x', value: 'y' },
      { op: 'replace', path: '/spec/replicas', value: 5 },
      { op: 'remove', path: '/metadata/labels/tier' },
      { op: 'copy', from: '/metadata/name', path: '/metadata/labels/name' },
      { op: 'move', from: '/metadata/labels/x', path: '/metadata/labels/z' },
      { op: 'add', path: '/metadata/finalizers/-', value: 'b' },
      { op: 'test', path: '/spec/replicas', value: 5 },
    ]) as typeof base;
    assert.deepEqual(out.metadata.labels, { app: 'web', name: 'web', z: 'y' });
    assert.deepEqual(out.metadata.finalizers, ['a', 'b']);
    assert.equal(base.spec.replicas, 2, 'the original is untouched');
    assert.throws(() => jsonPatch(base, [{ op: 'test', path: '/spec/replicas', value: 9 }]), PatchError);
    assert.throws(() => jsonPatch(base, [{ op: 'remove', path: '/nope' }]), PatchError);
  });

  it('JSON merge patch: same JSON as merging a copy of the patch, over a series of random patches (key order included)', () => {
    // RFC 7386 on a deep copy of the patch: what the API server did before sharing what is unchanged.
    const reference = (target: unknown, patch: unknown): unknown => {
      if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
      const base = typeof target === 'object' && target !== null && !Array.isArray(target) ? (target as Record<string, unknown>) : {};
      const out: Record<string, unknown> = { ...base };
      for (const [k, v] of Object.entries(patch)) {
        if (v === null) delete out[k];
        else out[k] = reference(base[k], v);
      }
      return out;
    };
    const walk = (v: unknown, visit: (o: object) => void): void => {
      if (typeof v !== 'object' || v === null) return;
      visit(v);
      for (const child of Object.values(v)) walk(child, visit);
    };
    let seed = 7;
    const rnd = (n: number) => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) >>> 16) % n;
    const keys = ['a', 'b', 'c', 'd'];
    const value = (depth: number): unknown => {
      switch (rnd(depth > 2 ? 4 : 7)) {
        case 0: return null;
        case 1: return undefined;
        case 2: return rnd(3);
        case 3: return ['x', 'y'][rnd(2)];
        case 4: return Array.from({ length: rnd(3) }, () => (rnd(2) ? rnd(2) : { k: rnd(2), v: value(depth + 1) }));
        default: {
          const o: Record<string, unknown> = {};
          for (let n = rnd(4); n > 0; n--) o[keys[rnd(4)]] = value(depth + 1);
          return o;
        }
      }
    };
    for (let run = 0; run < 200; run++) {
      let ours: unknown = deepFreeze({ a: 1, b: { c: [1, { k: 0 }] }, c: undefined, d: { a: undefined, b: 2 } }); // stored objects may hold undefined values
      let theirs: unknown = ours;
      for (let step = 0; step < 8; step++) {
        const patch = { [keys[rnd(4)]]: value(0), [keys[rnd(4)]]: value(0) };
        const before = JSON.stringify(patch);
        const next = mergePatch(ours, patch);
        theirs = reference(theirs, deepClone(patch));
        assert.equal(JSON.stringify(next), JSON.stringify(theirs), `run ${run} step ${step}: ${before}`);
        assert.equal(JSON.stringify(patch), before, 'the patch is not changed');
        const fromPatch = new Set<unknown>();
        walk(patch, (o) => fromPatch.add(o));
        walk(next, (o) => assert.ok(!fromPatch.has(o), 'no part of the patch is taken in'));
        ours = deepFreeze(next);
      }
    }
  });

  it('JSON merge patch shares what it leaves as it was, equal values sent again included, and copies what it brings', () => {
    const target = deepFreeze({ metadata: { name: 'p', uid: 'u' }, status: { phase: 'Pending', conditions: [{ type: 'A', status: 'True' }, { type: 'B', status: 'False' }], hostIPs: [{ ip: '10.0.0.1' }] } });
    const patch = { metadata: { uid: 'u' }, status: { phase: 'Running', conditions: [{ type: 'A', status: 'True' }, { type: 'B', status: 'True' }], hostIPs: [{ ip: '10.0.0.1' }], podIPs: [{ ip: '10.244.0.2' }] } };
    const out = mergePatch(target, patch) as typeof target & { status: { podIPs: unknown[] } };
    assert.equal(out.metadata, target.metadata);
    assert.equal(out.status.hostIPs, target.status.hostIPs);
    assert.equal(out.status.conditions[0], target.status.conditions[0]);
    assert.notEqual(out.status.conditions[1], patch.status.conditions[1]);
    assert.notEqual(out.status.podIPs, patch.status.podIPs);
    assert.notEqual(out.status.podIPs[0], patch.status.podIPs[0]);
    assert.deepEqual(out.status.podIPs, [{ ip: '10.244.0.2' }]);
    assert.equal(mergePatch(target, { metadata: { uid: 'u' }, status: { phase: 'Pending' } }), target);
    assert.equal(mergePatch(target, { status: { nope: null } }), target);
  });
});
