import { strict as assert } from 'node:assert';
import { parseTraceArgs, readManifest, runTrace, type TraceArgs } from '../../../src/cli/trace';

/** The kubelet's Events are off until its event names accept fractional virtual time (kubelet/events.ts). */
const CLUSTER = { kubelet: { recordEvents: false } };

function trace(files: Record<string, string>, args: Partial<TraceArgs> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = runTrace({ file: 'app.yaml', seed: 1, json: false, cluster: CLUSTER, ...args }, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    readFile: (p) => {
      if (!(p in files)) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
      return files[p];
    },
  });
  return { code, out, err };
}

const web = `apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: web
    image: nginx:1.27
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  debug: "no"
`;

describe('k8s-lab trace', () => {
  it('parses its flags', () => {
    assert.deepEqual(parseTraceArgs(['-f', 'x.yaml', '--seed=3', '--json']), { file: 'x.yaml', seed: 3, json: true });
    assert.deepEqual(parseTraceArgs([]), { error: 'required flag "-f" not set' });
    assert.deepEqual(parseTraceArgs(['-f', 'x', '--seed', 'a']), { error: 'invalid --seed "a": must be an integer' });
    assert.equal(parseTraceArgs(['--help']), 'help');
  });

  it('prints the flow of every document, what changed, and exits 0 when the pods run', () => {
    const { code, out } = trace({ 'app.yaml': web });
    assert.equal(code, 0, out.slice(-5).join('\n'));
    assert.match(out[0], /^t=\+0\.000s {2}kubectl → lb {2}GET \/api\/v1\/namespaces\/default\/pods\/web {2}pod\/web$/);
    assert.ok(out.some((l) => /kubectl → lb {2}POST \/api\/v1\/namespaces\/default\/pods {2}pod\/web$/.test(l)));
    assert.ok(out.some((l) => /apiserver@master-\d → kubectl {2}201 Created {2}pod\/web {2}rv=\d+$/.test(l)));
    assert.ok(out.some((l) => /etcd@master-\d {2}commit put \/registry\/pods\/default\/web at index \d+: quorum [23]\/3 {2}rv=\d+$/.test(l)));
    assert.ok(out.some((l) => /kube-scheduler@master-1 → apiserver@master-1 {2}POST \/api\/v1\/namespaces\/default\/pods\/web\/binding/.test(l)));
    assert.ok(out.some((l) => /^ {6}spec\.nodeName: <none> → worker-\d$/.test(l)), 'shows what the binding changed');
    assert.ok(out.some((l) => /^ {6}status\.phase: Pending → Running$/.test(l)), 'shows the phase change');
    assert.ok(out.includes('pod/web created'));
    assert.ok(out.includes('configmap/settings created'));
    assert.ok(out.some((l) => /^pod\/web: Running on worker-\d$/.test(l)));
    const again = trace({ 'app.yaml': web });
    assert.deepEqual(again.out, out, 'the same seed prints the same trace');
  });

  it('exits 1 with the scheduler\'s reason when a pod cannot be placed', () => {
    const huge = web.replace('image: nginx:1.27', 'image: nginx:1.27\n    resources:\n      requests:\n        cpu: "64"');
    const { code, out } = trace({ 'app.yaml': huge });
    assert.equal(code, 1);
    assert.ok(out.some((l) => l.startsWith('pod/web: Pending: Unschedulable: 0/6 nodes are available: 3 Insufficient cpu, 3 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }.')), out.slice(-3).join('\n'));
  });

  it('exits 1 with the API\'s refusal, as kubectl words it', () => {
    const { code, out } = trace({ 'app.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: noimage\nspec:\n  containers:\n  - name: app\n' });
    assert.equal(code, 1);
    assert.ok(out.includes('Error from server (Invalid): error when applying "app.yaml": Pod "noimage" is invalid: spec.containers[0].image: Required value'));
  });

  it('prints JSON lines with --json', () => {
    const { code, out } = trace({ 'app.yaml': web }, { json: true });
    assert.equal(code, 0);
    const entries = out.map((l) => JSON.parse(l) as { kind: string; seq: number });
    assert.ok(entries.length > 20);
    assert.ok(entries.every((e, i) => i === 0 || e.seq > entries[i - 1].seq));
    assert.ok(entries.some((e) => e.kind === 'etcd-commit'));
  });

  it('locates problems in the file and exits 2', () => {
    assert.deepEqual(readManifest('a.yaml', 'kind: Pod\nmetadata:\n  name: x\n'), { error: 'a.yaml:1:1: error validating data: [apiVersion not set]' });
    const dup = readManifest('a.yaml', 'apiVersion: v1\nkind: Pod\nkind: Pod\n');
    assert.ok('error' in dup && dup.error.startsWith('a.yaml:3:1: '), JSON.stringify(dup));
    const second = readManifest('a.yaml', `${web}---\n- just a list\n`);
    assert.deepEqual(second, { error: 'a.yaml:17:1: a Kubernetes object must be a mapping' });
    const bools = readManifest('a.yaml', web.replace('debug: "no"', 'debug: no'));
    assert.ok('objects' in bools && (bools.objects[1].data as { debug: unknown }).debug === false, 'YAML 1.1 reads no as false, as kubectl does');
    assert.equal(readManifest('a.yaml', '---\n---\n').hasOwnProperty('objects'), true, 'empty documents are fine');
    const bad = trace({ 'app.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  labels: [a\n' });
    assert.equal(bad.code, 2);
    assert.match(bad.err[0], /^app\.yaml:\d+:\d+: /);
    const missing = trace({});
    assert.equal(missing.code, 2);
    assert.equal(missing.err[0], 'k8s-lab trace: open app.yaml: no such file or directory');
  });
});
