import { strict as assert } from 'node:assert';
import type { LogEntry } from '../../../src/sim/log';
import { formatEntry, levelOf, LEVEL_ORDER, stamp } from '../../../src/host/log-levels';

function entry(over: Partial<LogEntry>): LogEntry {
  return { seq: 1, t: 62_345, traceId: 't1', from: 'x', to: 'x', kind: 'note', summary: 's', ...over };
}

describe('output channel levels', () => {
  it('puts scheduling failures at warn and bindings at debug', () => {
    const failed = entry({ kind: 'decision', from: 'kube-scheduler@master-1', to: 'kube-scheduler@master-1', summary: 'default/big: 0/6 nodes are available: 3 Insufficient cpu.', detail: { pod: 'default/big', message: '0/6 ...' } });
    assert.equal(levelOf(failed), 'warn');
    assert.equal(formatEntry(failed, LEVEL_ORDER.info)!.text, '[T+1m02.345s] kube-scheduler@master-1: FailedScheduling default/big: 0/6 nodes are available: 3 Insufficient cpu.');
    assert.equal(levelOf(entry({ kind: 'decision', from: 'kube-scheduler@master-1', detail: { pod: 'default/a', selected: 'worker-1' } })), 'debug');
  });

  it('puts faults and leader changes at info, etcd errors at error, wire messages at trace', () => {
    assert.equal(levelOf(entry({ kind: 'fault' })), 'info');
    assert.equal(levelOf(entry({ kind: 'decision', from: 'kube-controller-manager', detail: { lease: 'kube-system/kube-controller-manager' } })), 'info');
    assert.equal(levelOf(entry({ kind: 'decision', from: 'etcd@master-2', detail: { term: 3 } })), 'info');
    assert.equal(levelOf(entry({ kind: 'decision', from: 'lb', detail: { backend: 'apiserver@master-1', healthy: false } })), 'warn');
    assert.equal(levelOf(entry({ kind: 'decision', from: 'kube-controller-manager@master-1', detail: { controller: 'replicaset-controller' } })), 'debug');
    assert.equal(levelOf(entry({ kind: 'decision', from: 'kube-controller-manager@master-1', detail: { controller: 'taint-eviction-controller' } })), 'info');
    assert.equal(levelOf(entry({ kind: 'etcd-error' })), 'error');
    assert.equal(levelOf(entry({ kind: 'response', detail: { code: 503 } })), 'warn');
    assert.equal(levelOf(entry({ kind: 'response', detail: { code: 409 } })), 'trace');
    for (const kind of ['request', 'watch', 'forward', 'etcd-propose', 'etcd-append', 'etcd-ack', 'etcd-commit'] as const) assert.equal(levelOf(entry({ kind })), 'trace', kind);
  });

  it('formats nothing below the channel level', () => {
    assert.equal(formatEntry(entry({ kind: 'watch' }), LEVEL_ORDER.info), undefined);
    assert.equal(formatEntry(entry({ kind: 'watch', from: 'apiserver@master-1', to: 'kubelet@worker-1', summary: 'MODIFIED pod' }), LEVEL_ORDER.trace)!.text, '[T+1m02.345s] apiserver@master-1 → kubelet@worker-1: MODIFIED pod');
    assert.equal(stamp(0), 'T+0m00.000s');
  });
});
