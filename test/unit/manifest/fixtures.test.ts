import { strict as assert } from 'node:assert';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { validateText, type RuleId } from '../../../src/manifest';
import { brief, fixture, repoRoot } from './helpers';

interface Expected {
  rule: RuleId;
  /** The text the diagnostic underlines, found after `after` in the mutated file. */
  at: string;
  after?: string;
  message?: string | RegExp;
}

interface Mutation {
  name: string;
  base: string;
  find: string;
  replace: string;
  expect: Expected[];
}

const MUTATIONS: Mutation[] = [
  { name: 'misspelled field', base: 'pod.yaml', find: '  containers:', replace: '  contianers:', expect: [
    { rule: 'unknown-field', at: 'contianers', message: 'unknown field "spec.contianers" (did you mean "containers"?)' },
    { rule: 'required-field', at: 'spec', after: '\n', message: 'spec.containers: Required value' },
  ] },
  { name: 'port as a string', base: 'pod.yaml', find: 'containerPort: 80', replace: 'containerPort: "80"', expect: [
    { rule: 'invalid-type', at: '"80"', message: 'spec.containers[0].ports[0].containerPort: expected integer, got string "80"' },
  ] },
  { name: 'uppercase name', base: 'pod.yaml', find: 'name: web\n  namespace', replace: 'name: Web\n  namespace', expect: [
    { rule: 'invalid-name', at: 'Web', message: /^metadata\.name: Invalid value: "Web": a lowercase RFC 1123 subdomain must consist of/ },
  ] },
  { name: 'pull policy typo', base: 'pod.yaml', find: 'imagePullPolicy: IfNotPresent', replace: 'imagePullPolicy: IfNotPresnt', expect: [
    { rule: 'unsupported-value', at: 'IfNotPresnt', message: 'spec.containers[0].imagePullPolicy: Unsupported value: "IfNotPresnt": supported values: "Always", "IfNotPresent", "Never"' },
  ] },
  { name: 'memory in MB', base: 'pod.yaml', find: 'memory: 64Mi', replace: 'memory: 64MB', expect: [
    { rule: 'invalid-quantity', at: '64MB', message: /^spec\.containers\[0\]\.resources\.requests\[memory\]: Invalid value: "64MB": quantities must match/ },
  ] },
  { name: 'request above limit', base: 'pod.yaml', find: 'cpu: 250m', replace: 'cpu: "2"', expect: [
    { rule: 'requests-exceed-limits', at: '"2"', message: 'spec.containers[0].resources.requests[cpu]: Invalid value: "2": must be less than or equal to cpu limit of 500m' },
  ] },
  { name: 'mount of a missing volume', base: 'pod.yaml', find: '- name: config\n      mountPath', replace: '- name: conf\n      mountPath', expect: [
    { rule: 'volume-not-found', at: 'conf', after: '- name: ', message: 'spec.containers[0].volumeMounts[0].name: Not found: "conf"' },
  ] },
  { name: 'label value with a space', base: 'pod.yaml', find: 'tier: frontend', replace: 'tier: front end', expect: [
    { rule: 'invalid-label', at: 'front end', message: /^metadata\.labels: Invalid value: "front end": a valid label must be an empty string/ },
  ] },
  { name: 'port name with an underscore', base: 'pod.yaml', find: '- name: http\n', replace: '- name: http_web\n', expect: [
    { rule: 'invalid-port', at: 'http_web', message: 'spec.containers[0].ports[0].name: Invalid value: "http_web": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)' },
  ] },
  { name: 'lowercase protocol', base: 'pod.yaml', find: 'protocol: TCP', replace: 'protocol: tcp', expect: [
    { rule: 'unsupported-value', at: 'tcp', message: 'spec.containers[0].ports[0].protocol: Unsupported value: "tcp": supported values: "SCTP", "TCP", "UDP"' },
  ] },
  { name: 'restart policy', base: 'pod.yaml', find: 'restartPolicy: Always', replace: 'restartPolicy: Sometimes', expect: [
    { rule: 'unsupported-value', at: 'Sometimes', message: 'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "Never", "OnFailure"' },
  ] },
  { name: 'wrong apiVersion for the kind', base: 'pod.yaml', find: 'apiVersion: v1', replace: 'apiVersion: apps/v1', expect: [
    { rule: 'api-version-kind', at: 'apps/v1', message: 'no matches for kind "Pod" in version "apps/v1" (use apiVersion: v1)' },
  ] },
  { name: 'container without image', base: 'pod.yaml', find: '    image: nginx:1.27\n', replace: '', expect: [
    { rule: 'required-field', at: 'name', after: 'containers:\n  - ', message: 'spec.containers[0].image: Required value' },
  ] },
  { name: 'boolean as a string', base: 'pod.yaml', find: 'allowPrivilegeEscalation: no', replace: 'allowPrivilegeEscalation: "no"', expect: [
    { rule: 'invalid-type', at: '"no"', message: 'spec.containers[0].securityContext.allowPrivilegeEscalation: expected boolean, got string "no"' },
  ] },
  { name: 'tab indentation', base: 'pod.yaml', find: '  restartPolicy: Always', replace: '\trestartPolicy: Always', expect: [{ rule: 'yaml-tab', at: '\t' }] },
  { name: 'duplicate key', base: 'pod.yaml', find: '  name: web\n  namespace: default', replace: '  name: web\n  name: web2\n  namespace: default', expect: [
    { rule: 'yaml-duplicate-key', at: 'name', after: 'name: web\n  ' },
  ] },
  { name: 'template labels outside the selector', base: 'deployment.yaml', find: '        tier: frontend', replace: '        tier: backend', expect: [
    { rule: 'selector-mismatch', at: 'labels', after: 'template:\n    metadata:\n      ', message: 'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web", "tier":"backend"}: `selector` does not match template `labels`' },
  ] },
  { name: 'strategy type', base: 'deployment.yaml', find: 'type: RollingUpdate', replace: 'type: Rolling', expect: [
    { rule: 'unsupported-value', at: 'Rolling', after: 'type: ', message: 'spec.strategy.type: Unsupported value: "Rolling": supported values: "Recreate", "RollingUpdate"' },
  ] },
  { name: 'replicas in words', base: 'deployment.yaml', find: 'replicas: 3', replace: 'replicas: three', expect: [
    { rule: 'invalid-type', at: 'three', message: 'spec.replicas: expected integer, got string "three"' },
  ] },
  { name: 'no surge and no unavailability', base: 'deployment.yaml', find: 'maxSurge: 25%', replace: 'maxSurge: 0', expect: [
    { rule: 'invalid-value', at: '0', after: 'maxUnavailable: ', message: 'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0' },
  ] },
  { name: 'duplicate container name', base: 'deployment.yaml', find: '- name: sidecar', replace: '- name: web', expect: [
    { rule: 'duplicate-value', at: 'web', after: 'memory: 256Mi\n      - name: ', message: 'spec.template.spec.containers[1].name: Duplicate value: "web"' },
  ] },
  { name: 'restartPolicy Never in a template', base: 'deployment.yaml', find: '    spec:\n      containers:', replace: '    spec:\n      restartPolicy: Never\n      containers:', expect: [
    { rule: 'unsupported-value', at: 'Never', message: 'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"' },
  ] },
  { name: 'deployment without selector', base: 'deployment.yaml', find: '  selector:\n    matchLabels:\n      app: web\n    matchExpressions:\n    - key: tier\n      operator: In\n      values: [frontend, edge]\n', replace: '', expect: [
    { rule: 'required-field', at: 'spec', after: '\n', message: 'spec.selector: Required value' },
  ] },
  { name: 'service type case', base: 'service.yaml', find: 'type: NodePort', replace: 'type: Nodeport', expect: [
    { rule: 'unsupported-value', at: 'Nodeport', message: 'spec.type: Unsupported value: "Nodeport": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"' },
  ] },
  { name: 'node port out of range', base: 'service.yaml', find: 'nodePort: 30080', replace: 'nodePort: 80', expect: [
    { rule: 'invalid-port', at: '80', after: 'nodePort: ', message: 'spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767' },
  ] },
  { name: 'duplicate service port name', base: 'service.yaml', find: '- name: metrics', replace: '- name: http', expect: [
    { rule: 'duplicate-value', at: 'http', after: 'nodePort: 30080\n  - name: ', message: 'spec.ports[1].name: Duplicate value: "http"' },
  ] },
  { name: 'port above 65535', base: 'service.yaml', find: 'port: 9090', replace: 'port: 70000', expect: [
    { rule: 'invalid-port', at: '70000', message: 'spec.ports[1].port: Invalid value: 70000: must be between 1 and 65535, inclusive' },
  ] },
  { name: 'service name starting with a digit', base: 'service.yaml', find: '  name: web\nspec', replace: '  name: 1web\nspec', expect: [
    { rule: 'invalid-name', at: '1web', message: /^metadata\.name: Invalid value: "1web": a DNS-1035 label must consist of/ },
  ] },
  { name: 'config key with a space', base: 'configmap.yaml', find: 'LOG_LEVEL: info', replace: 'LOG LEVEL: info', expect: [
    { rule: 'invalid-value', at: 'LOG LEVEL', message: /^data\[LOG LEVEL\]: Invalid value: "LOG LEVEL": a valid config key must consist of/ },
  ] },
  { name: 'config value as a number', base: 'configmap.yaml', find: 'retries: "3"', replace: 'retries: 3', expect: [
    { rule: 'invalid-type', at: '3', after: 'retries: ', message: 'data.retries: expected string, got integer 3' },
  ] },
  { name: 'namespace name with a dot', base: 'namespace.yaml', find: 'name: shop', replace: 'name: shop.prod', expect: [
    { rule: 'invalid-name', at: 'shop.prod', message: /^metadata\.name: Invalid value: "shop\.prod": a lowercase RFC 1123 label must consist of/ },
  ] },
  { name: 'quantity in words', base: 'replicaset.yaml', find: 'cpu: 0.5', replace: 'cpu: half', expect: [
    { rule: 'invalid-quantity', at: 'half', message: /^spec\.template\.spec\.containers\[0\]\.resources\.requests\[cpu\]: Invalid value: "half": quantities must match/ },
  ] },
  { name: 'unknown kind', base: 'replicaset.yaml', find: 'kind: ReplicaSet', replace: 'kind: ReplicaSets', expect: [{ rule: 'unknown-kind', at: 'ReplicaSets' }] },
  { name: 'mistake in a later document', base: 'multi.yaml', find: 'ports: [{port: 80, targetPort: 5678}]', replace: 'ports: [{port: 80, tragetPort: 5678}]', expect: [
    { rule: 'unknown-field', at: 'tragetPort', message: 'unknown field "spec.ports[0].tragetPort" (did you mean "targetPort"?)' },
  ] },
  { name: 'YAML 1.1 boolean as a label value', base: 'multi.yaml', find: '        version: v2', replace: '        canary: yes', expect: [
    { rule: 'invalid-type', at: 'yes', message: /^spec\.template\.metadata\.labels\.canary: expected string, got boolean true \(YAML 1\.1/ },
  ] },
];

function locateExpected(text: string, e: Expected, from: number): number {
  const anchor = e.after ? text.indexOf(e.after, from) : -1;
  const start = anchor >= 0 ? text.indexOf(e.at, anchor + e.after!.length) : text.indexOf(e.at, from);
  if (start < 0) throw new Error(`fixture: "${e.at}" not found`);
  return start;
}

describe('manifest fixtures', () => {
  const dir = join(repoRoot(), 'test/fixtures/manifests/valid');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    it(`valid/${file} has no diagnostics`, () => {
      const text = fixture(`valid/${file}`);
      const result = validateText(text);
      assert.deepEqual(result.diagnostics.map((d) => `${d.range.start.line + 1}: ${d.message}`), []);
    });
  }

  describe('mutations of valid manifests', () => {
    for (const m of MUTATIONS) {
      it(`${m.base}: ${m.name}`, () => {
        const original = fixture(`valid/${m.base}`);
        const at = original.indexOf(m.find);
        assert.ok(at >= 0, `"${m.find}" is in ${m.base}`);
        const text = original.slice(0, at) + m.replace + original.slice(at + m.find.length);
        const got = validateText(text).diagnostics;
        const expected = m.expect.map((e) => ({ rule: e.rule, text: e.at, start: locateExpected(text, e, e.after === '\n' ? 0 : Math.max(0, at - 200)) }));
        assert.deepEqual(
          got.map((d) => brief(text, d)).sort((a, b) => a.start - b.start),
          expected.sort((a, b) => a.start - b.start),
          got.map((d) => d.message).join('\n'),
        );
        for (const e of m.expect) {
          if (!e.message) continue;
          const d = got.find((g) => g.rule === e.rule)!;
          if (typeof e.message === 'string') assert.equal(d.message, e.message);
          else assert.match(d.message, e.message);
        }
        for (const d of got) assert.match(d.docsUrl, /^https:\/\/kubernetes\.io\/docs\//);
      });
    }
  });
});
