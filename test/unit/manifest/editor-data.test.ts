import { strict as assert } from 'node:assert';
import { completionsAt, hoverAt, validateText } from '../../../src/manifest';
import { applyFix, fixture } from './helpers';

function fixOnce(text: string, rule: string, title?: string): string {
  const d = validateText(text).diagnostics.find((x) => x.rule === rule);
  assert.ok(d, `a ${rule} diagnostic`);
  const fix = title ? d.fixes.find((f) => f.title === title) : d.fixes.find((f) => f.isPreferred);
  assert.ok(fix, `fixes: ${d.fixes.map((f) => f.title).join(', ')}`);
  return applyFix(text, fix);
}

describe('manifest: quick fixes', () => {
  const pod = fixture('valid/pod.yaml');
  const cases: [string, string, string, string][] = [
    ['renames a misspelled field', 'unknown-field', '  containers:', '  contianers:'],
    ['turns a quoted number into a number', 'invalid-type', 'containerPort: 80', 'containerPort: "80"'],
    ['quotes a number where a string is expected', 'invalid-type', 'value: production', 'value: 8080'],
    ['picks the closest enum value', 'unsupported-value', 'imagePullPolicy: IfNotPresent', 'imagePullPolicy: ifnotpresent'],
    ['lowercases an invalid name', 'invalid-name', 'name: web\n  namespace', 'name: Web\n  namespace'],
    ['fixes the apiVersion of a kind', 'api-version-kind', 'apiVersion: v1', 'apiVersion: apps/v1'],
    ['mounts the volume that was meant', 'volume-not-found', '- name: config\n      mountPath', '- name: confg\n      mountPath'],
  ];
  for (const [name, rule, good, bad] of cases) {
    it(name, () => {
      const broken = pod.replace(good, bad);
      const fixed = fixOnce(broken, rule);
      assert.equal(fixed, pod.replace(good, good === 'value: production' ? 'value: "8080"' : good));
    });
  }

  it('converts a memory size in MB to Mi', () => {
    assert.equal(fixOnce(pod.replace('memory: 64Mi', 'memory: 64MB'), 'invalid-quantity'), pod);
  });

  it('adds a missing required field with a skeleton', () => {
    const broken = pod.replace('  - name: nginx\n    image: nginx:1.27\n', '  - image: nginx:1.27\n');
    const fixed = fixOnce(broken, 'required-field');
    assert.match(fixed, /  - name: app\n    image: nginx:1\.27\n/);
    assert.deepEqual(validateText(fixed).diagnostics, []);
  });

  it('adds a selector that matches the template labels', () => {
    const deployment = fixture('valid/deployment.yaml');
    const broken = deployment.replace(/  selector:\n(?:    .*\n)+/, '');
    const fixed = fixOnce(broken, 'required-field');
    assert.match(fixed, /spec:\n  selector:\n    matchLabels:\n      app: web\n      tier: frontend\n  replicas: 3/);
    assert.deepEqual(validateText(fixed).diagnostics, []);
  });

  it('offers every enum value, preferring only the closest', () => {
    const d = validateText(pod.replace('restartPolicy: Always', 'restartPolicy: always')).diagnostics[0];
    assert.deepEqual(d.fixes.map((f) => [f.title, f.isPreferred === true]), [
      ['Change to "Always"', true],
      ['Change to "Never"', false],
      ['Change to "OnFailure"', false],
    ]);
  });
});

describe('manifest: hover and completion', () => {
  const text = fixture('valid/pod.yaml');

  it('hovers a field with its description and type', () => {
    const result = validateText(text);
    const at = text.indexOf('containerPort') + 4;
    const hover = hoverAt(result, at);
    assert.ok(hover);
    assert.equal(hover.field, 'spec.containers[0].ports[0].containerPort');
    assert.equal(hover.type, 'integer');
    assert.equal(hover.required, true);
    assert.match(hover.description, /^Number of port to expose on the pod's IP address/);
    assert.equal(text.slice(hover.offsets.start, hover.offsets.end), 'containerPort');
  });

  it('hovers a field whose type is another object with the field\'s own description, then the type\'s', () => {
    const result = validateText(text);
    const hover = hoverAt(result, text.indexOf('resources:') + 2);
    assert.equal(hover?.type, 'ResourceRequirements');
    assert.match(hover?.description ?? '', /^Compute Resources required by this container\. Cannot be updated\./);
    assert.match(hoverAt(result, text.indexOf('metadata:') + 2)?.description ?? '', /^Standard object's metadata\./);
  });

  it('hovers enum fields with their values and list fields with their item type', () => {
    const result = validateText(text);
    assert.deepEqual(hoverAt(result, text.indexOf('imagePullPolicy'))?.values, ['Always', 'IfNotPresent', 'Never']);
    assert.equal(hoverAt(result, text.indexOf('  containers:') + 3)?.type, '[]Container');
    assert.equal(hoverAt(result, text.indexOf('cpu: 250m') + 1)?.type, 'Quantity');
    assert.equal(hoverAt(result, text.indexOf('\nkind') + 2)?.field, 'kind');
  });

  function complete(source: string): string[] {
    const offset = source.indexOf('|');
    const clean = source.replace('|', '');
    return completionsAt(validateText(clean), clean, offset).map((c) => c.label);
  }

  it('completes the fields of a container that are not there yet', () => {
    const labels = complete('apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  containers:\n  - name: a\n    ima|\n');
    assert.ok(labels.includes('image') && labels.includes('imagePullPolicy') && labels.includes('ports'));
    assert.ok(!labels.includes('name'), 'name is already set');
  });

  it('completes pod spec fields and metadata fields by indentation', () => {
    assert.ok(complete('apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  |\n').includes('restartPolicy'));
    assert.ok(complete('apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  |\nspec: {}\n').includes('labels'));
  });

  it('completes enum values and kinds', () => {
    assert.deepEqual(complete('apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  restartPolicy: |\n'), ['Always', 'OnFailure', 'Never']);
    assert.deepEqual(complete('apiVersion: v1\nkind: Service\nmetadata:\n  name: a\nspec:\n  type: N|\n'), ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName']);
    assert.ok(complete('apiVersion: apps/v1\nkind: |\n').includes('Deployment'));
  });
});
