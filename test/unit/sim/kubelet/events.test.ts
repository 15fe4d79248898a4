import { strict as assert } from 'node:assert';
import { Clock } from '../../../../src/sim/clock';
import type { ApiClient, ApiRequest } from '../../../../src/sim/api/request';
import type { Pod } from '../../../../src/sim/api/types';
import { EventRecorder } from '../../../../src/sim/kubelet/events';

describe('sim/kubelet events', () => {
  it('records an event at a fractional virtual time (regression: BigInt of a fraction threw)', () => {
    const clock = new Clock(1);
    clock.runUntil(12.375);
    const sent: Omit<ApiRequest, 'client'>[] = [];
    const client: ApiClient = { name: 'kubelet/worker-1', request: (req) => sent.push(req), watch: () => ({ stop() {} }) };
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default', uid: 'u1' }, spec: { containers: [] } } as Pod;
    new EventRecorder(clock, client, 'worker-1').record(pod, 'Normal', 'Pulling', 'Pulling image "nginx:1.27"', { traceId: 't1' }, { name: 'nginx' });
    assert.equal(sent.length, 1);
    assert.equal(sent[0].verb, 'create');
    assert.match(String((sent[0].body as Pod).metadata.name), /^web\.[0-9a-f]+$/);
  });
});
