import { strict as assert } from 'node:assert';
import type { ContainerInfo, ContainerState } from '../../../../src/sim/runtime/runtime';
import { instancesOf, liveContainers } from '../../../../src/sim/kubelet/kubelet';

const STATES: ContainerState[] = ['CONTAINER_CREATED', 'CONTAINER_RUNNING', 'CONTAINER_EXITED'];

/** What the kubelet computed before: from containersOfPod's sorted copy (newest attempt, then newest created, first). */
function fromSortedCopy(list: ContainerInfo[]) {
  const sorted = [...list].sort((a, b) => b.attempt - a.attempt || b.createdAt - a.createdAt);
  const instances = new Map<string, { latest?: ContainerInfo; previous?: ContainerInfo }>();
  for (const c of sorted) {
    const entry = instances.get(c.name);
    if (!entry) instances.set(c.name, { latest: c });
    else if (!entry.previous) entry.previous = c;
  }
  const live: ContainerInfo[] = [];
  for (const { latest } of instances.values()) if (latest && latest.state !== 'CONTAINER_EXITED') live.push(latest);
  return { instances, live };
}

describe('kubelet runtime view', () => {
  it('finds the same newest/previous instances and live containers, in the same order, as a sorted copy', () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let round = 0; round < 20_000; round++) {
      // Few names, attempts and creation times, so ties are common.
      const list: ContainerInfo[] = Array.from({ length: random(7) }, (_, i) => ({
        id: `c${i}`,
        sandboxId: 's',
        podUid: 'u',
        name: ['a', 'b', 'c'][random(3)],
        attempt: random(3),
        image: 'nginx',
        imageRef: 'nginx@sha256:0',
        createdAt: random(3),
        state: STATES[random(3)],
      }));
      const expected = fromSortedCopy(list);
      const instances = instancesOf(list);
      assert.deepEqual([...instances.keys()].sort(), [...expected.instances.keys()].sort());
      for (const [name, entry] of expected.instances) {
        assert.equal(instances.get(name)?.latest, entry.latest);
        assert.equal(instances.get(name)?.previous, entry.previous);
      }
      const live = liveContainers({ sandbox: undefined, containers: list, instances });
      assert.deepEqual(live.map((c) => c.id), expected.live.map((c) => c.id));
    }
  });
});
