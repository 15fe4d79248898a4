import { strict as assert } from 'node:assert';
import { Clock } from '../../../../src/sim/clock';
import type { TraceContext } from '../../../../src/sim/log';
import type { ApiClient, ApiRequest, ResponseCallback } from '../../../../src/sim/api/request';
import type { Pod, PodStatus } from '../../../../src/sim/api/types';
import { StatusManager } from '../../../../src/sim/kubelet/status-manager';

const ctx: TraceContext = { traceId: 't' };

/** A client that holds PATCH requests until the test answers them. */
function setup() {
  const sent: { req: Omit<ApiRequest, 'client'>; done: ResponseCallback }[] = [];
  const client = {
    name: 'kubelet@test',
    request: (req: Omit<ApiRequest, 'client'>, _ctx: TraceContext, done: ResponseCallback) => sent.push({ req, done }),
  } as unknown as ApiClient;
  const manager = new StatusManager(new Clock(1), client);
  return { sent, manager };
}

const pod = (rv: string, status?: PodStatus): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'u1', resourceVersion: rv }, spec: { containers: [] }, status });
const running = (): PodStatus => ({ phase: 'Running', podIP: '10.244.1.2' });

describe('sim/kubelet/status-manager', () => {
  it('sends a status only when it differs from what the API has', () => {
    const { sent, manager } = setup();
    manager.set(pod('1', running()), running(), ctx);
    assert.equal(sent.length, 0);
    const changed = pod('2', { phase: 'Pending' });
    manager.observed(changed);
    manager.set(changed, running(), ctx);
    assert.equal(sent.length, 1);
  });

  it('after a write, the same report sends nothing, before and after the watch echo, and a change is sent', () => {
    const { sent, manager } = setup();
    const before = pod('1', { phase: 'Pending' });
    manager.set(before, running(), ctx);
    const written = pod('2', running());
    sent[0].done({ code: 200, body: written }, ctx);
    // The kubelet has not seen the echo yet: its pod still shows Pending, the API has Running.
    manager.set(before, running(), ctx);
    assert.equal(sent.length, 1);
    manager.observed(written);
    manager.set(written, running(), ctx);
    assert.equal(sent.length, 1);
    manager.set(written, { phase: 'Failed' }, ctx);
    assert.equal(sent.length, 2);
  });

  it('the echo arriving before the reply changes nothing either', () => {
    const { sent, manager } = setup();
    const before = pod('1', { phase: 'Pending' });
    manager.set(before, running(), ctx);
    const written = pod('2', running());
    manager.observed(written);
    manager.set(written, running(), ctx);
    sent[0].done({ code: 200, body: written }, ctx);
    manager.set(written, running(), ctx);
    assert.equal(sent.length, 1);
  });

  it('someone else writing the status makes the API object the reference again', () => {
    const { sent, manager } = setup();
    manager.set(pod('1', { phase: 'Pending' }), running(), ctx);
    sent[0].done({ code: 200, body: pod('2', running()) }, ctx);
    const foreign = pod('3', { phase: 'Running', podIP: '10.244.1.2', reason: 'Evicted' });
    manager.observed(foreign);
    manager.set(foreign, running(), ctx);
    assert.equal(sent.length, 2);
  });
});
