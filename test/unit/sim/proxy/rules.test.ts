import { strict as assert } from 'node:assert';
import { base32, hex, sha256 } from '../../../../src/sim/proxy/sha256';
import { buildProxyRules, endpointChainName, externalChainName, formatIptablesSave, probability, resolve, serviceChainName } from '../../../../src/sim/proxy/rules';
import { Rng } from '../../../../src/sim/clock';
import type { EndpointSlice, Service } from '../../../../src/sim/api/types';

const svc: Service = {
  apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' },
  spec: { clusterIP: '10.96.12.34', ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] },
};
/** The Service's one EndpointSlice: ready endpoints, then not-ready ones, then ones serving while terminating. */
const ep = (ips: string[], notReady: string[] = [], servingTerminating: string[] = []): EndpointSlice[] => [{
  apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'web-abcde', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
  addressType: 'IPv4',
  endpoints: [
    ...ips.map((ip) => ({ addresses: [ip], conditions: { ready: true, serving: true, terminating: false } })),
    ...notReady.map((ip) => ({ addresses: [ip], conditions: { ready: false, serving: false, terminating: false } })),
    ...servingTerminating.map((ip) => ({ addresses: [ip], conditions: { ready: false, serving: true, terminating: true } })),
  ],
  ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
}];

describe('kube-proxy rules', () => {
  it('hashes like Go: SHA-256 and base32 test vectors', () => {
    assert.equal(hex(sha256('abc')), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(hex(sha256('')), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    assert.equal(hex(sha256('a'.repeat(1000))), '41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3');
    assert.equal(base32(new TextEncoder().encode('foobar')), 'MZXW6YTBOI======');
    assert.match(serviceChainName('default/web:http', 'TCP'), /^KUBE-SVC-[A-Z2-7]{16}$/);
    assert.equal(serviceChainName('default/web:http', 'TCP'), serviceChainName('default/web:http', 'tcp'));
    assert.notEqual(endpointChainName('default/web:http', 'TCP', '10.244.1.5:8080'), endpointChainName('default/web:http', 'TCP', '10.244.1.6:8080'));
  });

  it('programs KUBE-SERVICES → KUBE-SVC → KUBE-SEP with 1/(n−i) probabilities over ready endpoints only', () => {
    const rules = buildProxyRules([svc], () => ep(['10.244.2.7', '10.244.1.5', '10.244.3.9'], ['10.244.1.99']));
    const svcChain = serviceChainName('default/web:http', 'TCP');
    assert.equal(rules.services, 1);
    assert.equal(rules.endpoints, 3);
    const text = formatIptablesSave(rules);
    assert.ok(text.startsWith('*nat\n'));
    assert.ok(text.includes(`-A KUBE-SERVICES -d 10.96.12.34/32 -p tcp -m comment --comment "default/web:http cluster IP" -m tcp --dport 80 -j ${svcChain}`));
    const svcLines = text.split('\n').filter((l) => l.startsWith(`-A ${svcChain} -m comment`));
    assert.deepEqual(svcLines.map((l) => /--probability (\S+)/.exec(l)?.[1] ?? 'last'), ['0.3333333333', '0.5000000000', 'last']);
    assert.ok(svcLines[0].includes('"default/web:http -> 10.244.1.5:8080"'), 'endpoints sorted by IP');
    assert.ok(text.includes('-j DNAT --to-destination 10.244.3.9:8080'));
    assert.ok(!text.includes('10.244.1.99'), 'not-ready endpoints are not programmed');
    assert.equal(probability(4), '0.2500000000');
  });

  it('resolves a connection to every ready endpoint about equally often', () => {
    const rules = buildProxyRules([svc], () => ep(['10.244.1.5', '10.244.2.7', '10.244.3.9']));
    const rng = new Rng(3);
    const counts = new Map<string, number>();
    for (let i = 0; i < 3000; i++) {
      const r = resolve(rules, '10.96.12.34', 80, 'TCP', rng);
      assert.ok(r.ok);
      counts.set(r.endpoint.ip, (counts.get(r.endpoint.ip) ?? 0) + 1);
      assert.equal(r.chains.length, 3);
    }
    for (const n of counts.values()) assert.ok(n > 850 && n < 1150, `uneven: ${[...counts.values()]}`);
  });

  it('falls back to endpoints serving while they terminate only when none is ready (ProxyTerminatingEndpoints)', () => {
    const mixed = formatIptablesSave(buildProxyRules([svc], () => ep(['10.244.1.5'], [], ['10.244.2.7'])));
    assert.ok(mixed.includes('10.244.1.5:8080') && !mixed.includes('10.244.2.7'), 'a ready endpoint wins');
    const draining = formatIptablesSave(buildProxyRules([svc], () => ep([], ['10.244.1.9'], ['10.244.2.7'])));
    assert.ok(draining.includes('-j DNAT --to-destination 10.244.2.7:8080'), draining);
    assert.ok(!draining.includes('10.244.1.9') && !draining.includes('has no endpoints'));
  });

  it('rejects a Service without endpoints and times out on an unknown ClusterIP', () => {
    const rules = buildProxyRules([svc], () => ep([], ['10.244.1.5']));
    const text = formatIptablesSave(rules);
    assert.ok(text.includes('*filter'));
    assert.ok(text.includes('"default/web:http has no endpoints"'));
    const r = resolve(rules, '10.96.12.34', 80, 'TCP', new Rng(1));
    assert.equal(r.ok, false);
    assert.match((r as { error: string }).error, /connection refused \(default\/web:http has no endpoints\)/);
    const t = resolve(rules, '10.96.99.99', 80, 'TCP', new Rng(1));
    assert.match((t as { error: string }).error, /i\/o timeout/);
  });

  it('programs a node port: KUBE-NODEPORTS → KUBE-EXT → the KUBE-SVC chain, taken only for the node\'s own addresses', () => {
    const np: Service = { ...svc, spec: { ...svc.spec, type: 'NodePort', ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP', nodePort: 30080 }] } };
    const rules = buildProxyRules([np], () => ep(['10.244.1.5', '10.244.2.7']));
    const svcChain = serviceChainName('default/web:http', 'TCP');
    const extChain = externalChainName('default/web:http', 'TCP');
    assert.match(extChain, /^KUBE-EXT-[A-Z2-7]{16}$/);
    assert.equal(extChain.slice('KUBE-EXT-'.length), svcChain.slice('KUBE-SVC-'.length), 'the same hash as the service chain, as upstream');
    const text = formatIptablesSave(rules);
    assert.ok(text.includes(`-A KUBE-NODEPORTS -p tcp -m comment --comment "default/web:http" -m tcp --dport 30080 -j ${extChain}`), text);
    assert.ok(text.includes(`-A ${extChain} -m comment --comment "masquerade traffic for default/web:http external destinations" -j KUBE-MARK-MASQ`));
    assert.ok(text.includes(`-A ${extChain} -j ${svcChain}`));
    const viaNode = resolve(rules, '10.0.1.4', 30080, 'TCP', new Rng(2), ['10.0.1.4']);
    assert.ok(viaNode.ok);
    assert.deepEqual(viaNode.chains.slice(0, 4), ['KUBE-SERVICES', 'KUBE-NODEPORTS', extChain, svcChain]);
    assert.ok(['10.244.1.5', '10.244.2.7'].includes(viaNode.endpoint.ip));
    // Another machine's address is not this node's to answer; a node port nobody has is refused.
    assert.match((resolve(rules, '10.0.1.5', 30080, 'TCP', new Rng(2), ['10.0.1.4']) as { error: string }).error, /i\/o timeout/);
    assert.match((resolve(rules, '10.0.1.4', 30081, 'TCP', new Rng(2), ['10.0.1.4']) as { error: string }).error, /connection refused \(no Service has node port 30081\)/);
    // Without endpoints: a REJECT in KUBE-EXTERNAL-SERVICES.
    const empty = buildProxyRules([np], () => ep([]));
    assert.ok(formatIptablesSave(empty).includes('-A KUBE-EXTERNAL-SERVICES -m addrtype --dst-type LOCAL -p tcp -m comment --comment "default/web:http has no endpoints" -m tcp --dport 30080 -j REJECT'));
    assert.match((resolve(empty, '10.0.1.4', 30080, 'TCP', new Rng(2), ['10.0.1.4']) as { error: string }).error, /connection refused \(default\/web:http has no endpoints\)/);
  });
});
