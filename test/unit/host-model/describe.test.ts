import { strict as assert } from 'node:assert';
import type { CoreEvent } from '../../../src/sim/api/types';
import { EPOCH_MS } from '../../../src/sim/clock';
import { describeNode, describeObject, describePod, describeTime, type DescribeContext } from '../../../src/host/describe';
import { iso, node, pod } from './fixtures';

function ctx(over: Partial<DescribeContext> = {}): DescribeContext {
  return { now: 90_000, epochMs: EPOCH_MS, events: [], pods: [], replicaSets: [], endpoints: [], ...over };
}

describe('describe documents', () => {
  it('prints timestamps as kubectl describe does', () => {
    assert.equal(describeTime('2026-01-01T00:00:05Z'), 'Thu, 01 Jan 2026 00:00:05 +0000');
    assert.equal(describeTime(undefined), '<unset>');
  });

  it('names a pod\'s priority class under its priority, as kubectl does', () => {
    const p = pod('urgent', 'worker-1', 'running');
    p.spec.priority = 1000;
    p.spec.priorityClassName = 'urgent';
    const lines = describePod(p, ctx({ events: [] })).split('\n');
    const at = lines.findIndex((l) => l.startsWith('Priority:'));
    assert.match(lines[at], /^Priority:\s+1000$/);
    assert.match(lines[at + 1], /^Priority Class Name:\s+urgent$/);
  });

  it('describes a pod: aligned fields, container state, conditions and its events', () => {
    const p = pod('web-1', 'worker-1', 'pull-backoff', { kind: 'ReplicaSet', name: 'web-5d4f', uid: 'r1' });
    p.metadata.labels = { app: 'web', 'pod-template-hash': '5d4f' };
    p.status!.conditions = [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'False' }];
    const events: CoreEvent[] = [
      { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e2' }, involvedObject: { kind: 'Pod', name: 'web-1', uid: 'uid-web-1' }, type: 'Warning', reason: 'Failed', message: 'Error: ImagePullBackOff', source: { component: 'kubelet' }, firstTimestamp: iso(20_000), lastTimestamp: iso(80_000), count: 3 },
      { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e1' }, involvedObject: { kind: 'Pod', name: 'web-1', uid: 'uid-web-1' }, type: 'Normal', reason: 'Scheduled', message: 'Successfully assigned default/web-1 to worker-1', source: { component: 'default-scheduler' }, firstTimestamp: iso(1_000), lastTimestamp: iso(1_000) },
      { apiVersion: 'v1', kind: 'Event', metadata: { name: 'other' }, involvedObject: { kind: 'Pod', name: 'web-2', uid: 'uid-web-2' }, reason: 'Scheduled' },
    ];
    const text = describePod(p, ctx({ events }));
    const expected = [
      'Name:             web-1',
      'Namespace:        default',
      'Priority:         0',
      'Service Account:  <none>',
      'Node:             worker-1',
      'Labels:           app=web',
      '                  pod-template-hash=5d4f',
      'Annotations:      <none>',
      'Status:           Pending',
      'IP:               <none>',
      'IPs:              <none>',
      'Controlled By:    ReplicaSet/web-5d4f',
      'Containers:',
      '  nginx:',
      '    Container ID:   <none>',
      '    Image:          nginx:1.26',
      '    Image ID:       <none>',
      '    Port:           <none>',
      '    Host Port:      <none>',
      '    State:          Waiting',
      '      Reason:       ImagePullBackOff',
      '      Message:      Back-off pulling image "nginx:9.99"',
      '    Ready:          False',
      '    Restart Count:  0',
      '    Requests:',
      '      cpu:        250m',
      '      memory:     128Mi',
      '    Environment:  <none>',
      '    Mounts:       <none>',
      'Conditions:',
      '  Type           Status',
      '  PodScheduled   True',
      '  Ready          False',
      'Volumes:         <none>',
      'QoS Class:       Burstable',
      'Node-Selectors:  <none>',
      'Tolerations:     <none>',
      'Events:',
      '  Type     Reason     Age                From               Message',
      '  ----     ------     ----               ----               -------',
      '  Normal   Scheduled  89s                default-scheduler  Successfully assigned default/web-1 to worker-1',
      '  Warning  Failed     10s (x3 over 70s)  kubelet            Error: ImagePullBackOff',
      '',
    ];
    assert.deepEqual(text.split('\n'), expected);
  });

  it('describes a node with its pods and allocated resources', () => {
    const text = describeNode(node('worker-1', 'us-east-2a'), ctx({ pods: [pod('a', 'worker-1'), pod('b', 'worker-2')] }));
    assert.match(text, /^Name: +worker-1\nRoles: +<none>\n/);
    assert.match(text, /\nNon-terminated Pods: +\(1 in total\)\n/);
    // As in kubectl, the "Non-terminated Pods:" line and the pod table share tabwriter columns.
    const table = text.slice(text.indexOf('Non-terminated')).split('\n');
    assert.equal(table[1].indexOf(' Name ') + 1, table[0].indexOf('('));
    assert.match(table[3], /^ {2}default +a +250m \(6%\) +0 \(0%\) +128Mi \(2%\) +0 \(0%\) +90s$/);
    assert.ok(text.includes('\n  cpu       250m (6%)   0 (0%)\n'));
    assert.match(text, /Events: +<none>\n$/);
  });

  it('has no describer for kinds it does not know', () => {
    assert.equal(describeObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }, ctx()), undefined);
  });
});
