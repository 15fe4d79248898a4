import { strict as assert } from 'node:assert';
import { RESOURCES, resourceForKey, type ResourceDef } from '../../../../src/sim/apiserver/resources';

/** The definition: the resource with the longest etcdPrefix the key starts with. */
function longestPrefix(key: string): ResourceDef | undefined {
  let best: ResourceDef | undefined;
  for (const d of RESOURCES) if (key.startsWith(d.etcdPrefix) && (!best || d.etcdPrefix.length > best.etcdPrefix.length)) best = d;
  return best;
}

describe('sim/apiserver/resources', () => {
  it('resourceForKey finds the resource with the longest etcd prefix of the key, and none outside them', () => {
    assert.equal(resourceForKey('/registry/services/endpoints/default/web')?.resource, 'endpoints');
    assert.equal(resourceForKey('/registry/services/specs/default/web')?.resource, 'services');
    assert.equal(resourceForKey('/registry/minions/worker-1')?.resource, 'nodes');
    const keys = [
      ...RESOURCES.flatMap((d) => [`${d.etcdPrefix}default/x`, `${d.etcdPrefix}x`, d.etcdPrefix, d.etcdPrefix.slice(0, -1), `${d.etcdPrefix.slice(0, -1)}x/y`]),
      'compact_rev_key', '', '/', '/registry/', '/registry/services/', '/registry/services/other/x', '/other/pods/x', '/registry/podsx/a',
    ];
    for (const key of keys) assert.equal(resourceForKey(key), longestPrefix(key), key);
  });
});
