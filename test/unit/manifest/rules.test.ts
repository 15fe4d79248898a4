import { strict as assert } from 'node:assert';
import { checkObject, renderFieldError, validateObject, validateText, type LabFacts } from '../../../src/manifest';

function pod(spec: Record<string, unknown>, metadata: Record<string, unknown> = { name: 'web' }): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
}

const web = { name: 'web', image: 'nginx:1.27' };

function messages(obj: unknown): string[] {
  return validateObject(obj).map(renderFieldError);
}

describe('manifest/validateObject (the API server rules)', () => {
  const cases: [string, unknown, string[]][] = [
    ['a valid pod', pod({ containers: [web] }), []],
    ['a pod without containers', pod({}), ['spec.containers: Required value']],
    ['a container without image', pod({ containers: [{ name: 'web' }] }), ['spec.containers[0].image: Required value']],
    ['no name at all', pod({ containers: [web] }, {}), ['metadata.name: Required value: name or generateName is required']],
    ['generateName instead of a name', pod({ containers: [web] }, { generateName: 'web-' }), []],
    [
      'an uppercase name',
      pod({ containers: [web] }, { name: 'Web' }),
      [
        `metadata.name: Invalid value: "Web": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
      ],
    ],
    [
      'a container name with a dot',
      pod({ containers: [{ name: 'web.1', image: 'nginx' }] }),
      [
        `spec.containers[0].name: Invalid value: "web.1": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
      ],
    ],
    ['duplicate container names across init and app containers', pod({ initContainers: [web], containers: [web] }), ['spec.containers[0].name: Duplicate value: "web"']],
    [
      'a long port name',
      pod({ containers: [{ ...web, ports: [{ name: 'a-very-long-port-name', containerPort: 80 }] }] }),
      ['spec.containers[0].ports[0].name: Invalid value: "a-very-long-port-name": must be no more than 15 characters'],
    ],
    [
      'a port name of digits',
      pod({ containers: [{ ...web, ports: [{ name: '8080', containerPort: 80 }] }] }),
      ['spec.containers[0].ports[0].name: Invalid value: "8080": must contain at least one letter (a-z)'],
    ],
    ['port 0', pod({ containers: [{ ...web, ports: [{ containerPort: 0 }] }] }), ['spec.containers[0].ports[0].containerPort: Required value']],
    ['port 70000', pod({ containers: [{ ...web, ports: [{ containerPort: 70000 }] }] }), ['spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive']],
    [
      'a bad label key',
      pod({ containers: [web] }, { name: 'web', labels: { 'app/x/y': 'a' } }),
      [
        `metadata.labels: Invalid value: "app/x/y": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
      ],
    ],
    ['a label value of 64 characters', pod({ containers: [web] }, { name: 'web', labels: { app: 'a'.repeat(64) } }), [`metadata.labels: Invalid value: "${'a'.repeat(64)}": must be no more than 63 characters`]],
    [
      'requests above limits',
      pod({ containers: [{ ...web, resources: { requests: { memory: '1Gi' }, limits: { memory: '512Mi' } } }] }),
      ['spec.containers[0].resources.requests[memory]: Invalid value: "1Gi": must be less than or equal to memory limit of 512Mi'],
    ],
    ['a negative request', pod({ containers: [{ ...web, resources: { requests: { cpu: '-1' } } }] }), ['spec.containers[0].resources.requests[cpu]: Invalid value: "-1": must be greater than or equal to 0']],
    ['an unknown resource name', pod({ containers: [{ ...web, resources: { limits: { cpus: '1' } } }] }), ['spec.containers[0].resources.limits[cpus]: Invalid value: "cpus": must be a standard resource for containers']],
    ['a mount of no volume', pod({ containers: [{ ...web, volumeMounts: [{ name: 'data', mountPath: '/data' }] }] }), ['spec.containers[0].volumeMounts[0].name: Not found: "data"']],
    ['a volume without a source', pod({ containers: [web], volumes: [{ name: 'data' }] }), ['spec.volumes[0]: Required value: must specify a volume type']],
    ['toleration Exists with a value', pod({ containers: [web], tolerations: [{ key: 'k', operator: 'Exists', value: 'v' }] }), ["spec.tolerations[0].operator: Invalid value: \"Exists\": value must be empty when `operator` is 'Exists'"]],
    ['a taint effect typo', pod({ containers: [web], tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedul' }] }), ['spec.tolerations[0].effect: Unsupported value: "NoSchedul": supported values: "NoExecute", "NoSchedule", "PreferNoSchedule"']],
    [
      'a deployment whose selector does not match',
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'b' } }, spec: { containers: [web] } } } },
      ['spec.template.metadata.labels: Invalid value: map[string]string{"app":"b"}: `selector` does not match template `labels`'],
    ],
    [
      'a deployment with an empty selector',
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { selector: {}, template: { metadata: { labels: { app: 'b' } }, spec: { containers: [web] } } } },
      ['spec.selector: Invalid value: map[string]string{}: empty selector is invalid for deployment'],
    ],
    [
      'a replicaset with negative replicas',
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'r' }, spec: { replicas: -1, selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'a' } }, spec: { containers: [web] } } } },
      ['spec.replicas: Invalid value: -1: must be greater than or equal to 0'],
    ],
    [
      'a recreate deployment with rollingUpdate',
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { strategy: { type: 'Recreate', rollingUpdate: {} }, selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'a' } }, spec: { containers: [web] } } } },
      ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"],
    ],
    ['a service without ports', { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { selector: { app: 'a' } } }, ['spec.ports: Required value']],
    ['a headless service without ports', { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { clusterIP: 'None' } }, []],
    [
      'two unnamed service ports',
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80 }, { port: 443 }] } },
      ['spec.ports[0].name: Required value', 'spec.ports[1].name: Required value'],
    ],
    ['a nodePort on a ClusterIP service', { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, nodePort: 30001 }] } }, ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]],
    ['externalTrafficPolicy on a ClusterIP service', { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { externalTrafficPolicy: 'Local', ports: [{ port: 80 }] } }, ['spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services']],
    ['allocateLoadBalancerNodePorts on a NodePort service', { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { type: 'NodePort', allocateLoadBalancerNodePorts: true, ports: [{ port: 80 }] } }, ["spec.allocateLoadBalancerNodePorts: Forbidden: may only be used when `type` is 'LoadBalancer'"]],
    ['an ExternalName service without a name', { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { type: 'ExternalName' } }, ['spec.externalName: Required value']],
    ['a namespace name with a dot', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a.b' } }, [`metadata.name: Invalid value: "a.b": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`]],
    ['a configmap key in data and binaryData', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { k: 'v' }, binaryData: { k: 'dg==' } }, ['binaryData[k]: Invalid value: "k": duplicate of key present in data']],
    ['a configmap binaryData value that is not base64', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, binaryData: { k: 'a=b' } }, ['binaryData[k]: Invalid value: "a=b": illegal base64 data at input byte 1']],
    ['a valid secret (stringData and base64 data)', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { a: 'eA==' }, stringData: { b: 'y' } }, []],
    ['a secret value that is not base64', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { a: 'hunter2' } }, ['data[a]: Invalid value: "hunter2": illegal base64 data at input byte 4']],
    ['a secret key with a slash, in stringData', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { 'a/b': 'x' } }, [`data[a/b]: Invalid value: "a/b": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`]],
    ['a tls secret without its key', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==' } }, ['data[tls.key]: Required value']],
    ['an unknown kind', { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'Bad' } }, []],
    ['not an object', 'apiVersion: v1', []],
  ];
  for (const [name, obj, expected] of cases) {
    it(name, () => assert.deepEqual(messages(obj), expected));
  }

  it('positions Secret findings in the editor: schema (unknown field) and API rules (bad base64) on their keys and values', () => {
    const text = 'apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: Opaque\nstringdata: {a: b}\ndata:\n  pass: hunter2\n';
    const diags = validateText(text).diagnostics.map((d) => `${d.range.start.line}: ${d.message}`);
    assert.equal(diags.length, 2, diags.join('\n'));
    assert.match(diags[0], /^4: .*stringdata/);
    assert.equal(diags[1], '6: data[pass]: Invalid value: "hunter2": illegal base64 data at input byte 4');
  });

  it('reports upstream warnings (duplicate ports) only through checkObject', () => {
    const obj = pod({ containers: [{ ...web, ports: [{ containerPort: 80 }, { containerPort: 80 }] }] });
    assert.deepEqual(validateObject(obj), []);
    const warnings = checkObject(obj).filter((e) => e.severity === 'warning');
    assert.deepEqual(warnings.map(renderFieldError), ['spec.containers[0].ports[1]: duplicate port definition with spec.containers[0].ports[0]']);
  });

  describe('lab-aware warnings', () => {
    const facts: LabFacts = {
      images: { isKnown: (image: string) => /^(nginx|busybox)(:|$)/.test(image) },
      nodes: [
        { name: 'worker-1', labels: { 'kubernetes.io/hostname': 'worker-1', disktype: 'hdd' }, allocatable: { cpu: '2', memory: '4Gi' } },
        { name: 'worker-2', labels: { 'kubernetes.io/hostname': 'worker-2' }, allocatable: { cpu: '4', memory: '8Gi' } },
      ],
    };
    const warnings = (obj: unknown): string[] => checkObject(obj, facts).filter((e) => e.severity === 'warning').map(renderFieldError);

    it('warns about an image the lab cannot pull', () => {
      assert.deepEqual(warnings(pod({ containers: [{ name: 'a', image: 'ngnix:1.27' }] })), [
        `image "ngnix:1.27" is not in the lab's registry: in the lab this container would fail with ErrImagePull, then ImagePullBackOff`,
      ]);
      assert.deepEqual(warnings(pod({ containers: [web] })), []);
    });

    it('warns when the requests fit no node', () => {
      const big = pod({ containers: [{ ...web, resources: { requests: { cpu: '3' } } }, { name: 'b', image: 'busybox', resources: { requests: { cpu: '1500m' } } }] });
      assert.deepEqual(warnings(big), ['the pod requests 4500m cpu but the largest allocatable cpu of any lab node is 4: this pod would never be scheduled in the lab']);
      assert.deepEqual(warnings(pod({ containers: [{ ...web, resources: { requests: { cpu: '3500m' } } }] })), []);
    });

    it('warns when no node has the nodeSelector labels', () => {
      assert.deepEqual(warnings(pod({ containers: [web], nodeSelector: { disktype: 'ssd' } })), [
        'no node in the lab matches nodeSelector disktype=ssd: this pod would stay Pending, never scheduled in the lab',
      ]);
      assert.deepEqual(warnings(pod({ containers: [web], nodeSelector: { disktype: 'hdd' } })), []);
    });

    it('checks the pod template of a deployment too', () => {
      const d = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'a', image: 'unknown/thing' }] } } } };
      assert.equal(warnings(d).length, 1);
      assert.equal(checkObject(d, facts).find((e) => e.severity === 'warning')?.field, 'spec.template.spec.containers[0].image');
    });
  });
});
