import { strict as assert } from 'node:assert';
import { Clock } from '../../../../src/sim/clock';
import { ObjectEventRecorder } from '../../../../src/sim/controllers/events';
import { EventRecorder, MAX_REMEMBERED_OBJECTS } from '../../../../src/sim/events';
import type { ApiClient, ApiRequest } from '../../../../src/sim/api/request';
import type { CoreEvent, ReplicaSet } from '../../../../src/sim/api/types';

/** Records what would be sent; answers 201 at once (the recorder does not wait for answers). */
function recordingClient(): ApiClient & { sent: Omit<ApiRequest, 'client'>[] } {
  const sent: Omit<ApiRequest, 'client'>[] = [];
  return {
    name: 'test', sent,
    request(req, ctx, done) { sent.push(req); done({ code: 201, body: req.body as CoreEvent }, ctx); },
    watch() { throw new Error('not used'); },
  };
}

const rs: ReplicaSet = {
  apiVersion: 'apps/v1', kind: 'ReplicaSet',
  metadata: { name: 'web-7c5d', namespace: 'default', uid: 'u1', resourceVersion: '5' },
  spec: { selector: {}, template: { spec: { containers: [] } } },
};

describe('controller events', () => {
  it('posts upstream-shaped Events with unique names, and drops a flood per object after a burst of 25', () => {
    const clock = new Clock(1);
    clock.advance(1234.5678);
    const client = recordingClient();
    const rec = new ObjectEventRecorder(clock, client, 'replicaset-controller', 'master-1');
    for (let i = 0; i < 40; i++) rec.record(rs, 'Normal', 'SuccessfulCreate', `Created pod: web-7c5d-${i}`, { traceId: 't' });
    assert.equal(client.sent.length, 25);
    const e = client.sent[0].body as CoreEvent;
    assert.match(e.metadata.name!, /^web-7c5d\.[0-9a-f]{15,}$/);
    assert.equal(new Set(client.sent.map((r) => (r.body as CoreEvent).metadata.name)).size, 25);
    assert.deepEqual(e.involvedObject, { kind: 'ReplicaSet', namespace: 'default', name: 'web-7c5d', uid: 'u1', apiVersion: 'apps/v1', resourceVersion: '5' });
    assert.equal(e.source?.component, 'replicaset-controller');
    assert.equal(e.reportingInstance, 'master-1');
    clock.advance(5 * 60 * 1000);
    rec.record(rs, 'Normal', 'SuccessfulCreate', 'Created pod: web-7c5d-late', { traceId: 't' });
    assert.equal(client.sent.length, 26, 'one more token after 5 minutes');
  });

  it('remembers the events of at most MAX_REMEMBERED_OBJECTS objects, least recently used forgotten first (client-go LRU)', () => {
    const clock = new Clock(1);
    const client = recordingClient();
    const rec = new EventRecorder(clock, client, { component: 'default-scheduler', instance: 'master-1' });
    const pod = (i: number) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${i}`, namespace: 'default', uid: `uid-${i}` } }) as const;
    const say = (i: number) => rec.record(pod(i) as never, 'Normal', 'Scheduled', `Successfully assigned default/p${i}`, { traceId: 't' });
    for (let i = 0; i <= MAX_REMEMBERED_OBJECTS; i++) say(i);
    say(MAX_REMEMBERED_OBJECTS);
    assert.equal(client.sent.at(-1)!.verb, 'patch', 'a recent object repeats by counting');
    say(0);
    assert.equal(client.sent.at(-1)!.verb, 'create', 'the least recently used object was forgotten: a new Event');
  });
});
