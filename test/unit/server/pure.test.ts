import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import fc from 'fast-check';
import { conflictStatus, fieldPaths, formatPath, fromFieldsV1, planApply, toFieldsV1 } from '../../../src/server/apply';
import { clientName } from '../../../src/server/server';
import { decodeDeleteOptions, decodeKubernetesProtobuf, ProtobufDecodeError } from '../../../src/server/protobuf';
import { openApiDocument } from '../../../src/server/openapi';
import { loadKindSchemas } from '../../../src/server/node-host';
import { humanDuration } from '../../../src/server/printers';
import { summarizePod } from '../../../src/server/printers/pods';
import { nodeRoles, nodeStatus } from '../../../src/server/printers/nodes';
import { formatEndpoints } from '../../../src/server/printers/services';
import { route } from '../../../src/server/routes';
import { resourceFor } from '../../../src/sim/apiserver/resources';
import type { Deployment, Endpoints, KubeObject, Node, Pod } from '../../../src/sim/api/types';

describe('server/routes', () => {
  const resource = (method: string, url: string) => {
    const r = route(method, url);
    assert.equal(r.type, 'resource', JSON.stringify(r));
    return (r as Extract<typeof r, { type: 'resource' }>).request;
  };

  it('reads namespaced, cluster-scoped and all-namespaces paths', () => {
    assert.deepEqual({ ...resource('GET', '/api/v1/namespaces/default/pods/web'), served: undefined, query: undefined },
      { verb: 'get', served: undefined, apiVersion: 'v1', resource: 'pods', namespace: 'default', name: 'web', subresource: undefined, query: undefined, timeoutSeconds: undefined, includeObject: undefined });
    assert.equal(resource('GET', '/api/v1/pods').verb, 'list');
    assert.equal(resource('GET', '/api/v1/nodes/worker-1').name, 'worker-1');
    const ns = resource('GET', '/api/v1/namespaces/kube-system');
    assert.equal(ns.resource, 'namespaces');
    assert.equal(ns.name, 'kube-system');
    assert.equal(resource('PATCH', '/apis/apps/v1/namespaces/default/deployments/web/scale').subresource, 'scale');
    assert.equal(resource('GET', '/api/v1/namespaces/default/pods/web/log?follow=true&container=c').query.follow, true);
  });

  it('maps methods to verbs, watches a named object through a field selector', () => {
    assert.equal(resource('POST', '/api/v1/namespaces/default/pods').verb, 'create');
    assert.equal(resource('DELETE', '/api/v1/namespaces/default/pods').verb, 'deletecollection');
    const w = resource('GET', '/apis/apps/v1/namespaces/default/deployments?watch=true&fieldSelector=metadata.name%3Dweb');
    assert.equal(w.verb, 'watch');
    const legacy = resource('GET', '/api/v1/watch/namespaces/default/pods/web');
    assert.equal(legacy.verb, 'watch');
    assert.equal(legacy.query.fieldSelector, 'metadata.name=web');
  });

  it('refuses bad queries and unknown paths', () => {
    assert.equal(route('GET', '/api/v1/pods?limit=x').type, 'error');
    assert.equal(route('GET', '/api/v1/pods?propagationPolicy=Sometimes').type, 'error');
    assert.equal(route('GET', '/api/v1/widgets').type, 'error');
    assert.equal(route('GET', '/api/v1/namespaces/default/pods/web/attach').type, 'error');
    const exec = route('GET', '/api/v1/namespaces/default/pods/web/exec?command=ls&container=web');
    assert.ok(exec.type === 'resource' && exec.request.subresource === 'exec' && exec.request.query.container === 'web', 'pods/exec is served (GET: the WebSocket upgrade)');
    assert.equal(route('GET', '/%E0%A4%A').type, 'error');
    assert.equal(route('PUT', '/api/v1/namespaces/default/pods').type, 'error');
  });

  it('names the client after the User-Agent product', () => {
    assert.equal(clientName('kubectl/v1.32.4 (linux/amd64) kubernetes/4cb5f07'), 'kubectl');
    assert.equal(clientName(undefined), 'http-client');
    assert.equal(clientName('<script>/1'), 'script');
  });
});

describe('server/printers', () => {
  it('humanDuration matches upstream', () => {
    const cases: [number, string][] = [[0, '0s'], [59_000, '59s'], [119_000, '119s'], [120_000, '2m'], [200_000, '3m20s'], [15 * 60_000, '15m'], [3 * 3600_000 + 5 * 60_000, '3h5m'], [10 * 3600_000, '10h'], [3 * 86400_000 + 4 * 3600_000, '3d4h'], [30 * 86400_000, '30d'], [-5000, '<invalid>']];
    for (const [ms, text] of cases) assert.equal(humanDuration(ms), text, `${ms}`);
  });

  const pod = (status: Pod['status'], extra: Partial<Pod['metadata']> = {}): Pod => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', creationTimestamp: '2026-01-01T00:00:00Z', ...extra }, spec: { containers: [{ name: 'c' }] }, status,
  });

  it('pod STATUS as kubectl shows it', () => {
    const now = Date.parse('2026-01-01T00:10:00Z');
    assert.deepEqual(summarizePod(pod({ phase: 'Pending', containerStatuses: [{ name: 'c', ready: false, restartCount: 0, image: '', imageID: '', state: { waiting: { reason: 'ContainerCreating' } } }] }), now), { ready: '0/1', status: 'ContainerCreating', restarts: '0' });
    assert.equal(summarizePod(pod({ phase: 'Running', containerStatuses: [{ name: 'c', ready: true, restartCount: 0, image: '', imageID: '', state: { running: {} } }] }), now).ready, '1/1');
    const crash = summarizePod(pod({ phase: 'Running', containerStatuses: [{ name: 'c', ready: false, restartCount: 3, image: '', imageID: '', state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, finishedAt: '2026-01-01T00:08:00Z' } } }] }), now);
    assert.deepEqual(crash, { ready: '0/1', status: 'CrashLoopBackOff', restarts: '3 (2m ago)' });
    assert.equal(summarizePod(pod({ phase: 'Running' }, { deletionTimestamp: '2026-01-01T00:09:00Z' }), now).status, 'Terminating');
    assert.equal(summarizePod(pod({ phase: 'Succeeded', containerStatuses: [{ name: 'c', ready: false, restartCount: 0, image: '', imageID: '', state: { terminated: { exitCode: 0, reason: 'Completed' } } }] }), now).status, 'Completed');
  });

  it('node STATUS and ROLES', () => {
    const node: Node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n', labels: { 'node-role.kubernetes.io/control-plane': '' } }, spec: { unschedulable: true }, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } };
    assert.equal(nodeStatus(node), 'NotReady,SchedulingDisabled');
    assert.equal(nodeRoles(node), 'control-plane');
    assert.equal(nodeRoles({ ...node, metadata: { name: 'w' } }), '<none>');
  });

  it('endpoints show three addresses and a count of the rest', () => {
    const ep: Endpoints = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 's' }, subsets: [{ addresses: ['1', '2', '3', '4'].map((n) => ({ ip: `10.0.0.${n}` })), ports: [{ port: 80 }] }] };
    assert.equal(formatEndpoints(ep), '10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 1 more...');
    assert.equal(formatEndpoints({ ...ep, subsets: [] }), '<none>');
  });
});

describe('server/apply (server-side apply)', () => {
  const def = resourceFor('apps/v1', 'deployments')!;
  const deployment = (replicas: number, image: string, labels: Record<string, string> = { app: 'web' }): Deployment => ({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default', labels },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image }] } } },
  });

  it('records owned fields in upstream FieldsV1 notation and reads them back', () => {
    const paths = fieldPaths(deployment(2, 'nginx') as unknown as Record<string, unknown>, def.mergeKeys);
    const fields = toFieldsV1(paths);
    assert.deepEqual(Object.keys(fields).sort(), ['f:metadata', 'f:spec']);
    const containers = ((fields['f:spec'] as Record<string, unknown>)['f:template'] as Record<string, Record<string, Record<string, unknown>>>)['f:spec']['f:containers'];
    assert.deepEqual(Object.keys(containers), ['k:{"name":"nginx"}']);
    assert.equal(fromFieldsV1(fields).length, paths.length);
    assert.equal(formatPath(['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"nginx"}', 'f:image']), '.spec.template.spec.containers[name="nginx"].image');
  });

  it('creates with a managedFields entry, then merges and removes fields the manager dropped', () => {
    const first = planApply(def, undefined, deployment(2, 'nginx', { app: 'web', tier: 'front' }), 'kubectl', false, 't');
    assert.equal(first.object.metadata.managedFields?.[0].manager, 'kubectl');
    const live = { ...first.object, status: { replicas: 2 } } as KubeObject;
    const second = planApply(def, live, deployment(3, 'nginx:1.27'), 'kubectl', false, 't');
    assert.deepEqual(second.conflicts, []);
    const spec = (second.object as Deployment).spec;
    assert.equal(spec.replicas, 3);
    assert.equal(spec.template.spec.containers[0].image, 'nginx:1.27');
    assert.deepEqual(second.object.metadata.labels, { app: 'web' }, 'the dropped label is removed');
    assert.deepEqual((second.object as Deployment).status, { replicas: 2 }, 'fields nobody applied stay');
  });

  it('a different value in a field another manager owns is a conflict, unless forced', () => {
    const live = planApply(def, undefined, deployment(2, 'nginx'), 'kubectl', false, 't').object;
    const clash = planApply(def, live, deployment(5, 'nginx'), 'other', false, 't');
    assert.equal(clash.conflicts.length, 1);
    assert.equal(conflictStatus(clash.conflicts).message, 'Apply failed with 1 conflict: conflict with "kubectl" using apps/v1: .spec.replicas');
    const same = planApply(def, live, deployment(2, 'nginx'), 'other', false, 't');
    assert.equal(same.conflicts.length, 0, 'the same value is shared ownership, not a conflict');
    const forced = planApply(def, live, deployment(5, 'nginx'), 'other', true, 't');
    assert.equal(forced.conflicts.length, 0);
    assert.equal((forced.object as Deployment).spec.replicas, 5);
    const kubectlFields = fromFieldsV1(forced.object.metadata.managedFields!.find((e) => e.manager === 'kubectl')!.fieldsV1).map(formatPath);
    assert.ok(!kubectlFields.includes('.spec.replicas'), 'ownership moved to the forcing manager');
  });
});

describe('server/protobuf', () => {
  /** A protobuf length-delimited field (lengths < 128 here) or varint field. */
  const bytesField = (no: number, value: Buffer | string) => {
    const b = typeof value === 'string' ? Buffer.from(value) : value;
    return Buffer.concat([Buffer.from([(no << 3) | 2, b.length]), b]);
  };
  const varintField = (no: number, value: number) => Buffer.from([no << 3, value]);
  const envelope = (apiVersion: string, kind: string, raw: Buffer) =>
    Buffer.concat([Buffer.from('k8s\0', 'latin1'), bytesField(1, Buffer.concat([bytesField(1, apiVersion), bytesField(2, kind)])), bytesField(2, raw)]);
  /** Bodies the real kubectl 1.32 sent (captured): create namespace ns1; create deployment d1 --image=nginx:1.27 --replicas=3 --port=80; create configmap cm2 --from-file (bytes 00 01 ff) --from-literal=x=y. */
  const KUBECTL = {
    namespace: 'azhzAAoPCgJ2MRIJTmFtZXNwYWNlEhsKEwoDbnMxEgAaACIAKgAyADgAQgASABoCCgAaACIA',
    deployment: 'azhzAAoVCgdhcHBzL3YxEgpEZXBsb3ltZW50ErkBCh0KAmQxEgAaACIAKgAyADgAQgBaCQoDYXBwEgJkMRKJAQgDEgsKCQoDYXBwEgJkMRpwChsKABIAGgAiACoAMgA4AEIAWgkKA2FwcBICZDESURIzCgVuZ2lueBIKbmdpbng6MS4yNyoAMgoKABAAGFAiACoAQgBqAHIAgAEAiAEAkAEAogEAGgAyAEIASgBSAFgAYABoAIIBAIoBAJoBAMIBACICCgAoADgAGgwIABAAGAAgACgAOAAaACIA',
    configmap: 'azhzAAoPCgJ2MRIJQ29uZmlnTWFwEi0KEwoDY20yEgAaACIAKgAyADgAQgASBgoBeBIBeRoOCgdiaW4uZGF0EgMAAf8aACIA',
  };
  const kubectlBody = (name: keyof typeof KUBECTL) => Buffer.from(KUBECTL[name], 'base64');

  it('decodes DeleteOptions as kubectl drain sends them', () => {
    const body = envelope('v1', 'DeleteOptions', Buffer.concat([varintField(1, 30), bytesField(4, 'Background')]));
    assert.deepEqual(decodeDeleteOptions(body), { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 30, propagationPolicy: 'Background' });
    assert.throws(() => decodeDeleteOptions(Buffer.from('{}')), /not a Kubernetes protobuf/);
    assert.throws(() => decodeDeleteOptions(Buffer.concat([body.subarray(0, 10)])), /truncated/);
    assert.throws(() => decodeDeleteOptions(kubectlBody('namespace')), /expected DeleteOptions, not "Namespace"/);
  });

  it('decodes what kubectl create sends to the JSON kubectl --dry-run=client -o json prints (unset fields left out)', () => {
    assert.deepEqual(decodeKubernetesProtobuf(kubectlBody('namespace')), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns1' }, spec: {}, status: {} });
    assert.deepEqual(decodeKubernetesProtobuf(kubectlBody('deployment')), {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd1', labels: { app: 'd1' } },
      spec: {
        replicas: 3, selector: { matchLabels: { app: 'd1' } }, strategy: {},
        template: { metadata: { labels: { app: 'd1' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80 }], resources: {} }] } },
      },
      status: {},
    });
    assert.deepEqual(decodeKubernetesProtobuf(kubectlBody('configmap')), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm2' }, data: { x: 'y' }, binaryData: { 'bin.dat': 'AAH/' } });
  });

  it('decodes a Secret as kubectl create secret sends it: data bytes as base64, type, stringData, immutable', () => {
    const entry = (no: number, key: string, value: Buffer | string) => bytesField(no, Buffer.concat([bytesField(1, key), bytesField(2, value)]));
    const raw = Buffer.concat([
      bytesField(1, bytesField(1, 's1')),
      entry(2, 'password', 'hunter2'), entry(2, 'bin', Buffer.from([0, 1, 255])),
      bytesField(3, 'Opaque'), entry(4, 'user', 'admin'), varintField(5, 1),
    ]);
    assert.deepEqual(decodeKubernetesProtobuf(envelope('v1', 'Secret', raw)), {
      apiVersion: 'v1', kind: 'Secret', metadata: { name: 's1' }, data: { password: 'aHVudGVyMg==', bin: 'AAH/' }, type: 'Opaque', stringData: { user: 'admin' }, immutable: true,
    });
  });

  it('keeps the zero of a pointer field (replicas: 0), reads IntOrString and Quantity, and refuses a set field it does not know, by name', () => {
    const meta = bytesField(1, bytesField(1, 'web'));
    const port = bytesField(1, Buffer.concat([varintField(3, 80), bytesField(4, Buffer.concat([varintField(1, 1), bytesField(3, 'http')]))]));
    const service = decodeKubernetesProtobuf(envelope('v1', 'Service', Buffer.concat([meta, bytesField(2, port)])));
    assert.deepEqual(service.spec, { ports: [{ port: 80, targetPort: 'http' }] });
    const requests = bytesField(2, Buffer.concat([bytesField(1, 'cpu'), bytesField(2, bytesField(1, '250m'))]));
    const container = bytesField(2, Buffer.concat([bytesField(1, 'c'), bytesField(8, requests)]));
    const template = bytesField(3, bytesField(2, container));
    const deployment = decodeKubernetesProtobuf(envelope('apps/v1', 'Deployment', Buffer.concat([meta, bytesField(2, Buffer.concat([varintField(1, 0), template]))])));
    assert.deepEqual(deployment.spec, { replicas: 0, template: { spec: { containers: [{ name: 'c', resources: { requests: { cpu: '250m' } } }] } } });
    // Field 99 of ObjectMeta: unset (empty) is skipped, set is refused with where it was.
    const withUnknown = (value: string) => envelope('v1', 'Namespace', bytesField(1, Buffer.concat([bytesField(1, 'ns'), Buffer.from([0x9a, 0x06, value.length]), Buffer.from(value)])));
    assert.deepEqual(decodeKubernetesProtobuf(withUnknown('')), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns' } });
    assert.throws(() => decodeKubernetesProtobuf(withUnknown('x')), /field 99 of ObjectMeta \(at Namespace\.metadata\) is set, and the lab does not decode it from protobuf: send the object as JSON or YAML/);
  });

  it('refuses kinds it does not decode and hostile bodies with a clear error, never a crash', () => {
    assert.throws(() => decodeKubernetesProtobuf(envelope('apps/v1', 'StatefulSet', Buffer.alloc(0))), /not "StatefulSet": send it as JSON or YAML/);
    assert.throws(() => decodeKubernetesProtobuf(Buffer.from('k8s\0\x0a\xff\xff\xff\xff\x0f', 'latin1')), /malformed protobuf: truncated field/);
    assert.throws(() => decodeKubernetesProtobuf(Buffer.from('k8s\0\x0b', 'latin1')), /malformed protobuf: unsupported wire type 3/);
    assert.throws(() => decodeKubernetesProtobuf(envelope('v1', 'Namespace', bytesField(1, varintField(1, 5)))), /Namespace\.metadata\.name: expected a length-delimited field, got wire type 0/);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      const body = Buffer.concat([Buffer.from('k8s\0', 'latin1'), Buffer.from(bytes)]);
      try {
        decodeKubernetesProtobuf(body);
      } catch (err) {
        assert.ok(err instanceof ProtobufDecodeError, String(err));
      }
    }), { seed: 7, numRuns: 2000 });
  });
});

describe('server/openapi', () => {
  it('publishes the editor schemas as OpenAPI 3.0: one type per schema (nullable for null), components named as kubectl explain prints them', () => {
    const schemas = loadKindSchemas(join(__dirname, '..', '..', '..', '..', 'schemas'));
    assert.ok(schemas, 'schemas/ is found');
    const doc = openApiDocument('v1', schemas)!;
    const components = (doc.components as { schemas: Record<string, Record<string, unknown>> }).schemas;
    const problems: string[] = [];
    const walk = (value: unknown, path: string): void => {
      if (Array.isArray(value)) return value.forEach((v, i) => walk(v, `${path}[${i}]`));
      if (!value || typeof value !== 'object') return;
      for (const [k, v] of Object.entries(value)) {
        if (k === 'type' && !path.endsWith('.properties') && typeof v !== 'string') problems.push(`${path}.type = ${JSON.stringify(v)}`);
        if (k === '$ref' && typeof v === 'string' && !(v.slice('#/components/schemas/'.length) in components)) problems.push(`${path}.$ref = ${v} (missing)`);
        walk(v, `${path}.${k}`);
      }
    };
    walk(components, 'components.schemas');
    assert.deepEqual(problems.slice(0, 5), []);
    const pod = components['io.k8s.api.core.v1.Pod'] as { properties: Record<string, { $ref?: string; allOf?: { $ref: string }[]; description?: string }> };
    // A field of another type carries its own description beside allOf, as the API server publishes it.
    assert.deepEqual(pod.properties.spec.allOf, [{ $ref: '#/components/schemas/v1.PodSpec' }]);
    assert.match(pod.properties.spec.description ?? '', /^Specification of the desired behavior of the pod\./);
    assert.equal(pod.properties.spec.$ref, undefined);
    const podSpec = components['v1.PodSpec'] as { properties: Record<string, { description?: string }> };
    assert.equal(podSpec.properties.affinity.description, "If specified, the pod's scheduling constraints");
    const meta = components['v1.ObjectMeta'] as { properties: Record<string, { type?: string; nullable?: boolean }> };
    assert.ok(meta.properties.name.type === 'string');
  });
});
