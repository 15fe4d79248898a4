import { strict as assert } from 'node:assert';
import type { Service } from '../../../../src/sim/api/types';
import { envVariableName, namespaceServiceVariables, serviceVariables } from '../../../../src/sim/kubelet/service-env';

const svc = (name: string, namespace: string, clusterIP: string, ports: { port: number; name?: string; protocol?: string }[]): Service =>
  ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { clusterIP, ports } }) as Service;

describe('sim/kubelet/service-env: the Service variables of a container', () => {
  it('names and values as envvars.FromServices makes them', () => {
    assert.equal(envVariableName('my-web'), 'MY_WEB');
    assert.deepEqual(serviceVariables(svc('my-web', 'default', '10.96.7.8', [{ port: 80, name: 'http' }, { port: 53, protocol: 'UDP' }])), [
      ['MY_WEB_SERVICE_HOST', '10.96.7.8'],
      ['MY_WEB_SERVICE_PORT', '80'],
      ['MY_WEB_SERVICE_PORT_HTTP', '80'],
      ['MY_WEB_PORT', 'tcp://10.96.7.8:80'],
      ['MY_WEB_PORT_80_TCP', 'tcp://10.96.7.8:80'],
      ['MY_WEB_PORT_80_TCP_PROTO', 'tcp'],
      ['MY_WEB_PORT_80_TCP_PORT', '80'],
      ['MY_WEB_PORT_80_TCP_ADDR', '10.96.7.8'],
      ['MY_WEB_PORT_53_UDP', 'udp://10.96.7.8:53'],
      ['MY_WEB_PORT_53_UDP_PROTO', 'udp'],
      ['MY_WEB_PORT_53_UDP_PORT', '53'],
      ['MY_WEB_PORT_53_UDP_ADDR', '10.96.7.8'],
    ]);
    assert.deepEqual(serviceVariables(svc('headless', 'default', 'None', [{ port: 80 }])), []);
  });

  it('only the namespace\'s Services, by name, without the kubernetes Service (given to every pod apart)', () => {
    const all = [svc('b', 'default', '10.96.0.20', [{ port: 80 }]), svc('kubernetes', 'default', '10.96.0.1', [{ port: 443 }]), svc('a', 'default', '10.96.0.21', [{ port: 81 }]), svc('c', 'other', '10.96.0.22', [{ port: 82 }])];
    const names = namespaceServiceVariables(all, 'default').filter(([k]) => k.endsWith('_SERVICE_HOST')).map(([k]) => k);
    assert.deepEqual(names, ['A_SERVICE_HOST', 'B_SERVICE_HOST']);
    assert.deepEqual(namespaceServiceVariables(all, 'other').map(([k]) => k)[0], 'C_SERVICE_HOST');
  });
});
