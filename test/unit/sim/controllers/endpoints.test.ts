import { strict as assert } from 'node:assert';
import { computeSubsets, resolveTargetPort } from '../../../../src/sim/controllers/endpoints/endpoints-controller';
import type { Pod, Service } from '../../../../src/sim/api/types';

function pod(name: string, ip: string | undefined, ready: boolean, ports: { name?: string; containerPort: number }[] = [{ name: 'http', containerPort: 8080 }], extra: Partial<Pod['metadata']> = {}): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: `uid-${name}`, ...extra },
    spec: { nodeName: 'worker-1', containers: [{ name: 'c', image: 'nginx', ports }] },
    status: { phase: 'Running', ...(ip ? { podIP: ip } : {}), conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}
const svc = (targetPort: number | string): Service => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' },
  spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort, protocol: 'TCP' }] },
});

describe('endpoints controller: subsets', () => {
  it('resolves named and numeric target ports', () => {
    assert.equal(resolveTargetPort(pod('a', '10.244.0.2', true), { port: 80, targetPort: 'http' }), 8080);
    assert.equal(resolveTargetPort(pod('a', '10.244.0.2', true), { port: 80, targetPort: 9000 }), 9000);
    assert.equal(resolveTargetPort(pod('a', '10.244.0.2', true), { port: 80 }), 80);
    assert.equal(resolveTargetPort(pod('a', '10.244.0.2', true), { port: 80, targetPort: 'metrics' }), undefined);
  });

  it('puts ready pods in addresses, others in notReadyAddresses, skips pods without IP, terminating or lacking the port', () => {
    const pods = [
      pod('b', '10.244.0.10', true),
      pod('a', '10.244.0.9', true),
      pod('c', '10.244.1.3', false),
      pod('d', undefined, false),
      pod('e', '10.244.1.4', true, undefined, { deletionTimestamp: '2026-01-01T00:00:00Z' }),
      pod('f', '10.244.1.5', true, [{ name: 'other', containerPort: 1 }]),
    ];
    const subsets = computeSubsets(svc('http'), pods);
    assert.equal(subsets.length, 1);
    assert.deepEqual(subsets[0].addresses!.map((a) => a.ip), ['10.244.0.9', '10.244.0.10'], 'sorted as IPs, not strings');
    assert.deepEqual(subsets[0].notReadyAddresses!.map((a) => a.ip), ['10.244.1.3']);
    assert.deepEqual(subsets[0].ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    assert.deepEqual(subsets[0].addresses![0].targetRef, { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' });
  });

  it('groups pods whose named port resolves differently into separate subsets', () => {
    const subsets = computeSubsets(svc('http'), [pod('a', '10.244.0.2', true), pod('b', '10.244.0.3', true, [{ name: 'http', containerPort: 9090 }])]);
    assert.deepEqual(subsets.map((s) => s.ports![0].port).sort(), [8080, 9090]);
  });
});
