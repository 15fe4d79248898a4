import { strict as assert } from 'node:assert';
import { jsonPatch, mergePatch, PatchError, strategicMergePatch } from '../../../../src/sim/apiserver/patch';
import { deepFreeze } from '../../../../src/sim/apiserver/objects';
import { RESOURCES } from '../../../../src/sim/apiserver/resources';

const deploymentKeys = RESOURCES.find((d) => d.kind === 'Deployment')!.mergeKeys;

describe('sim/apiserver/patch', () => {
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
});
